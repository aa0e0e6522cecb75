/// One team over one day or one week (Monday to Sunday): the sums of its
/// agents' days. Durations are in ms.
public struct TeamPeriodRow: Sendable, Equatable {
    /// The team; nil for agents without one.
    public var team: String?
    /// A site of the team's agents (the greatest by name when several).
    public var site: String?
    /// The period's first day (the day, or the week's Monday), as a day number.
    public var period: Int64
    /// Agents with a row in the period.
    public var agents: Int64
    /// Contacts handled.
    public var handled: Int64
    /// Talk + hold + after-call work of the handled visits.
    public var handleMs: Int64
    /// Of those, transferred away.
    public var transferred: Int64
    /// Closed contacts the customer contacted again within W.
    public var repeated: Int64
    /// Contacts closed (not transferred).
    public var closed: Int64
    /// Closed contacts whose repeat window has elapsed: FCR's denominator.
    public var fcrElapsed: Int64
    /// Of those, not repeated: FCR's numerator.
    public var fcrOK: Int64
    /// Surveys answered.
    public var surveys: Int64
    /// Of those, satisfied (CSAT 4–5).
    public var satisfied: Int64
    /// Time busy with contacts, ms.
    public var busyMs: Int64
    /// Time ready and waiting, ms.
    public var readyMs: Int64
    /// Time logged in but not ready, ms.
    public var notReadyMs: Int64
}
