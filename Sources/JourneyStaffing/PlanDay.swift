import JourneyModel
import JourneyProjections

/// The steps of planning one day, in order: shrinkage, demand, requirements
/// (Erlang A or C per site × queue × interval), agents available, lending
/// interval by interval, and loans merged over consecutive intervals.
struct PlanDay {
    typealias QueueKey = StaffingPlanner.QueueKey
    typealias GroupKey = StaffingPlanner.GroupKey
    typealias LoanKey = StaffingPlanner.LoanKey

    let parameters: PlanParameters
    let history: StaffingHistory
    let forecast: Forecast?
    /// Length of an interval, ms.
    var slotMs: Int64 { Int64(parameters.intervalMinutes) * LocalDay.minuteMs }
    /// Intervals in a day.
    var slots: Int { 24 * 60 / parameters.intervalMinutes }

    /// UTC start of local slot `slot` of the planned day (a slot the clocks skip starts just after the gap).
    func start(_ site: String, _ slot: Int) -> Int64 {
        guard let zones = history.calendar.zones[site], !zones.history.isEmpty else {
            return history.calendar.dayStartUTC(history.day, site: site) + Int64(slot) * slotMs
        }
        return zones.utcMs(local: LocalDay(history.day).localStartMs + Int64(slot) * slotMs)
    }

    /// Same-weekday days of history at `site` (at least 1).
    func weeks(_ site: String) -> Double { Double(max(1, history.weekdays[site]?.count ?? 0)) }

    /// Shrinkage per site: the parameter, else the site's not-ready share of logged-in time (at most 0.9).
    func shrinkage() -> [String: Double] {
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
        return shrinkage
    }

    /// Calls per site × queue × slot: the forecast, else the same-weekday mean.
    func demand() throws -> [QueueKey: [Int: Double]] {
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
        return demand
    }

    /// Average handle time of a site × queue, falling back to the site's, then everyone's.
    struct HandleTimes {
        var handling: [QueueKey: StaffingHistory.Queue] = [:]
        var site: [String: (handled: Int64, ms: Int64)] = [:]
        var all: (handled: Int64, ms: Int64) = (0, 0)

        init(_ queues: [StaffingHistory.Queue]) {
            for q in queues {
                handling[QueueKey(site: q.site, queue: q.queue)] = q
                site[q.site, default: (0, 0)].handled += q.handled
                site[q.site, default: (0, 0)].ms += q.handleMs
                all.handled += q.handled
                all.ms += q.handleMs
            }
        }

        func seconds(_ key: QueueKey) throws -> Double {
            let own = handling[key].map { (handled: $0.handled, ms: $0.handleMs) }
            for (n, ms) in [own, site[key.site], all].compactMap({ $0 }) where n > 0 {
                return Double(ms) / Double(n) / 1000
            }
            throw StaffingError(.insufficientHistory, "no handled contacts in the history window to measure handle time for \(key.site) \(key.queue)")
        }
    }

    /// Agents and positions every slot of `demand` needs, and the positions needed per interval start.
    func requirements(demand: [QueueKey: [Int: Double]], shrinkage: [String: Double]) throws
        -> ([StaffingPlan.Requirement], [Int64: [QueueKey: Int]]) {
        let handleTimes = HandleTimes(history.queues)
        var requirements: [StaffingPlan.Requirement] = []
        var needed: [Int64: [QueueKey: Int]] = [:]
        for key in demand.keys.sorted() {
            // Measured figures are held within what can be planned (ErlangC.Bounds).
            let handle = max(try handleTimes.seconds(key), ErlangC.Bounds.ahtSecondsMin)
            let patience: Double? = handleTimes.handling[key].flatMap { q in
                q.abandoned >= Int64(parameters.minAbandonsForPatience) ? Double(q.exposureMs) / Double(q.abandoned) / 1000 : nil
            }.map { min(max($0, ErlangC.Bounds.patienceSeconds.lowerBound), ErlangC.Bounds.patienceSeconds.upperBound) }
            for (slot, calls) in (demand[key] ?? [:]).sorted(by: { $0.key < $1.key }) where calls > 0 {
                let r = try requirement(key, slot: slot, calls: calls, handle: handle, patience: patience, shrinkage: shrinkage[key.site] ?? 0)
                requirements.append(r)
                needed[r.start, default: [:]][key] = r.positions
            }
        }
        return (requirements, needed)
    }

    /// The agents one queue needs in one slot: Erlang A with a measured patience, else Erlang C.
    func requirement(_ key: QueueKey, slot: Int, calls: Double, handle: Double, patience: Double?, shrinkage: Double) throws
        -> StaffingPlan.Requirement {
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
        return StaffingPlan.Requirement(site: key.site, queue: key.queue, start: start(key.site, slot), calls: calls, ahtSeconds: handle,
                                        patienceSeconds: patience, agents: agents,
                                        positions: ErlangC.positions(agents: agents, shrinkage: shrinkage))
    }

    /// Agents available per interval start × site × skill set, in whole agents.
    /// (Summed in whole milliseconds, so the result never depends on summation order.)
    func available() -> [Int64: [GroupKey: Int]] {
        var presence: [String: [Int: [GroupKey: Int64]]] = [:]
        for a in history.agents where !a.skills.isEmpty {
            let group = GroupKey(site: a.site, skills: a.skills)
            for (slot, ms) in a.loggedMs where slot >= 0 && slot < slots {
                presence[a.site, default: [:]][slot, default: [:]][group, default: 0] += ms
            }
        }
        var available: [Int64: [GroupKey: Int]] = [:]
        for (site, bySlot) in presence {
            for (slot, groups) in bySlot {
                let agents = groups.mapValues { Double($0) / Double(slotMs) / weeks(site) }
                for (group, n) in StaffingPlanner.wholeAgents(agents) where n > 0 {
                    available[start(site, slot), default: [:]][group] = n
                }
            }
        }
        return available
    }

    /// Lending, interval by interval: each site's row, and agents lent per loan key and interval start.
    func lend(needed: [Int64: [QueueKey: Int]], available: [Int64: [GroupKey: Int]])
        -> ([StaffingPlan.SiteInterval], [LoanKey: [Int64: Int]]) {
        var siteRows: [StaffingPlan.SiteInterval] = []
        var lentBySlot: [LoanKey: [Int64: Int]] = [:]
        for t in Set(needed.keys).union(available.keys).sorted() {
            let need = needed[t] ?? [:], have = available[t] ?? [:]
            let alone = StaffingPlanner.assign(need: need, have: have, share: 0)
            let lending = StaffingPlanner.assign(need: need, have: have, share: parameters.maxLendShare)
            for site in Set(need.keys.map(\.site)).union(have.keys.map(\.site)).sorted() {
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
        return (siteRows, lentBySlot)
    }

    /// Consecutive intervals lending the same number become one loan.
    func loans(_ lentBySlot: [LoanKey: [Int64: Int]]) -> [StaffingPlan.Loan] {
        var loans: [StaffingPlan.Loan] = []
        for k in lentBySlot.keys.sorted() {
            for (t, n) in (lentBySlot[k] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if var last = loans.last, last.from == k.from, last.to == k.to, last.queue.sameBytes(as: k.queue), last.end == t, last.agents == n {
                    last.end = t + slotMs
                    loans[loans.count - 1] = last
                } else {
                    loans.append(.init(from: k.from, to: k.to, queue: k.queue, agents: n, start: t, end: t + slotMs))
                }
            }
        }
        loans.sort { ($0.start, LoanKey(from: $0.from, to: $0.to, queue: $0.queue)) < ($1.start, LoanKey(from: $1.from, to: $1.to, queue: $1.queue)) }
        return loans
    }
}
