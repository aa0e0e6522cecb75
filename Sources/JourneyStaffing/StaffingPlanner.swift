import JourneyModel
import JourneyProjections

/// Computes a cross-site staffing plan from a ``StaffingHistory``
/// (docs/staffing.md):
///
/// 1. Demand per site × queue × interval: the mean of the calls offered in
///    that interval on the same weekday over the history weeks the site has
///    data for (or the given ``Forecast``).
/// 2. Agents needed: Erlang A with the queue's measured patience when enough
///    callers abandoned, Erlang C otherwise, with the queue's measured AHT;
///    then positions = ⌈agents / (1 − shrinkage)⌉.
/// 3. Agents available per site × interval, by skill set: each agent counts
///    for the mean share of the interval they were logged in on the history
///    days; a site's sums are rounded to whole agents (largest remainder).
/// 4. Lending, per interval, as a minimum-cost maximum flow: agents flow to
///    queues they are skilled for at their own site (cost 0) or, through a
///    lending edge capped at ⌊share × available⌋ per skill set, at another
///    site (cost 1). The maximum flow covers as many required positions as
///    any assignment can (so the total shortfall is the least possible);
///    among those, the fewest agents are lent.
public struct StaffingPlanner: Sendable {
    /// The choices plans are computed with.
    public var parameters: PlanParameters

    /// A planner with `parameters`.
    public init(parameters: PlanParameters) {
        self.parameters = parameters
    }

    /// The plan for `history.day`, from history or from `forecast`.
    public func plan(_ history: StaffingHistory, forecast: Forecast? = nil) throws -> StaffingPlan {
        try parameters.validate()
        guard history.intervalMinutes == parameters.intervalMinutes else {
            throw StaffingError(.insufficientHistory, "the history is in \(history.intervalMinutes)-minute intervals but the plan asks for \(parameters.intervalMinutes)")
        }
        let slotMs = Int64(parameters.intervalMinutes) * 60_000
        let slots = 24 * 60 / parameters.intervalMinutes
        /// UTC start of local slot `slot` of the planned day (a slot the clocks skip starts just after the gap).
        func start(_ site: String, _ slot: Int) -> Int64 {
            guard let zones = history.calendar.zones[site], !zones.history.isEmpty else {
                return history.calendar.dayStartUTC(history.day, site: site) + Int64(slot) * slotMs
            }
            return zones.utcMs(local: LocalDay(history.day).localStartMs + Int64(slot) * slotMs)
        }
        func weeks(_ site: String) -> Double { Double(max(1, history.weekdays[site]?.count ?? 0)) }

        // Shrinkage per site.
        var sites = Set(history.queues.map(\.site)).union(history.agents.map(\.site))
        if let forecast { sites.formUnion(forecast.rows.map(\.site)) }
        var shrinkage: [String: Double] = [:]
        for site in sites {
            if let s = parameters.shrinkage {
                shrinkage[site] = s
            } else if let t = history.agentTime[site], t.loggedMs > 0 {
                shrinkage[site] = min(0.9, Double(t.notReadyMs) / Double(t.loggedMs))
            } else {
                shrinkage[site] = 0
            }
        }

        // Demand per site × queue × slot.
        var demand: [QueueKey: [Int: Double]] = [:]
        if let forecast {
            for r in forecast.rows {
                guard r.startMinute % parameters.intervalMinutes == 0 else {
                    throw StaffingError(.invalidForecast, "forecast \(r.site) \(r.queue) starts at \(clock(r.startMinute)), not on a \(parameters.intervalMinutes)-minute interval")
                }
                demand[QueueKey(site: r.site, queue: r.queue), default: [:]][r.startMinute / parameters.intervalMinutes] = r.calls
            }
        } else {
            for q in history.queues {
                for (slot, offered) in q.offered where offered > 0 {
                    demand[QueueKey(site: q.site, queue: q.queue), default: [:]][slot] = Double(offered) / weeks(q.site)
                }
            }
        }

        // Handle time and patience per site × queue, falling back to the site's, then everyone's, handle time.
        var handling: [QueueKey: StaffingHistory.Queue] = [:]
        var siteHandled: [String: (Int64, Int64)] = [:]
        var allHandled: (Int64, Int64) = (0, 0)
        for q in history.queues {
            handling[QueueKey(site: q.site, queue: q.queue)] = q
            siteHandled[q.site, default: (0, 0)].0 += q.handled
            siteHandled[q.site, default: (0, 0)].1 += q.handleMs
            allHandled.0 += q.handled
            allHandled.1 += q.handleMs
        }
        func aht(_ key: QueueKey) throws -> Double {
            for (n, ms) in [handling[key].map { ($0.handled, $0.handleMs) }, siteHandled[key.site], allHandled] .compactMap({ $0 }) where n > 0 {
                return Double(ms) / Double(n) / 1000
            }
            throw StaffingError(.insufficientHistory, "no handled contacts in the history window to measure handle time for \(key.site) \(key.queue)")
        }

        var requirements: [StaffingPlan.Requirement] = []
        var needed: [Int64: [QueueKey: Int]] = [:]
        for key in demand.keys.sorted() {
            // Measured figures are held within what can be planned (ErlangC.Bounds).
            let handle = max(try aht(key), ErlangC.Bounds.ahtSecondsMin)
            let patience: Double? = handling[key].flatMap { q in
                q.abandoned >= Int64(parameters.minAbandonsForPatience) ? Double(q.exposureMs) / Double(q.abandoned) / 1000 : nil
            }.map { min(max($0, ErlangC.Bounds.patienceSeconds.lowerBound), ErlangC.Bounds.patienceSeconds.upperBound) }
            for (slot, calls) in (demand[key] ?? [:]).sorted(by: { $0.key < $1.key }) where calls > 0 {
                let period = Double(slotMs) / 1000
                let load = calls * handle / period
                guard load <= ErlangC.Bounds.loadMax else {
                    throw StaffingError(.infeasible, "\(key.site) \(key.queue) at \(Timestamp(ms: start(key.site, slot)).rfc3339): \(Int(calls)) calls of \(Int(handle)) s is \(Int(load)) erlangs; plans go up to \(Int(ErlangC.Bounds.loadMax)) per queue and interval — check the forecast or the handle times")
                }
                let agents: Int
                if let patience {
                    agents = ErlangA(callsPerPeriod: calls, periodSeconds: period, ahtSeconds: handle, patienceSeconds: patience)
                        .agents(serviceLevel: parameters.target, withinSeconds: parameters.withinSeconds, maxOccupancy: parameters.maxOccupancy)
                } else {
                    agents = ErlangC(callsPerPeriod: calls, periodSeconds: period, ahtSeconds: handle)
                        .agents(serviceLevel: parameters.target, withinSeconds: parameters.withinSeconds, maxOccupancy: parameters.maxOccupancy)
                }
                let positions = ErlangC.positions(agents: agents, shrinkage: shrinkage[key.site] ?? 0)
                let t = start(key.site, slot)
                requirements.append(.init(site: key.site, queue: key.queue, start: t, calls: calls, ahtSeconds: handle,
                                          patienceSeconds: patience, agents: agents, positions: positions))
                needed[t, default: [:]][key] = positions
            }
        }

        // Agents available per site × slot × skill set, in whole agents.
        // (Summed in whole milliseconds, so the result never depends on summation order.)
        var presence: [String: [Int: [String: Int64]]] = [:]
        for a in history.agents where !a.skills.isEmpty {
            let group = a.skills.sorted().joined(separator: "+")
            for (slot, ms) in a.loggedMs where slot >= 0 && slot < slots {
                presence[a.site, default: [:]][slot, default: [:]][group, default: 0] += ms
            }
        }
        var available: [Int64: [GroupKey: Int]] = [:]
        for (site, bySlot) in presence {
            for (slot, groups) in bySlot {
                let agents = groups.mapValues { Double($0) / Double(slotMs) / weeks(site) }
                for (group, n) in Self.wholeAgents(agents) where n > 0 {
                    available[start(site, slot), default: [:]][GroupKey(site: site, skills: group)] = n
                }
            }
        }

        // Lending, interval by interval.
        var siteRows: [StaffingPlan.SiteInterval] = []
        var lentBySlot: [LoanKey: [Int64: Int]] = [:]
        let starts = Set(needed.keys).union(available.keys).sorted()
        for t in starts {
            let need = needed[t] ?? [:], have = available[t] ?? [:]
            let alone = Self.assign(need: need, have: have, share: 0)
            let lending = Self.assign(need: need, have: have, share: parameters.maxLendShare)
            let intervalSites = Set(need.keys.map(\.site)).union(have.keys.map(\.site)).sorted()
            for site in intervalSites {
                let required = need.filter { $0.key.site == site }.reduce(0) { $0 + $1.value }
                let has = have.filter { $0.key.site == site }.reduce(0) { $0 + $1.value }
                guard required > 0 || has > 0 else { continue }
                siteRows.append(.init(
                    site: site, start: t, required: required, available: has,
                    shortfallBefore: required - (alone.covered[site] ?? 0), shortfallAfter: required - (lending.covered[site] ?? 0),
                    lent: lending.loans.filter { $0.key.from == site }.reduce(0) { $0 + $1.value },
                    borrowed: lending.loans.filter { $0.key.to == site }.reduce(0) { $0 + $1.value }))
            }
            for (k, n) in lending.loans where n > 0 { lentBySlot[k, default: [:]][t] = n }
        }

        // Consecutive intervals lending the same number become one loan.
        var loans: [StaffingPlan.Loan] = []
        for k in lentBySlot.keys.sorted() {
            for (t, n) in (lentBySlot[k] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if var last = loans.last, last.from == k.from, last.to == k.to, last.queue == k.queue, last.end == t, last.agents == n {
                    last.end = t + slotMs
                    loans[loans.count - 1] = last
                } else {
                    loans.append(.init(from: k.from, to: k.to, queue: k.queue, agents: n, start: t, end: t + slotMs))
                }
            }
        }
        loans.sort { ($0.start, $0.from, $0.to, $0.queue) < ($1.start, $1.from, $1.to, $1.queue) }
        return StaffingPlan(day: history.day, parameters: parameters, forecast: forecast,
                            historyDays: forecast == nil ? history.weekdays : [:], shrinkage: shrinkage,
                            requirements: requirements, sites: siteRows, loans: loans)
    }

    // MARK: The flow

    /// A site's queue.
    public struct QueueKey: Hashable, Comparable, Sendable {
        /// The site.
        public var site: String
        /// The queue.
        public var queue: String
        /// The key of `queue` at `site`.
        public init(site: String, queue: String) { self.site = site; self.queue = queue }
        public static func < (a: Self, b: Self) -> Bool { (a.site, a.queue) < (b.site, b.queue) }
    }

    /// A site's agents with one skill set (`skills` joined by "+", sorted).
    public struct GroupKey: Hashable, Comparable, Sendable {
        /// The site.
        public var site: String
        /// The group's skill set, queues joined by `+`.
        public var skills: String
        /// The key of the agents of `site` with `skills`.
        public init(site: String, skills: String) { self.site = site; self.skills = skills }
        public static func < (a: Self, b: Self) -> Bool { (a.site, a.skills) < (b.site, b.skills) }
        var skillList: [String] { skills.split(separator: "+").map(String.init) }
    }

    /// Agents of skill `queue` lent by `from` to `to`.
    public struct LoanKey: Hashable, Comparable, Sendable {
        /// The lending site.
        public var from: String
        /// The borrowing site.
        public var to: String
        /// The skill lent.
        public var queue: String
        public static func < (a: Self, b: Self) -> Bool { (a.from, a.to, a.queue) < (b.from, b.to, b.queue) }
    }

    /// The best assignment of one interval's agents to its requirements.
    public struct Assignment: Sendable {
        /// Required positions covered, per site.
        public var covered: [String: Int]
        /// Agents lent per lending site, borrowing site and skill.
        public var loans: [LoanKey: Int]
        /// Total positions covered (the maximum flow) and agents lent (its cost).
        public var total: Int
        /// Agents lent in all.
        public var lent: Int
    }

    /// Assigns `have` agents (per site and skill set) to `need` positions (per
    /// site and queue), lending at most ⌊share × n⌋ of a site's n agents of a
    /// skill set: a minimum-cost maximum flow (see the type's documentation).
    public static func assign(need: [QueueKey: Int], have: [GroupKey: Int], share: Double) -> Assignment {
        var g = MinCostFlow(nodes: 2)
        let source = 0, sink = 1
        var demandNode: [QueueKey: Int] = [:]
        var demandEdge: [QueueKey: Int] = [:]
        for k in need.keys.sorted() where (need[k] ?? 0) > 0 {
            let v = g.addNode()
            demandNode[k] = v
            demandEdge[k] = g.addEdge(from: v, to: sink, capacity: need[k] ?? 0, cost: 0)
        }
        var loanEdges: [(LoanKey, Int)] = []
        for k in have.keys.sorted() {
            let n = have[k] ?? 0
            guard n > 0 else { continue }
            let group = g.addNode()
            g.addEdge(from: source, to: group, capacity: n, cost: 0)
            let skills = k.skillList
            for q in skills { if let d = demandNode[QueueKey(site: k.site, queue: q)] { g.addEdge(from: group, to: d, capacity: MinCostFlow.unbounded, cost: 0) } }
            let lendable = Int((share * Double(n) + 1e-9).rounded(.down))
            guard lendable > 0 else { continue }
            let gate = g.addNode()
            g.addEdge(from: group, to: gate, capacity: lendable, cost: 0)
            for (d, node) in demandNode.sorted(by: { $0.key < $1.key }) where d.site != k.site && skills.contains(d.queue) {
                loanEdges.append((LoanKey(from: k.site, to: d.site, queue: d.queue), g.addEdge(from: gate, to: node, capacity: MinCostFlow.unbounded, cost: 1)))
            }
        }
        let (total, cost) = g.solve(source: source, sink: sink)
        var covered: [String: Int] = [:]
        for (k, e) in demandEdge { covered[k.site, default: 0] += g.flow(on: e) }
        var loans: [LoanKey: Int] = [:]
        for (k, e) in loanEdges where g.flow(on: e) > 0 { loans[k, default: 0] += g.flow(on: e) }
        return Assignment(covered: covered, loans: loans, total: total, lent: cost)
    }

    /// Rounds fractional agents per skill set to whole agents so that their
    /// sum is the rounded total (largest remainder; ties by skill set name).
    static func wholeAgents(_ groups: [String: Double]) -> [String: Int] {
        let total = Int(groups.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value }.rounded())
        var out = groups.mapValues { Int($0.rounded(.down)) }
        var left = total - out.values.reduce(0, +)
        for (k, _) in groups.sorted(by: { a, b in
            let ra = a.value - a.value.rounded(.down), rb = b.value - b.value.rounded(.down)
            return ra != rb ? ra > rb : a.key < b.key
        }) where left > 0 {
            out[k, default: 0] += 1
            left -= 1
        }
        return out
    }
}
