import JourneyLog
import JourneyModel

/// A cross-site staffing plan for one day: what each site and
/// queue needs per interval, what each site has, and who lends whom.
/// Made by ``StaffingPlanner``.
public struct StaffingPlan: Sendable, Equatable {
    /// The local day planned (days since 1970-01-01).
    public var day: Int64
    /// The choices the plan was computed with.
    public var parameters: PlanParameters
    /// The forecast given instead of history, if any.
    public var forecast: Forecast?
    /// Same-weekday history days used, per site.
    public var historyDays: [String: [Int64]]
    /// Shrinkage applied, per site.
    public var shrinkage: [String: Double]
    /// Agents needed per site × queue × interval.
    public var requirements: [Requirement]
    /// Per site and interval: needed, available, and what lending changed.
    public var sites: [SiteInterval]
    /// Who lends whom, merged over consecutive intervals.
    public var loans: [Loan]

    /// Agents one queue needs in one interval.
    public struct Requirement: Sendable, Equatable {
        /// The site.
        public var site: String
        /// The queue.
        public var queue: String
        /// UTC start of the interval, ms.
        public var start: Int64
        /// Calls forecast for the interval.
        public var calls: Double
        /// Average handle time used, seconds.
        public var ahtSeconds: Double
        /// Mean patience, when enough callers abandoned to estimate it.
        public var patienceSeconds: Double?
        /// Agents on calls the Erlang model needs (Erlang A with patience, else Erlang C).
        public var agents: Int
        /// Agents logged in needed after shrinkage.
        public var positions: Int
    }

    /// One site in one interval.
    public struct SiteInterval: Sendable, Equatable {
        /// The site.
        public var site: String
        /// UTC start of the interval, ms.
        public var start: Int64
        /// Logged-in agents needed (sum over queues) and expected.
        public var required: Int
        /// Agents expected to be logged in (measured on the same weekdays).
        public var available: Int
        /// Required positions left uncovered with the site's own agents only, and after lending.
        public var shortfallBefore: Int
        /// Positions still uncovered after lending.
        public var shortfallAfter: Int
        /// Agents this site lends to others.
        public var lent: Int
        /// Agents this site borrows from others.
        public var borrowed: Int
    }

    /// `agents` agents with skill `queue` working for site `to` instead of `from`, from `start` until `end` (UTC ms).
    public struct Loan: Sendable, Equatable {
        /// The lending site.
        public var from: String
        /// The borrowing site.
        public var to: String
        /// The skill the lent agents work.
        public var queue: String
        /// How many agents.
        public var agents: Int
        /// UTC start, ms.
        public var start: Int64
        /// UTC end, ms (exclusive).
        public var end: Int64
    }

    /// Agent-intervals over the day.
    public struct Totals: Sendable, Equatable {
        /// Sums over the day and sites: required, available, shortfall before and after lending, lent.
        public var required = 0, available = 0, shortfallBefore = 0, shortfallAfter = 0, lent = 0
    }

    /// The plan summed over sites and intervals.
    public var totals: Totals {
        var t = Totals()
        for s in sites {
            t.required += s.required
            t.available += s.available
            t.shortfallBefore += s.shortfallBefore
            t.shortfallAfter += s.shortfallAfter
            t.lent += s.lent
        }
        return t
    }

    // MARK: Recording

    /// SHA-256 (hex) of the requirement rows, which are too many to record in full.
    public var requirementsDigest: String {
        let text = JSONWriter.string(.array(requirements.map { r in
            .array([.string(r.site), .string(r.queue), .integer(r.start), decimal(r.calls, 4), decimal(r.ahtSeconds, 2),
                    r.patienceSeconds.map { decimal($0, 2) } ?? .null, .integer(Int64(r.agents)), .integer(Int64(r.positions))])
        }))
        let bytes = Array(text.utf8)
        return Checksum.hex(bytes.withUnsafeBytes { Checksum.sha256([$0]) })
    }

    /// The plan as recorded in a `staffing.planned` event, with what it was
    /// computed from: the projection's position vector and horizon and the
    /// KPI parameters (so `journey audit plan` can replay it).
    public func record(positions: [String: UInt64], horizon: Timestamp, kpiParameters: JSONValue) -> JSONObject {
        var p = JSONObject()
        for k in positions.keys.sorted() { p[k] = .integer(Int64(positions[k] ?? 0)) }
        var history = JSONObject()
        for k in historyDays.keys.sorted() { history[k] = .array((historyDays[k] ?? []).map { .string(Timestamp.dateString(day: $0)) }) }
        var shrink = JSONObject()
        for k in shrinkage.keys.sorted() { shrink[k] = decimal(shrinkage[k] ?? 0, 4) }
        let t = totals
        return [
            "date": .string(Timestamp.dateString(day: day)),
            "parameters": .object(parameters.json),
            "kpi": kpiParameters,
            "positions": .object(p),
            "horizon": .string(horizon.rfc3339),
            "history": .object(history),
            "forecast": forecast?.json ?? .null,
            "shrinkage": .object(shrink),
            "totals": .object(["required": .integer(Int64(t.required)), "available": .integer(Int64(t.available)),
                       "shortfallBefore": .integer(Int64(t.shortfallBefore)), "shortfallAfter": .integer(Int64(t.shortfallAfter)),
                       "lent": .integer(Int64(t.lent))]),
            "sites": .array(sites.map { s in
                .array([.string(s.site), .string(Timestamp(ms: s.start).rfc3339), .integer(Int64(s.required)), .integer(Int64(s.available)),
                        .integer(Int64(s.shortfallBefore)), .integer(Int64(s.shortfallAfter)), .integer(Int64(s.lent)), .integer(Int64(s.borrowed))])
            }),
            "lending": .array(loans.map { $0.json }),
            "requirementsDigest": .string(requirementsDigest),
        ]
    }
}

extension StaffingPlan.Loan {
    /// The plan as JSON (`journey staffing plan --json`).
    public var json: JSONValue {
        .object(["from": .string(from), "to": .string(to), "queue": .string(queue), "agents": .integer(Int64(agents)),
         "start": .string(Timestamp(ms: start).rfc3339), "end": .string(Timestamp(ms: end).rfc3339)])
    }
}
