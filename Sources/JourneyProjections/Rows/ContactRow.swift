/// One contact: one customer interaction on one channel, with its outcome,
/// its durations (ms) and its repeat links.
public struct ContactRow: Sendable, Equatable {
    public var site: String
    public var contact: String
    public var channel: String?
    public var customer: String?
    /// The contact reason given at its start.
    public var reason: String?
    /// The queue it first entered.
    public var queue: String?
    /// The agent who answered it last.
    public var agent: String?
    public var startedAt: Int64?
    public var answeredAt: Int64?
    public var endedAt: Int64?
    public var waitMs: Int64?
    public var talkMs: Int64?
    public var holdMs: Int64?
    public var acwMs: Int64?
    /// `open`, `selfserved`, `answered`, `abandoned`, `short-abandon`, `transferred`, `ended` or `refused`.
    public var outcome: String
    public var resolved: Bool?
    public var transfers: Int64?
    /// The answering agent's route (e.g. `overflow`).
    public var route: String?
    public var csat: Int64?
    public var nps: Int64?
    /// The customer's contact this one repeats, if any.
    public var repeatOf: String?
    /// The start of the customer's next contact after this one ended.
    public var nextStart: Int64?

    /// Whether the customer came back within `windowMs`: true or false once
    /// known, nil while pending (the window is still open at `horizon` and
    /// nothing came yet) or when the contact has not ended.
    public func repeated(windowMs: Int64, horizon: Int64) -> Bool? {
        guard endedAt != nil else { return nil }
        if RepeatRule.repeated(endedAt: endedAt, nextStart: nextStart, windowMs: windowMs) { return true }
        return RepeatRule.windowClosed(endedAt: endedAt, windowMs: windowMs, horizon: horizon) ? false : nil
    }
}
