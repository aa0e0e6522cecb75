import JourneyModel
import JourneyProjections

/// Agents to coach (`journey coach`): those whose FCR (or CSAT),
/// adjusted for tenure and queue mix, is below a threshold.
///
/// Adjustment (indirect standardisation): every contact an agent closed
/// falls in a cell (queue × tenure band at the time: < 3 months, 3–12
/// months, 1–2 years, > 2 years). The expected count E is the sum, over the
/// agent's contacts, of the cell's rate among all agents in the range; the
/// adjusted rate is overall rate × O / E, where O is what the agent achieved.
/// An agent on hard queues, or new, is thus compared with peers in the same
/// situation. z = (O − E) / √Σp(1 − p) says how sure the gap is.
public enum CoachingList {
    /// The metric agents are judged on.
    public enum Metric: String, Sendable, CaseIterable { case fcr, csat }

    /// What to look at.
    public struct Options: Sendable {
        /// FCR or CSAT.
        public var metric = Metric.fcr
        /// Flag agents whose adjusted rate is below this.
        public var below = 0.7
        /// Fewest contacts for an agent to be judged.
        public var minContacts = 30
        /// Only this site; nil: every site.
        public var site: String?
        /// Local days; default the last 28 days (for FCR, those whose windows have closed).
        public var fromDay: Int64?
        /// Last local day.
        public var toDay: Int64?
        /// The defaults.
        public init() {}
    }

    /// One agent on the list.
    public struct Entry: Sendable, Equatable {
        /// The agent.
        public var agent: String
        /// The agent's site.
        public var site: String
        /// The agent's team.
        public var team: String?
        /// Contacts judged.
        public var contacts: Int
        /// The agent's rate.
        public var observed: Double
        /// The rate expected from the agent's queue mix and tenure.
        public var expected: Double
        /// Overall rate × observed / expected: the rate with mix and tenure taken out.
        public var adjusted: Double
        /// How many standard deviations observed lies from expected.
        public var z: Double
        /// Coaching sessions already recorded for the agent.
        public var scheduled: Int
    }

    /// Every agent judged over the range (the listed ones are those whose
    /// `adjusted` is below `options.below`), most behind first, and the range.
    /// An empty default range (no day whose windows have closed) judges nobody.
    public static func entries(_ engine: ProjectionEngine, _ options: Options) throws -> (entries: [Entry], range: DayRange) {
        let last = options.metric == .fcr ? engine.lastClosedWindowDay(site: options.site) : engine.horizonDay(site: options.site) - 1
        let range = try DayRange.resolve(engine, site: options.site, fromDay: options.fromDay, toDay: options.toDay, lastDay: last, span: 28)
        guard !range.isEmpty else { return ([], range) }
        // Per agent and cell: contacts and successes.
        // Agents and queues by the bytes of their keys, as the projection keeps them (see ``ByteKey``).
        struct Cell: Hashable { var queue: ByteKey; var band: Int }
        var perAgent: [ByteKey: [Cell: (n: Double, ok: Double)]] = [:]
        var info: [ByteKey: (site: String, team: String?, hiredDay: Int64?)] = [:]
        for p in try engine.agentProfileRows() { info[ByteKey(p.agent)] = (p.site ?? "", p.team, p.hiredDay) }
        let scheduled = try engine.coachingSessions()
        try engine.forEachClosedVisit(fromDay: range.from, toDay: range.to, site: options.site) { v in
            // FCR: contacts whose window has closed, a success when not repeated; CSAT: surveyed contacts, a success at 4–5.
            let ok: Bool
            switch options.metric {
            case .fcr:
                guard v.windowClosed else { return }
                ok = !v.repeated
            case .csat:
                guard let csat = v.csat else { return }
                ok = csat >= 4
            }
            let agent = ByteKey(v.agent)
            let tenure = info[agent]?.hiredDay.map { v.day - $0 } ?? 365
            let band = tenure < 91 ? 0 : tenure < 365 ? 1 : tenure < 730 ? 2 : 3
            let cell = Cell(queue: ByteKey(v.queue), band: band)
            var c = perAgent[agent, default: [:]][cell] ?? (0, 0)
            c.n += 1
            if ok { c.ok += 1 }
            perAgent[agent, default: [:]][cell] = c
        }
        var cells: [Cell: (n: Double, ok: Double)] = [:]
        var total = (n: 0.0, ok: 0.0)
        for (_, byCell) in perAgent.sorted(by: { $0.key < $1.key }) {
            for (cell, c) in byCell {
                cells[cell, default: (0, 0)].n += c.n
                cells[cell, default: (0, 0)].ok += c.ok
                total.n += c.n
                total.ok += c.ok
            }
        }
        guard total.n > 0 else { return ([], range) }
        let overall = total.ok / total.n
        var out: [Entry] = []
        for (agent, byCell) in perAgent {
            var n = 0.0, o = 0.0, e = 0.0, v = 0.0
            for (cell, c) in byCell.sorted(by: { ($0.key.queue, $0.key.band) < ($1.key.queue, $1.key.band) }) {
                guard let all = cells[cell], all.n > 0 else { continue }
                let p = all.ok / all.n
                n += c.n
                o += c.ok
                e += c.n * p
                v += c.n * p * (1 - p)
            }
            guard n >= Double(options.minContacts), e > 0 else { continue }
            let i = info[agent]
            out.append(Entry(agent: agent.text, site: i?.site ?? "", team: i?.team, contacts: Int(n), observed: o / n, expected: e / n,
                             adjusted: overall * o / e, z: v > 0 ? (o - e) / v.squareRoot() : 0, scheduled: scheduled[agent] ?? 0))
        }
        out.sort { $0.adjusted != $1.adjusted ? $0.adjusted < $1.adjusted : $0.agent.bytesPrecede($1.agent) }
        return (out, range)
    }

    /// The agents below the threshold, worst first.
    public static func report(_ engine: ProjectionEngine, _ options: Options = Options()) throws -> InsightReport {
        try report(engine, options, judged: try entries(engine, options))
    }

    /// The report of agents already judged by ``entries(_:_:)`` with the same options.
    public static func report(_ engine: ProjectionEngine, _ options: Options, judged: (entries: [Entry], range: DayRange)) throws -> InsightReport {
        guard options.below > 0, options.below < 1 else { throw InsightsError("--below must be a share between 0 and 1 (e.g. 0.7)") }
        let (all, range) = judged
        let listed = all.filter { $0.adjusted < options.below }
        let rows: [[JSONValue]] = listed.enumerated().map { i, e in
            [.integer(Int64(i + 1)), .string(e.agent), .string(e.site), Value.text(e.team), .integer(Int64(e.contacts)),
             Value.number(e.observed), Value.number(e.expected), Value.number(e.adjusted), Value.number(e.z, 1), .integer(Int64(e.scheduled))]
        }
        var findings = listed.prefix(3).map { e in
            "\(e.agent) (\(e.site)): \(options.metric.rawValue.uppercased()) \(Value.percent(e.observed)) where peers on the same queues and tenure get \(Value.percent(e.expected)); adjusted \(Value.percent(e.adjusted)) over \(e.contacts) contacts (z = \(String(format: "%.1f", e.z)))"
        }
        findings.insert(range.isEmpty && options.fromDay == nil && options.toDay == nil
                        ? range.emptyNote(closedWindowsOf: options.metric == .fcr ? engine.repeatWindowMs : nil)
                        : "\(listed.count) of \(all.count) agents with ≥ \(options.minContacts) contacts are below \(Value.percent(options.below)) adjusted \(options.metric.rawValue.uppercased())", at: 0)
        let columns = ["rank", "agent", "site", "team", "contacts", "observed", "expected", "adjusted", "z", "coachingScheduled"]
        return InsightReport(title: "Coaching: adjusted \(options.metric.rawValue.uppercased()) below \(Value.percent(options.below)), \(range.text)",
                             findings: findings, result: QueryResult(columns: columns, rows: rows, positions: engine.positions, horizon: engine.dataHorizon))
    }
}

extension CoachingList {
    /// The `coaching.scheduled` events recording the listed `entries` of
    /// centre `site` (other centres coach their own agents). The id is per
    /// agent, metric and data day, so scheduling twice for the same data
    /// stores nothing new; the data says what the decision rested on.
    public static func scheduledEvents(_ entries: [Entry], site: String, options: Options, engine: ProjectionEngine, at: Timestamp) -> [Event] {
        let asOf = Timestamp.dateString(day: engine.horizonDay(site: site))
        var positions = JSONObject()
        for k in engine.positions.keys.sorted() { positions[k] = .integer(Int64(engine.positions[k] ?? 0)) }
        return entries.filter { $0.site == site }.map { e in
            Event(site: site, id: "coach-\(e.agent)-\(options.metric.rawValue)-\(asOf)", at: at, kind: .coachingScheduled, agent: e.agent, data: [
                "metric": .string(options.metric.rawValue), "threshold": .rounded(options.below), "observed": .rounded(e.observed),
                "expected": .rounded(e.expected), "adjusted": .rounded(e.adjusted), "contacts": .integer(Int64(e.contacts)),
                "asOf": .string(asOf), "positions": .object(positions),
            ])
        }
    }
}
