/// One contact: one customer interaction on one channel, with its outcome,
/// its durations (ms) and its repeat links.
public struct ContactRow: Sendable, Equatable {
    /// The site whose log holds the contact.
    public var site: String
    /// The contact id.
    public var contact: String
    /// Its channel.
    public var channel: String?
    /// The customer key (pseudonymous).
    public var customer: String?
    /// The contact reason given at its start.
    public var reason: String?
    /// The queue it first entered.
    public var queue: String?
    /// The agent who answered it last.
    public var agent: String?
    /// When it started (ms since the epoch).
    public var startedAt: Int64?
    /// When an agent answered.
    public var answeredAt: Int64?
    /// When it ended.
    public var endedAt: Int64?
    /// Time waiting in queue before the answer or the abandon.
    public var waitMs: Int64?
    /// Talk time.
    public var talkMs: Int64?
    /// Hold time.
    public var holdMs: Int64?
    /// After-call work.
    public var acwMs: Int64?
    /// `open`, `selfserved`, `answered`, `abandoned`, `short-abandon`, `transferred`, `ended` or `refused`.
    public var outcome: String
    /// Whether the agent marked it resolved.
    public var resolved: Bool?
    /// Times it was transferred.
    public var transfers: Int64?
    /// The answering agent's route (e.g. `overflow`).
    public var route: String?
    /// The customer's CSAT answer (1–5), if surveyed.
    public var csat: Int64?
    /// The customer's NPS answer (0–10), if surveyed.
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
