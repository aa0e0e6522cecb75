/// The repeat and FCR rule (docs/kpi-definitions.md, "Repeat" and "FCR"),
/// written once: in Swift for values in hand, and as the SQL expressions
/// every query over the `contact` table uses. A contact is **repeated**
/// when the customer's next contact started within the window W after it
/// ended; its window has **closed** when its end + W is at or before the
/// data horizon (until then it is pending: counted in neither FCR nor its
/// complement).
public enum RepeatRule {
    /// True when the next contact (`nextStart`) came within `windowMs` after `endedAt`.
    public static func repeated(endedAt: Int64?, nextStart: Int64?, windowMs: Int64) -> Bool {
        guard let endedAt, let nextStart else { return false }
        return nextStart <= endedAt &+ windowMs
    }

    /// True when the contact has ended and its window closed by `horizon`.
    public static func windowClosed(endedAt: Int64?, windowMs: Int64, horizon: Int64) -> Bool {
        guard let endedAt else { return false }
        return endedAt &+ windowMs <= horizon
    }

    /// SQL: the contact row `c` was repeated within the window bound to `window`
    /// (a named parameter such as `:w`, or a `?`).
    public static func repeatedSQL(_ c: String, window: String) -> String {
        "(\(c).next_start IS NOT NULL AND \(c).next_start <= \(c).ended_at + \(window))"
    }

    /// SQL: the contact row `c` has ended and its window closed by the horizon bound to `horizon`.
    public static func windowClosedSQL(_ c: String, window: String, horizon: String) -> String {
        "(\(c).ended_at IS NOT NULL AND \(c).ended_at + \(window) <= \(horizon))"
    }
}
