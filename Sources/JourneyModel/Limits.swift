/// The bounds every value from outside must fit, in one place.
///
/// Every event that enters a store — `journey append`, every importer, a
/// block replicated from a peer — is checked against these by
/// ``Event/validate()``, so a value that would break a reader (a time whose
/// text cannot be written back, a duration whose sums overflow) is refused
/// where it arrives, with the field named, and never stored.
public enum Limits {
    /// Earliest time accepted: 0001-01-01T00:00:00.000Z. RFC 3339 has four-digit
    /// years, so this and ``timeMax`` are the times whose canonical text exists.
    public static let timeMin = Timestamp(ms: -62_135_596_800_000)
    /// Latest time accepted: 9999-12-31T23:59:59.999Z.
    public static let timeMax = Timestamp(ms: 253_402_300_799_999)

    /// Longest duration accepted in an event's `data` and the longest one a
    /// projection derives from two times (talk, wait, an agent state): 7 days,
    /// in milliseconds. Sums of durations this size cannot overflow 64 bits
    /// below 15 billion contacts.
    public static let durationMsMax: Int64 = 7 * LocalDay.lengthMs

    /// The `data` fields that are durations in milliseconds: a whole number
    /// from 0 to ``durationMsMax`` when present.
    public static let durationFields: [String] = ["waitMs", "ringMs", "talkMs", "holdMs", "acwMs"]

    /// True when `name` is one of ``durationFields``.
    @inline(__always) public static func isDurationField(_ name: String) -> Bool { durationFields.contains(name) }

    /// True when `t` lies within ``timeMin`` … ``timeMax``.
    @inline(__always) public static func contains(_ t: Timestamp) -> Bool { t.ms >= timeMin.ms && t.ms <= timeMax.ms }

    /// Milliseconds of `seconds` (rounded to the nearest), or nil when the
    /// value is not finite or its milliseconds do not fit 64 bits. Importers
    /// convert untrusted seconds with this, never with `Int64(_:)`, which traps.
    public static func milliseconds(seconds: Double) -> Int64? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, ms > -9.0e18, ms < 9.0e18 else { return nil }
        return Int64(ms)
    }

    /// `ms` within 0 … ``durationMsMax``: how a projection bounds a duration it
    /// derives from two event times (a negative one counts as 0, a longer one as the maximum).
    @inline(__always) public static func clampDuration(_ ms: Int64) -> Int64 { min(max(ms, 0), durationMsMax) }

    /// A duration field read from stored data: its value when within the
    /// bounds, nil otherwise (events stored before the bounds existed).
    @inline(__always) public static func duration(_ v: JSONValue?) -> Int64? {
        guard let i = v?.intValue, i >= 0, i <= durationMsMax else { return nil }
        return i
    }
}
