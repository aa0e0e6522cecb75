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
        let day = PlanDay(parameters: parameters, history: history, forecast: forecast)
        let shrinkage = day.shrinkage()
        let (requirements, needed) = try day.requirements(demand: try day.demand(), shrinkage: shrinkage)
        let (siteRows, lent) = day.lend(needed: needed, available: day.available())
        return StaffingPlan(day: history.day, parameters: parameters, forecast: forecast,
                            historyDays: forecast == nil ? history.weekdays : [:], shrinkage: shrinkage,
                            requirements: requirements, sites: siteRows, loans: day.loans(lent))
    }

    // MARK: The flow

    /// A site's queue. Queues are compared, hashed and ordered by their bytes,
    /// as the projection keeps them (see ``JourneyModel/ByteKey``).
    public struct QueueKey: Hashable, Comparable, Sendable {
        /// The site.
        public var site: String
        /// The queue.
        public var queue: String
        /// The key of `queue` at `site`.
        public init(site: String, queue: String) { self.site = site; self.queue = queue }
        public static func == (a: Self, b: Self) -> Bool { a.site.sameBytes(as: b.site) && a.queue.sameBytes(as: b.queue) }
        public func hash(into hasher: inout Hasher) {
            site.hashBytes(into: &hasher)
            queue.hashBytes(into: &hasher)
        }
        public static func < (a: Self, b: Self) -> Bool { (ByteKey(a.site), ByteKey(a.queue)) < (ByteKey(b.site), ByteKey(b.queue)) }
    }

    /// A site's agents with one skill set. The skills are kept as a list (a
    /// queue's name may hold any character, `+` included), sorted and
    /// compared by their bytes.
    public struct GroupKey: Hashable, Comparable, Sendable {
        /// The site.
        public var site: String
        /// The group's skill set: queues, each once, in byte order.
        public private(set) var skills: [String]
        /// The key of the agents of `site` with `skills` (in any order; each counted once).
        public init(site: String, skills: [String]) {
            self.site = site
            self.skills = Set(skills.map { ByteKey($0) }).sorted().map(\.text)
        }
        public static func == (a: Self, b: Self) -> Bool {
            a.site.sameBytes(as: b.site) && a.skills.count == b.skills.count && zip(a.skills, b.skills).allSatisfy { $0.sameBytes(as: $1) }
        }
        public func hash(into hasher: inout Hasher) {
            site.hashBytes(into: &hasher)
            for q in skills { q.hashBytes(into: &hasher) }
        }
        public static func < (a: Self, b: Self) -> Bool {
            if !a.site.sameBytes(as: b.site) { return a.site.bytesPrecede(b.site) }
            return a.skills.map { ByteKey($0) }.lexicographicallyPrecedes(b.skills.map { ByteKey($0) })
        }
        /// True when `queue` (by its bytes) is one of the group's skills.
        func has(_ queue: String) -> Bool { skills.contains { $0.sameBytes(as: queue) } }
    }

    /// Agents of skill `queue` lent by `from` to `to`.
    public struct LoanKey: Hashable, Comparable, Sendable {
        /// The lending site.
        public var from: String
        /// The borrowing site.
        public var to: String
        /// The skill lent.
        public var queue: String
        public static func == (a: Self, b: Self) -> Bool {
            a.from.sameBytes(as: b.from) && a.to.sameBytes(as: b.to) && a.queue.sameBytes(as: b.queue)
        }
        public func hash(into hasher: inout Hasher) {
            from.hashBytes(into: &hasher)
            to.hashBytes(into: &hasher)
            queue.hashBytes(into: &hasher)
        }
        public static func < (a: Self, b: Self) -> Bool {
            (ByteKey(a.from), ByteKey(a.to), ByteKey(a.queue)) < (ByteKey(b.from), ByteKey(b.to), ByteKey(b.queue))
        }
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
            for q in k.skills { if let d = demandNode[QueueKey(site: k.site, queue: q)] { g.addEdge(from: group, to: d, capacity: MinCostFlow.unbounded, cost: 0) } }
            let lendable = Int((share * Double(n) + 1e-9).rounded(.down))
            guard lendable > 0 else { continue }
            let gate = g.addNode()
            g.addEdge(from: group, to: gate, capacity: lendable, cost: 0)
            for (d, node) in demandNode.sorted(by: { $0.key < $1.key }) where d.site != k.site && k.has(d.queue) {
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
    /// sum is the rounded total (largest remainder; ties by skill set).
    static func wholeAgents<Key: Hashable & Comparable>(_ groups: [Key: Double]) -> [Key: Int] {
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
