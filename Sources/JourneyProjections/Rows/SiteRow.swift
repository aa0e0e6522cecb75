/// One site over a range of days: its traffic, its agents' work, its
/// self-service containment and its NPS answers, with the figures computed
/// from them (docs/kpi-definitions.md). Durations are in ms.
public struct SiteRow: Sendable, Equatable {
    /// The agents' part: sums of the site's agent-days.
    public struct Work: Sendable, Equatable {
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
        /// Agents with a day in the range.
        public var agents: Int64
    }

    /// The site.
    public var site: String
    /// Contacts offered to the queue.
    public var offered: Int64
    /// Contacts answered by an agent.
    public var answered: Int64
    /// Contacts abandoned in queue (short abandons included).
    public var abandoned: Int64
    /// Abandons faster than the short-abandon threshold: left out of SL and abandon rate.
    public var shortAbandoned: Int64
    /// Contacts answered within the service-level threshold T.
    public var answeredInSL: Int64
    /// Total wait of the answered contacts, ms.
    public var waitMsAnswered: Int64
    /// Contacts handled.
    public var handled: Int64
    /// Total handle time (talk + hold + ACW), ms.
    public var handleMs: Int64
    /// Calls the queue refused.
    public var refused: Int64
    /// Nil when no agent has a day at the site in the range.
    public var work: Work?
    /// Self-service sessions and those contained; nil without any.
    public var selfServiceSessions: Int64?
    /// Self-service sessions without a live contact within the containment window.
    public var containedSessions: Int64?
    /// NPS answers (0–10), promoters (9–10) and detractors (0–6); nil without contacts.
    public var npsAnswers: Int64?
    /// NPS answers of 9–10.
    public var promoters: Int64?
    /// NPS answers of 0–6.
    public var detractors: Int64?

    /// Answered within T over answered plus abandoned (short abandons left out); nil when there were none.
    public var serviceLevel: Double? { Ratio.of(Double(answeredInSL), Double(answered + abandoned)) }
    /// Average speed of answer, seconds; nil without answers.
    public var asaSeconds: Double? { Ratio.of(Double(waitMsAnswered) / 1000, Double(answered)) }
    /// Average handle time, seconds; nil without handled contacts.
    public var ahtSeconds: Double? { Ratio.of(Double(handleMs) / 1000, Double(handled)) }
    /// Abandoned over offered (short abandons left out); nil when nothing was offered.
    public var abandonRate: Double? { Ratio.of(Double(abandoned), Double(offered - shortAbandoned)) }
    /// First-contact resolution: closed contacts not repeated within W, over those whose window elapsed.
    public var fcr: Double? { Ratio.of(work.map { Double($0.fcrOK) }, work.map { Double($0.fcrElapsed) }) }
    /// Repeated over closed contacts.
    public var repeatRate: Double? { Ratio.of(work.map { Double($0.repeated) }, work.map { Double($0.closed) }) }
    /// Satisfied over surveys answered.
    public var csat: Double? { Ratio.of(work.map { Double($0.satisfied) }, work.map { Double($0.surveys) }) }
    /// Busy over busy plus ready time.
    public var occupancy: Double? {
        Ratio.occupancy(busyMs: work.map { Double($0.busyMs) }, readyMs: work.map { Double($0.readyMs) }, notReadyMs: work.map { Double($0.notReadyMs) })
    }
    /// Contained self-service sessions over all self-service sessions.
    public var containment: Double? { Ratio.of(containedSessions.map(Double.init), selfServiceSessions.map(Double.init)) }
    /// 100 × (promoters − detractors) / answers, in points; nil without answers.
    public var nps: Double? {
        guard let a = npsAnswers, a > 0, let p = promoters, let d = detractors else { return nil }
        return 100 * (Double(p) - Double(d)) / Double(a)
    }
}
