/// One site over a range of days: its traffic, its agents' work, its
/// self-service containment and its NPS answers, with the figures computed
/// from them (docs/kpi-definitions.md). Durations are in ms.
public struct SiteRow: Sendable, Equatable {
    /// The agents' part: sums of the site's agent-days.
    public struct Work: Sendable, Equatable {
        public var closed: Int64
        public var repeated: Int64
        public var fcrElapsed: Int64
        public var fcrOK: Int64
        public var surveys: Int64
        public var satisfied: Int64
        public var busyMs: Int64
        public var readyMs: Int64
        public var notReadyMs: Int64
        /// Agents with a day in the range.
        public var agents: Int64
    }

    public var site: String
    public var offered: Int64
    public var answered: Int64
    public var abandoned: Int64
    public var shortAbandoned: Int64
    public var answeredInSL: Int64
    public var waitMsAnswered: Int64
    public var handled: Int64
    public var handleMs: Int64
    public var refused: Int64
    /// Nil when no agent has a day at the site in the range.
    public var work: Work?
    /// Self-service sessions and those contained; nil without any.
    public var selfServiceSessions: Int64?
    public var containedSessions: Int64?
    /// NPS answers (0–10), promoters (9–10) and detractors (0–6); nil without contacts.
    public var npsAnswers: Int64?
    public var promoters: Int64?
    public var detractors: Int64?

    public var serviceLevel: Double? { Ratio.of(Double(answeredInSL), Double(answered + abandoned)) }
    public var asaSeconds: Double? { Ratio.of(Double(waitMsAnswered) / 1000, Double(answered)) }
    public var ahtSeconds: Double? { Ratio.of(Double(handleMs) / 1000, Double(handled)) }
    public var abandonRate: Double? { Ratio.of(Double(abandoned), Double(offered - shortAbandoned)) }
    public var fcr: Double? { Ratio.of(work.map { Double($0.fcrOK) }, work.map { Double($0.fcrElapsed) }) }
    public var repeatRate: Double? { Ratio.of(work.map { Double($0.repeated) }, work.map { Double($0.closed) }) }
    public var csat: Double? { Ratio.of(work.map { Double($0.satisfied) }, work.map { Double($0.surveys) }) }
    public var occupancy: Double? {
        Ratio.occupancy(busyMs: work.map { Double($0.busyMs) }, readyMs: work.map { Double($0.readyMs) }, notReadyMs: work.map { Double($0.notReadyMs) })
    }
    public var containment: Double? { Ratio.of(containedSessions.map(Double.init), selfServiceSessions.map(Double.init)) }
    /// 100 × (promoters − detractors) / answers, in points; nil without answers.
    public var nps: Double? {
        guard let a = npsAnswers, a > 0, let p = promoters, let d = detractors else { return nil }
        return 100 * (Double(p) - Double(d)) / Double(a)
    }
}
