import Foundation
import JourneyModel

/// A site's time zone: an IANA zone (`Asia/Jerusalem`, DST-aware, from the
/// system's time-zone data) or, for stores and maps written before zones
/// existed, a fixed UTC offset. Converts between UTC instants and the site's
/// local wall-clock time, both as milliseconds since 1970-01-01 (local time
/// counted as if it were UTC, so `LocalDay(localMs:)` of it is the local day).
public struct SiteTimeZone: Sendable, Equatable, CustomStringConvertible {
    private enum Rule: Sendable, Equatable {
        case zone(TimeZone)
        case fixed(minutes: Int)
    }
    private let rule: Rule

    /// UTC.
    public static let utc = SiteTimeZone(rule: .fixed(minutes: 0))

    private init(rule: Rule) { self.rule = rule }

    /// The zone named `identifier` (an IANA name such as `Europe/Paris`, or
    /// `UTC`); nil when the system does not know the name.
    public init?(identifier: String) {
        if identifier == "UTC" || identifier == "Etc/UTC" {
            self = .utc
            return
        }
        guard TimeZone.knownTimeZoneIdentifiers.contains(identifier), let tz = TimeZone(identifier: identifier) else { return nil }
        rule = .zone(tz)
    }

    /// A fixed offset east of UTC (legacy maps and KPI files); within ±14 h.
    public init?(fixedMinutes: Int) {
        guard abs(fixedMinutes) <= 14 * 60 else { return nil }
        rule = .fixed(minutes: fixedMinutes)
    }

    /// The IANA name, `UTC`, or the fixed offset as `+02:00`.
    public var description: String {
        switch rule {
        case .zone(let tz): return tz.identifier
        case .fixed(0): return "UTC"
        case .fixed(let m):
            let a = abs(m)
            return (m < 0 ? "-" : "+") + String(format: "%02d:%02d", a / 60, a % 60)
        }
    }

    /// Offset of local time from UTC at the UTC instant `utcMs`, in ms.
    public func offsetMs(atUTC utcMs: Int64) -> Int64 {
        switch rule {
        case .fixed(let m): return Int64(m) * 60_000
        case .zone(let tz):
            let seconds = Double(utcMs.clamped(to: Limits.timeMin.ms...Limits.timeMax.ms)) / 1000
            return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))) * 1000
        }
    }

    /// Local wall-clock time of the UTC instant `utcMs`.
    public func localMs(utc utcMs: Int64) -> Int64 { utcMs + offsetMs(atUTC: utcMs) }

    /// The UTC instant of local wall-clock time `localMs`. A local time that
    /// occurs twice (the hour repeated when clocks go back) is its first
    /// occurrence; one that does not exist (skipped when clocks go forward)
    /// is read with the offset before the change, so it lands just after the
    /// gap, as a clock that was not moved would show.
    public func utcMs(local: Int64) -> Int64 {
        let before = offsetMs(atUTC: local - LocalDay.lengthMs), after = offsetMs(atUTC: local + LocalDay.lengthMs)
        let fits = [local - before, local - after].filter { localMs(utc: $0) == local }
        return fits.min() ?? (local - before)
    }

    /// Local day number (days since 1970-01-01) of a UTC instant.
    public func day(utc utcMs: Int64) -> Int64 { LocalDay(localMs: localMs(utc: utcMs)).number }

    /// UTC instant at which local day `day` begins (its local midnight, or
    /// the first instant after it when midnight is skipped).
    public func dayStartUTC(_ day: Int64) -> Int64 { utcMs(local: LocalDay(day).localStartMs) }

    /// Length of local day `day` in ms: 24 h, or 23 h / 25 h on a day the
    /// clocks change.
    public func dayLengthMs(_ day: Int64) -> Int64 { dayStartUTC(day + 1) - dayStartUTC(day) }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
