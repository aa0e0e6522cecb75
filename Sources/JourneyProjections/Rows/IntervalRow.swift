/// One site × queue × interval of traffic, as the projection holds it: the
/// counts and sums every interval figure is computed from
/// (docs/kpi-definitions.md, "Traffic"). Durations are in ms.
public struct IntervalRow: Sendable, Equatable {
    /// The site the queue belongs to.
    public var site: String
    /// The queue the visits entered.
    public var queue: String
    /// The interval's start (UTC ms), on a local multiple of the interval length.
    public var intervalStart: Int64
    /// The site's local day of the interval (days since 1970-01-01).
    public var day: Int64
    /// Visits that entered the queue in the interval.
    public var offered: Int64
    /// Offered visits answered by an agent.
    public var answered: Int64
    /// Visits that left unanswered after waiting at least the short-abandon threshold.
    public var abandoned: Int64
    /// Visits that left unanswered sooner (out of service level and abandon rate).
    public var shortAbandoned: Int64
    /// Answered visits that waited no longer than the service-level threshold.
    public var answeredInSL: Int64
    /// Total queue wait of the answered visits.
    public var waitMsAnswered: Int64
    /// Answered visits that ended (or were transferred): the visits handled.
    public var handled: Int64
    /// Total talk + hold + after-call work of the handled visits.
    public var handleMs: Int64
    /// Logged-in time of agents skilled for the queue, over the interval length.
    public var loggedAgents: Double
    /// Ready time of agents skilled for the queue, over the interval length.
    public var readyAgents: Double
    /// Calls the queue would not take (not offered).
    public var refused: Int64

    /// Service level: answered within the threshold / (answered + abandoned); nil without either.
    public var serviceLevel: Double? { Ratio.of(Double(answeredInSL), Double(answered + abandoned)) }
    /// Average speed of answer in seconds; nil without answered visits.
    public var asaSeconds: Double? { Ratio.of(Double(waitMsAnswered) / 1000, Double(answered)) }
    /// Average handle time in seconds; nil without handled visits.
    public var ahtSeconds: Double? { Ratio.of(Double(handleMs) / 1000, Double(handled)) }
    /// Abandoned / (offered − short abandons); nil when that is 0.
    public var abandonRate: Double? { Ratio.of(Double(abandoned), Double(offered - shortAbandoned)) }

    /// The sum of `rows` as one row of `site`, `queue` and `intervalStart`: a
    /// site's interval over all its queues, whose figures follow from the
    /// summed counts. The agent averages are added too, so an agent serving
    /// several of the queues counts once per queue. Nil without rows.
    public static func total(_ rows: [IntervalRow], site: String, queue: String, intervalStart: Int64) -> IntervalRow? {
        guard var t = rows.first else { return nil }
        t.site = site; t.queue = queue; t.intervalStart = intervalStart
        for r in rows.dropFirst() {
            t.offered &+= r.offered; t.answered &+= r.answered; t.abandoned &+= r.abandoned; t.shortAbandoned &+= r.shortAbandoned
            t.answeredInSL &+= r.answeredInSL; t.waitMsAnswered &+= r.waitMsAnswered; t.handled &+= r.handled; t.handleMs &+= r.handleMs
            t.loggedAgents += r.loggedAgents; t.readyAgents += r.readyAgents; t.refused &+= r.refused
        }
        return t
    }
}
