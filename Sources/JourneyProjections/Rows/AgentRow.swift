/// One agent over a range of days: the sums of the agent's days and what
/// the agent's figures are computed from (docs/kpi-definitions.md,
/// "Agents"). Durations are in ms.
public struct AgentRow: Sendable, Equatable {
    public var agent: String
    /// The agent's site (the greatest by name when the range spans several).
    public var site: String?
    public var team: String?
    /// The hire date as given (YYYY-MM-DD).
    public var hiredAt: String?
    public var handled: Int64
    public var talkMs: Int64
    public var holdMs: Int64
    public var acwMs: Int64
    public var transferred: Int64
    public var closed: Int64
    public var repeated: Int64
    public var fcrElapsed: Int64
    public var fcrOK: Int64
    public var surveys: Int64
    public var satisfied: Int64
    public var busyMs: Int64
    public var readyMs: Int64
    public var notReadyMs: Int64
    public var missed: Int64
    /// Coaching sessions recorded for the agent (at any time).
    public var coaching: Int64

    /// Talk + hold + ACW per handled visit, in seconds.
    public var ahtSeconds: Double? {
        Ratio.of(Double(talkMs) / 1000 + Double(holdMs) / 1000 + Double(acwMs) / 1000, Double(handled))
    }
    public var talkSeconds: Double? { Ratio.of(Double(talkMs) / 1000, Double(handled)) }
    public var holdSeconds: Double? { Ratio.of(Double(holdMs) / 1000, Double(handled)) }
    public var acwSeconds: Double? { Ratio.of(Double(acwMs) / 1000, Double(handled)) }
    /// Closed visits not repeated / closed visits whose window elapsed.
    public var fcr: Double? { Ratio.of(Double(fcrOK), Double(fcrElapsed)) }
    public var repeatRate: Double? { Ratio.of(Double(repeated), Double(closed)) }
    public var transferRate: Double? { Ratio.of(Double(transferred), Double(handled)) }
    public var csat: Double? { Ratio.of(Double(satisfied), Double(surveys)) }
    public var occupancy: Double? { Ratio.occupancy(busyMs: Double(busyMs), readyMs: Double(readyMs), notReadyMs: Double(notReadyMs)) }
}
