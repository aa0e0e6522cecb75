/// One agent's day, as the projection holds it: the counts and sums of the
/// agent, team and site figures (docs/kpi-definitions.md, "Agents"). A day is
/// the agent's site's local day; durations are in ms.
public struct AgentDayRow: Sendable, Equatable {
    /// The agent.
    public var agent: String
    /// The local day (days since 1970-01-01).
    public var day: Int64
    /// The agent's site that day.
    public var site: String?
    /// The agent's team, as last assigned.
    public var team: String?
    /// Visits the agent answered (in the day each entered its queue).
    public var handled: Int64
    /// Talk time of those visits (answer to end, less hold).
    public var talkMs: Int64
    /// Hold time of those visits.
    public var holdMs: Int64
    /// After-call work of those visits.
    public var acwMs: Int64
    /// Visits the agent transferred.
    public var transferred: Int64
    /// Visits the agent's wrap-up marked resolved.
    public var resolved: Int64
    /// Visits the agent closed (ended, not transferred).
    public var closed: Int64
    /// Closed visits whose contact the customer repeated within the window.
    public var repeated: Int64
    /// Closed visits whose repeat window had elapsed by the data horizon.
    public var fcrElapsed: Int64
    /// Of those, the visits not repeated: first-contact resolutions.
    public var fcrOK: Int64
    /// Surveys of the contacts the agent closed.
    public var surveys: Int64
    /// Of those, scores of 4–5.
    public var satisfied: Int64
    /// Time logged in.
    public var loggedMs: Int64
    /// Time ready and idle.
    public var readyMs: Int64
    /// Time busy with contacts.
    public var busyMs: Int64
    /// Time not ready.
    public var notReadyMs: Int64
    /// Offers the agent let ring out.
    public var missed: Int64
}
