import JourneyModel
import JourneyProjections

/// The local days an insight covers: the user's `--from`/`--to`, else the
/// last `span` days up to a default last day, clipped to the days the data
/// has (a range never starts before the first day with contacts).
public struct DayRange: Sendable, Equatable {
    /// First local day.
    public var from: Int64
    /// Last local day.
    public var to: Int64
    /// The first day with data, when the projection has any.
    public var firstDataDay: Int64?

    /// True when no day is in the range (for a default range: no complete
    /// day, or no day whose repeat windows have closed, yet).
    public var isEmpty: Bool { from > to }

    /// Days in the range (0 when empty).
    public var days: Int64 { max(0, to - from + 1) }

    /// `2026-03-02…2026-03-25`, or `(no days yet)`.
    public var text: String { isEmpty ? "(no days yet)" : "\(Timestamp.dateString(day: from))…\(Timestamp.dateString(day: to))" }

    /// The range for `fromDay`/`toDay` as given (either may be nil), with
    /// `lastDay` and `span` days as the defaults.
    public static func resolve(_ engine: ProjectionEngine, site: String?, fromDay: Int64?, toDay: Int64?,
                               lastDay: Int64, span: Int64) throws -> DayRange {
        let first = try engine.firstDataDay(site: site)
        let to = toDay ?? lastDay
        var from = fromDay ?? (to - span + 1)
        if fromDay == nil, let first { from = max(from, first) }
        if fromDay != nil || toDay != nil, from > to { throw InsightsError("--from is after --to") }
        return DayRange(from: from, to: to, firstDataDay: first)
    }

    /// Why a default range is empty, in words: the data is too short yet.
    public func emptyNote(closedWindowsOf window: Int64? = nil) -> String {
        let what = window.map { "no day whose \($0 / 3_600_000) h repeat windows have closed" } ?? "no complete day"
        guard let first = firstDataDay else { return "no data yet: the projection holds no contacts" }
        return "\(what) yet: the data starts on \(Timestamp.dateString(day: first)); ask again later, or give --from and --to"
    }
}
