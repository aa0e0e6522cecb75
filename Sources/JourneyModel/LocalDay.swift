/// A calendar date: days since 1970-01-01 in some zone's calendar — a site's
/// local calendar, or UTC's when a caller says so (``utc(of:)``). A date is
/// not an instant: where a site's day begins in UTC depends on its zone and on
/// daylight saving, which is the zone's business (`SiteTimeZone.dayStartUTC`).
///
/// This type and ``Timestamp`` are the only places that know how long a
/// nominal day is; everything else counts in days or asks them.
public struct LocalDay: Hashable, Comparable, Sendable, Strideable, CustomStringConvertible {
    /// Milliseconds in a nominal day of wall-clock time (a local day across a
    /// daylight-saving change is an hour shorter or longer in UTC).
    public static let lengthMs: Int64 = 86_400_000
    /// Milliseconds in an hour.
    public static let hourMs: Int64 = 3_600_000
    /// Milliseconds in a minute.
    public static let minuteMs: Int64 = 60_000

    /// Days since 1970-01-01.
    public var number: Int64

    /// The date `number` days after 1970-01-01.
    public init(_ number: Int64) { self.number = number }

    /// A proleptic Gregorian date.
    public init(year: Int, month: Int, day: Int) {
        number = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
    }

    /// `YYYY-MM-DD` (years 0001–9999), or nil when it is not a real date.
    public init?(_ text: String) {
        guard let t = Timestamp(rfc3339: text + "T00:00:00Z") else { return nil }
        self = LocalDay.utc(of: t)
    }

    /// The date of a wall-clock time counted in ms since 1970-01-01T00:00 of the same calendar.
    public init(localMs: Int64) { number = Self.floorDiv(localMs, Self.lengthMs) }

    /// The UTC date of an instant.
    public static func utc(of t: Timestamp) -> LocalDay { LocalDay(localMs: t.ms) }

    /// The wall-clock time (ms since 1970-01-01T00:00 of the same calendar) at which this date begins.
    public var localStartMs: Int64 { number * Self.lengthMs }

    /// The instant this date begins when its calendar is UTC's.
    public var utcStart: Timestamp { Timestamp(ms: localStartMs) }

    /// Milliseconds since this calendar's midnight of a wall-clock time.
    public static func timeOfDayMs(localMs: Int64) -> Int64 { localMs - LocalDay(localMs: localMs).localStartMs }

    /// Whole days that cover `ms` milliseconds (rounded up; 0 for 0).
    public static func covering(ms: Int64) -> Int64 { (ms + lengthMs - 1) / lengthMs }

    /// `YYYY-MM-DD`.
    public var text: String { Timestamp.dateString(day: number) }
    public var description: String { text }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { a.number < b.number }
    public func distance(to other: LocalDay) -> Int64 { other.number - number }
    public func advanced(by n: Int64) -> LocalDay { LocalDay(number + n) }

    /// Floor division, exact for negative numerators (days before 1970).
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
