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
    public var handled: Int64
    /// Talk + hold + after-call work of the handled visits.
    public var handleMs: Int64
    public var transferred: Int64
    public var repeated: Int64
    public var closed: Int64
    public var fcrElapsed: Int64
    public var fcrOK: Int64
    public var surveys: Int64
    public var satisfied: Int64
    public var busyMs: Int64
    public var readyMs: Int64
    public var notReadyMs: Int64
}
