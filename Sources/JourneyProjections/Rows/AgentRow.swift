/// One agent over a range of days: the sums of the agent's days and what
/// the agent's figures are computed from (docs/kpi-definitions.md,
/// "Agents"). Durations are in ms.
public struct AgentRow: Sendable, Equatable {
    /// The agent.
    public var agent: String
    /// The agent's site (the greatest by name when the range spans several).
    public var site: String?
    /// The agent's team.
    public var team: String?
    /// The hire date as given (YYYY-MM-DD).
    public var hiredAt: String?
    /// Contacts handled.
    public var handled: Int64
    /// Talk time.
    public var talkMs: Int64
    /// Hold time.
    public var holdMs: Int64
    /// After-call work.
    public var acwMs: Int64
    /// Contacts transferred away.
    public var transferred: Int64
    /// Contacts closed (not transferred).
    public var closed: Int64
    /// Closed contacts the customer contacted again within W.
    public var repeated: Int64
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
    /// Offers the agent let ring out.
    public var missed: Int64
    /// Coaching sessions recorded for the agent (at any time).
    public var coaching: Int64

    /// Talk + hold + ACW per handled visit, in seconds.
    public var ahtSeconds: Double? {
        Ratio.of(Double(talkMs) / 1000 + Double(holdMs) / 1000 + Double(acwMs) / 1000, Double(handled))
    }
    /// Average talk time per handled contact, seconds.
    public var talkSeconds: Double? { Ratio.of(Double(talkMs) / 1000, Double(handled)) }
    /// Average hold time per handled contact, seconds.
    public var holdSeconds: Double? { Ratio.of(Double(holdMs) / 1000, Double(handled)) }
    /// Average after-call work per handled contact, seconds.
    public var acwSeconds: Double? { Ratio.of(Double(acwMs) / 1000, Double(handled)) }
    /// Closed visits not repeated / closed visits whose window elapsed.
    public var fcr: Double? { Ratio.of(Double(fcrOK), Double(fcrElapsed)) }
    /// Repeated over closed contacts.
    public var repeatRate: Double? { Ratio.of(Double(repeated), Double(closed)) }
    /// Transferred over handled contacts.
    public var transferRate: Double? { Ratio.of(Double(transferred), Double(handled)) }
    /// Satisfied over surveys answered.
    public var csat: Double? { Ratio.of(Double(satisfied), Double(surveys)) }
    /// Busy over busy plus ready time.
    public var occupancy: Double? { Ratio.occupancy(busyMs: Double(busyMs), readyMs: Double(readyMs), notReadyMs: Double(notReadyMs)) }
}
