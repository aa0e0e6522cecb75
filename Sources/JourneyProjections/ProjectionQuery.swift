import GRDB
import JourneyModel

/// The questions the projections answer (`journey query KIND`).
public enum ProjectionQuery: Sendable {
    /// Filters shared by the queries; days are local day numbers (days since 1970-01-01).
    public struct Filter: Sendable {
        public var site: String?
        public var queue: String?
        public var team: String?
        public var agent: String?
        public var customer: String?
        public var fromDay: Int64?
        public var toDay: Int64?
        public var outcome: String?
        public var repeatsOnly = false
        public var route: String?
        /// Contacts: only this contact reason.
        public var reason: String?
        /// Contacts: only this channel.
        public var channel: String?
        /// Contacts: only those the customer contacted again within W after they ended.
        public var repeatedOnly = false
        /// Contacts: only those `insights repeats` counts — ended, with a
        /// customer, and their repeat window closed by the data horizon.
        public var countedOnly = false
        /// Contacts: only those repeated on this channel (a hand-off cause).
        public var repeatedToChannel: String?
        /// Contacts: only those repeated at this site (a cross-site cause).
        public var repeatedAtSite: String?
        /// Contacts: the repeat window W for `repeatedOnly`, `countedOnly` and
        /// the two above, in ms (default: the projection's).
        public var windowMs: Int64?
        public var limit = 500
        public init() {}
    }

    /// How `teams` groups its rows.
    public enum TeamGrouping: String, Sendable, CaseIterable { case range, day, week }

    case intervals(Filter)
    case agents(Filter, sort: String?)
    /// Per team over the range (with weekly FCR trend and stability), or one row per team per day or week.
    case teams(Filter, by: TeamGrouping = .range)
    case sites(Filter)
    case customers(minRepeats: Int, limit: Int)
    case journey(customer: String)
    case contacts(Filter)
}

extension ProjectionEngine {
    /// Answers a query from the projection as it stands (catch up first to include new events).
    public func query(_ q: ProjectionQuery) throws -> QueryResult {
        let (columns, rows) = try db.read { db -> ([String], [[JSONValue]]) in
            switch q {
            case .intervals(let f): return try intervals(db, f)
            case .agents(let f, let sort): return try agentRows(db, f, sort: sort)
            case .teams(let f, let by): return by == .range ? try teams(db, f) : try teamPeriods(db, f, byWeek: by == .week)
            case .sites(let f): return try sites(db, f)
            case .customers(let min, let limit): return try customers(db, minRepeats: min, limit: limit)
            case .journey(let customer): return try journey(db, customer: customer)
            case .contacts(let f): return try contactRows(db, f)
            }
        }
        return QueryResult(columns: columns, rows: rows, positions: positions, horizon: dataHorizon, countColumns: Set(Self.countColumns(q)))
    }

    // MARK: Helpers

    func where_(_ f: ProjectionQuery.Filter, dayColumn: String = "day", site: String? = "site", queue: String? = nil,
                team: String? = nil, agent: String? = nil) -> (String, StatementArguments) {
        var clauses: [String] = []
        var args = StatementArguments()
        if let s = f.site, let site { clauses.append("\(site) = ?"); args += [s] }
        if let q = f.queue, let queue { clauses.append("\(queue) = ?"); args += [q] }
        if let t = f.team, let team { clauses.append("\(team) = ?"); args += [t] }
        if let a = f.agent, let agent { clauses.append("\(agent) = ?"); args += [a] }
        if let d = f.fromDay { clauses.append("\(dayColumn) >= ?"); args += [d] }
        if let d = f.toDay { clauses.append("\(dayColumn) <= ?"); args += [d] }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), args)
    }

    func ratio(_ num: Double?, _ den: Double?) -> JSONValue {
        guard let num, let den, den > 0 else { return .null }
        return number(num / den)
    }

    /// A figure as computed, unrounded (tables round for reading; `--json` and `--csv` keep every digit).
    func number(_ x: Double?) -> JSONValue { .exact(x) }

    /// NPS in points (−100 … 100) = 100 × (promoters 9–10 − detractors 0–6) / answers; unknown without answers.
    static func nps(_ counts: (answers: Double, promoters: Double, detractors: Double)?) -> JSONValue {
        guard let c = counts, c.answers > 0 else { return .null }
        return .exact(100 * (c.promoters - c.detractors) / c.answers)
    }

    /// Occupancy: busy / (busy + ready). Unknown (null) when the agents have
    /// no ready and no not-ready time at all: the source recorded no agent
    /// states, and handling calls alone says nothing about idle time.
    func occupancy(busy: Double?, ready: Double?, notReady: Double?) -> JSONValue {
        guard let busy, let ready, ready + (notReady ?? 0) > 0 else { return .null }
        return ratio(busy, busy + ready)
    }

    func time(_ ms: Int64?, site: String?) -> JSONValue {
        guard let ms else { return .null }
        return .string(calendar.rfc3339(ms, site: site))
    }

    func dayText(_ day: Int64) -> JSONValue { .string(Timestamp.dateString(day: day)) }

    // MARK: Queries

    func intervals(_ db: Database, _ f: ProjectionQuery.Filter) throws -> ([String], [[JSONValue]]) {
        let columns = ["site", "queue", "start", "offered", "answered", "abandoned", "shortAbandoned", "serviceLevel", "asa", "aht",
                       "abandonRate", "loggedAgents", "readyAgents", "refused"] + Self.countColumns(.intervals(f))
        return (columns, try intervalRows(db, f).map { r in
            [.string(r.site), .string(r.queue), time(r.intervalStart, site: r.site), .integer(r.offered), .integer(r.answered),
             .integer(r.abandoned), .integer(r.shortAbandoned), number(r.serviceLevel), number(r.asaSeconds), number(r.ahtSeconds),
             number(r.abandonRate), number(r.loggedAgents), number(r.readyAgents), .integer(r.refused),
             .integer(r.answeredInSL), .integer(r.waitMsAnswered), .integer(r.handled), .integer(r.handleMs)]
        })
    }

    /// The counts a query's figures are computed from, last in each row: in
    /// `--json` and `--csv`, so a consumer can check a figure or re-aggregate
    /// it (a week's service level from its intervals); tables leave them out.
    /// Durations are in ms. Documented in docs/kpi-definitions.md.
    public static func countColumns(_ q: ProjectionQuery) -> [String] {
        let work = ["closed", "repeated", "transferred", "fcrElapsed", "fcrOK", "surveys", "satisfied", "handleMs", "busyMs", "readyMs", "notReadyMs"]
        switch q {
        case .intervals: return ["answeredInSL", "waitMsAnswered", "handled", "handleMs"]
        case .agents: return ["closed", "repeated", "fcrElapsed", "fcrOK", "surveys", "satisfied", "talkMs", "holdMs", "acwMs", "busyMs", "readyMs", "notReadyMs"]
        case .teams: return work
        case .sites: return ["answeredInSL", "waitMsAnswered", "handled", "handleMs", "closed", "repeated", "fcrElapsed", "fcrOK",
                             "surveys", "satisfied", "busyMs", "readyMs", "notReadyMs", "containedSessions", "npsAnswers", "promoters", "detractors"]
        case .customers, .journey, .contacts: return []
        }
    }

    /// The KPI columns of `agents`, which `--sort` accepts.
    public static let agentKPIs = ["handled", "aht", "talk", "hold", "acw", "fcr", "repeatRate", "transferRate", "csat", "occupancy", "missed", "notReadyMinutes"]

    func agentRows(_ db: Database, _ f: ProjectionQuery.Filter, sort: String?) throws -> ([String], [[JSONValue]]) {
        let (w, args) = where_(f, site: "d.site", team: "a.team", agent: "d.agent")
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.agent, MAX(d.site), MAX(a.team), SUM(handled), SUM(talk_ms), SUM(hold_ms), SUM(acw_ms), SUM(transferred),
                   SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                   SUM(missed), SUM(notready_ms), SUM(closed), MAX(a.hired_at),
                   (SELECT COUNT(*) FROM action x WHERE x.agent = d.agent AND x.kind = 'coaching.scheduled')
            FROM agent_day d LEFT JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY d.agent LIMIT 100000
            """, arguments: args)
        let columns = ["agent", "site", "team", "hiredAt"] + Self.agentKPIs + ["coaching"] + Self.countColumns(.agents(f, sort: sort))
        var out: [[JSONValue]] = rows.map { r in
            let handled = Double(r[3] as Int64)
            let talk = Double(r[4] as Int64) / 1000, hold = Double(r[5] as Int64) / 1000, acw = Double(r[6] as Int64) / 1000
            let closed = Double(r[17] as Int64)
            return [.string(r[0]), (r[1] as String?).map { JSONValue.string($0) } ?? .null, (r[2] as String?).map { JSONValue.string($0) } ?? .null,
                    (r[18] as String?).map { JSONValue.string($0) } ?? .null,
                    .integer(r[3]), ratio(talk + hold + acw, handled), ratio(talk, handled), ratio(hold, handled), ratio(acw, handled),
                    ratio(Double(r[10] as Int64), Double(r[9] as Int64)), ratio(Double(r[8] as Int64), closed),
                    ratio(Double(r[7] as Int64), handled), ratio(Double(r[12] as Int64), Double(r[11] as Int64)),
                    occupancy(busy: Double(r[13] as Int64), ready: Double(r[14] as Int64), notReady: Double(r[16] as Int64)),
                    .integer(r[15]), number(Double(r[16] as Int64) / 60_000), .integer(r[19]),
                    .integer(r[17]), .integer(r[8]), .integer(r[9]), .integer(r[10]), .integer(r[11]), .integer(r[12]),
                    .integer(r[4]), .integer(r[5]), .integer(r[6]), .integer(r[13]), .integer(r[14]), .integer(r[16])]
        }
        if let sort, let i = columns.firstIndex(of: sort) {
            out.sort { a, b in
                let x = a[i].doubleValue ?? -Double.infinity, y = b[i].doubleValue ?? -Double.infinity
                return x != y ? x > y : (a[0].stringValue ?? "") < (b[0].stringValue ?? "")
            }
        } else {
            out.sort { ($0[0].stringValue ?? "") < ($1[0].stringValue ?? "") }
        }
        return (columns, Array(out.prefix(f.limit)))
    }

    func teams(_ db: Database, _ f: ProjectionQuery.Filter) throws -> ([String], [[JSONValue]]) {
        let (w, args) = where_(f, site: "d.site", team: "a.team")
        // Weekly values per team, for trend (least-squares slope of weekly FCR) and stability (its standard deviation).
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.team, MAX(d.site), (d.day + 3) / 7 AS week, COUNT(DISTINCT d.agent), SUM(handled), SUM(talk_ms + hold_ms + acw_ms),
                   SUM(transferred), SUM(repeated), SUM(closed), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied),
                   SUM(busy_ms), SUM(ready_ms), SUM(notready_ms)
            FROM agent_day d JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY a.team, week ORDER BY a.team, week
            """, arguments: args)
        var byTeam: [String: [Row]] = [:]
        for r in rows { byTeam[(r[0] as String?) ?? "-", default: []].append(r) }
        let columns = ["team", "site", "agents", "handled", "aht", "fcr", "repeatRate", "transferRate", "csat", "occupancy",
                       "weeks", "fcrTrendPerWeek", "fcrStability"] + Self.countColumns(.teams(f, by: .range))
        let out: [[JSONValue]] = byTeam.keys.sorted().map { team in
            let weeks = byTeam[team] ?? []
            func sum(_ i: Int) -> Double { weeks.reduce(0) { $0 + Double($1[i] as Int64) } }
            let weekly = weeks.compactMap { r -> (Double, Double)? in
                let elapsed = Double(r[9] as Int64)
                return elapsed > 0 ? (Double(r[2] as Int64), Double(r[10] as Int64) / elapsed) : nil
            }
            let (slope, sd) = Self.trend(weekly)
            return [.string(team), weeks.first.map { JSONValue.string(($0[1] as String?) ?? "") } ?? .null,
                    .integer(Int64(weeks.map { $0[3] as Int64 }.max() ?? 0)), .integer(Int64(sum(4))),
                    ratio(sum(5) / 1000, sum(4)), ratio(sum(10), sum(9)), ratio(sum(7), sum(8)), ratio(sum(6), sum(4)),
                    ratio(sum(12), sum(11)), occupancy(busy: sum(13), ready: sum(14), notReady: sum(15)), .integer(Int64(weeks.count)),
                    number(slope), number(sd)] + [8, 7, 6, 9, 10, 11, 12, 5, 13, 14, 15].map { .integer(Int64(sum($0))) }
        }
        return (columns, Array(out.prefix(max(0, f.limit))))
    }

    /// One row per team per day (or week, Monday to Sunday, labelled by its Monday).
    func teamPeriods(_ db: Database, _ f: ProjectionQuery.Filter, byWeek: Bool) throws -> ([String], [[JSONValue]]) {
        let (w, args) = where_(f, site: "d.site", team: "a.team")
        let period = byWeek ? "((d.day + 3) / 7) * 7 - 3" : "d.day"
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.team, MAX(d.site), \(period) AS period, COUNT(DISTINCT d.agent), TOTAL(handled), TOTAL(talk_ms + hold_ms + acw_ms),
                   TOTAL(transferred), TOTAL(repeated), TOTAL(closed), TOTAL(fcr_elapsed), TOTAL(fcr_ok), TOTAL(surveys), TOTAL(satisfied),
                   TOTAL(busy_ms), TOTAL(ready_ms), TOTAL(notready_ms)
            FROM agent_day d JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY a.team, period ORDER BY a.team, period LIMIT \(max(0, f.limit))
            """, arguments: args)
        let columns = ["team", "site", byWeek ? "week" : "day", "agents", "handled", "aht", "fcr", "repeatRate", "transferRate", "csat", "occupancy"]
            + Self.countColumns(.teams(f, by: byWeek ? .week : .day))
        return (columns, rows.map { r in
            func d(_ i: Int) -> Double { r[i] as Double }
            return [(r[0] as String?).map { .string($0) } ?? .null, (r[1] as String?).map { .string($0) } ?? .null, dayText(r[2]),
                    .integer(r[3]), .integer(Int64(d(4))), ratio(d(5) / 1000, d(4)), ratio(d(10), d(9)), ratio(d(7), d(8)),
                    ratio(d(6), d(4)), ratio(d(12), d(11)), occupancy(busy: d(13), ready: d(14), notReady: d(15))]
                + [8, 7, 6, 9, 10, 11, 12, 5, 13, 14, 15].map { .integer(Int64(d($0))) }
        })
    }

    /// Least-squares slope and standard deviation of (x, y) points.
    static func trend(_ points: [(Double, Double)]) -> (Double?, Double?) {
        guard points.count >= 2 else { return (nil, nil) }
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let variance = points.reduce(0) { $0 + ($1.1 - my) * ($1.1 - my) } / (n - 1)
        return (sxx > 0 ? sxy / sxx : nil, variance.squareRoot())
    }

    func sites(_ db: Database, _ f: ProjectionQuery.Filter) throws -> ([String], [[JSONValue]]) {
        let (wi, ai) = where_(f)
        let traffic = try Row.fetchAll(db, sql: """
            SELECT site, SUM(offered), SUM(answered), SUM(abandoned), SUM(short_abandoned), SUM(answered_in_sl), SUM(wait_ms_answered),
                   SUM(handled), SUM(handle_ms), SUM(refused)
            FROM interval_stat \(wi) GROUP BY site
            """, arguments: ai)
        let (wa, aa) = where_(f)
        var agentFigures: [String: Row] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT site, SUM(closed), SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                   COUNT(DISTINCT agent), SUM(notready_ms)
            FROM agent_day \(wa) GROUP BY site
            """, arguments: aa) { agentFigures[r[0]] = r }
        // NPS from the contacts' survey answers (0–10), per site.
        let (wn, an) = where_(f)
        var promoters: [String: Row] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT site, TOTAL(nps IS NOT NULL), TOTAL(nps >= 9), TOTAL(nps <= 6) FROM contact \(wn) GROUP BY site
            """, arguments: an) { promoters[r[0]] = r }
        let (wc, ac) = where_(f)
        var containment: [String: Row] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT site, TOTAL(sessions), TOTAL(contained) FROM selfservice_day \(wc) GROUP BY site",
                                  arguments: ac) { containment[r[0]] = r }
        let columns = ["site", "offered", "answered", "abandoned", "shortAbandoned", "serviceLevel", "asa", "aht", "abandonRate",
                       "fcr", "repeatRate", "csat", "occupancy", "agents", "selfServiceSessions", "containment", "refused", "nps"]
            + Self.countColumns(.sites(f))
        return (columns, traffic.map { r in
            let site: String = r[0]
            let answered = Double(r[2] as Int64), abandoned = Double(r[3] as Int64), short = Double(r[4] as Int64)
            let a = agentFigures[site]
            func ad(_ i: Int) -> Double? { a.map { Double($0[i] as Int64) } }
            let c = containment[site]
            let figures: [JSONValue] = [.string(site), .integer(r[1]), .integer(r[2]), .integer(r[3]), .integer(r[4]),
                    ratio(Double(r[5] as Int64), answered + abandoned), ratio(Double(r[6] as Int64) / 1000, answered),
                    ratio(Double(r[8] as Int64) / 1000, Double(r[7] as Int64)), ratio(abandoned, Double(r[1] as Int64) - short),
                    ratio(ad(4), ad(3)), ratio(ad(2), ad(1)), ratio(ad(6), ad(5)), occupancy(busy: ad(7), ready: ad(8), notReady: ad(10)),
                    a.map { .integer($0[9]) } ?? .null, .integer(Int64(c.map { $0[1] as Double } ?? 0)),
                    ratio(c.map { $0[2] as Double }, c.map { $0[1] as Double }), .integer((r[9] as Int64?) ?? 0),
                    Self.nps(promoters[site].map { ($0[1] as Double, $0[2] as Double, $0[3] as Double) })]
            let traffic: [JSONValue] = [.integer(r[5]), .integer(r[6]), .integer(r[7]), .integer(r[8])]
            let work: [JSONValue] = [1, 2, 3, 4, 5, 6, 7, 8, 10].map { i in .integer(Int64(ad(i) ?? 0)) }
            let contained: Double = c.map { $0[2] as Double } ?? 0
            let answers: [JSONValue] = [1, 2, 3].map { i in .integer(Int64(promoters[site].map { $0[i] as Double } ?? 0)) }
            return figures + traffic + work + [.integer(Int64(contained))] + answers
        })
    }

    /// Health = 100 − penalty × recency, where recency is 1 when the customer's
    /// last contact is within 30 days of the data horizon, 0.5 within 90, else 0.25.
    func health(penalty: Double, lastAt: Int64?) -> Double {
        let age = horizon - (lastAt ?? horizon)
        let recency = age <= 30 * 86_400_000 ? 1.0 : age <= 90 * 86_400_000 ? 0.5 : 0.25
        return max(0, 100 - penalty * recency)
    }

    func customers(_ db: Database, minRepeats: Int, limit: Int) throws -> ([String], [[JSONValue]]) {
        let rows = try Row.fetchAll(db, sql: """
            SELECT customer, contacts, repeats, unresolved, channels, sites, first_at, last_at, surveys, satisfied, penalty
            FROM customer WHERE repeats >= ? ORDER BY repeats DESC, penalty DESC, customer LIMIT ?
            """, arguments: [minRepeats, limit])
        let columns = ["customer", "contacts", "repeats", "unresolved", "channels", "sites", "firstAt", "lastAt", "csat", "health"]
        return (columns, rows.map { r in
            [.string(r[0]), .integer(r[1]), .integer(r[2]), .integer(r[3]), .string(r[4] ?? ""), .string(r[5] ?? ""),
             time(r[6], site: nil), time(r[7], site: nil), ratio(Double(r[9] as Int64), Double(r[8] as Int64)),
             number(health(penalty: r[10], lastAt: r[7]))]
        })
    }

    static let contactColumns = ["site", "contact", "channel", "customer", "reason", "queue", "agent", "startedAt", "answeredAt",
                                 "endedAt", "waitSeconds", "talkSeconds", "holdSeconds", "acwSeconds", "outcome", "resolved",
                                 "transfers", "route", "csat", "nps", "repeatOf", "repeated"]

    func contactRow(_ r: Row) -> [JSONValue] {
        let site: String = r[0]
        func text(_ i: Int) -> JSONValue { (r[i] as String?).map { .string($0) } ?? .null }
        func seconds(_ i: Int) -> JSONValue { (r[i] as Int64?).map { number(Double($0) / 1000) } ?? .null }
        func int(_ i: Int) -> JSONValue { (r[i] as Int64?).map { .integer($0) } ?? .null }
        let ended: Int64? = r[9], next: Int64? = r[21]
        let repeated: JSONValue = ended.map { end in
            if let next, next <= end + parameters.repeatWindowMs { return .bool(true) }
            return end + parameters.repeatWindowMs <= horizon ? .bool(false) : .string("pending")
        } ?? .null
        return [.string(site), text(1), text(2), text(3), text(4), text(5), text(6), time(r[7], site: site), time(r[8], site: site),
                time(r[9], site: site), seconds(10), seconds(11), seconds(12), seconds(13), text(14),
                (r[15] as Bool?).map { .bool($0) } ?? .null, int(16), text(17), int(18), int(19), text(20), repeated]
    }

    static let contactSelect = """
        SELECT site, contact, channel, customer, reason, queue, agent, started_at, answered_at, ended_at, wait_ms, talk_ms, hold_ms,
               acw_ms, outcome, resolved, transfers, route, csat, nps, repeat_of, next_start FROM contact
        """

    func journey(_ db: Database, customer: String) throws -> ([String], [[JSONValue]]) {
        let rows = try Row.fetchAll(db, sql: Self.contactSelect + " WHERE customer = ? ORDER BY started_at, site, contact", arguments: [customer])
        return (Self.contactColumns, rows.map(contactRow))
    }

    func contactRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> ([String], [[JSONValue]]) {
        var (w, args) = where_(f, queue: "queue", agent: "agent")
        var extra: [String] = []
        if let c = f.customer { extra.append("customer = ?"); args += [c] }
        if let o = f.outcome { extra.append("outcome = ?"); args += [o] }
        // A contact transferred without a named route counts under route 'transfer' (as insights repeats ranks it).
        if let r = f.route { extra.append(r == "transfer" ? "(route = ? OR (route IS NULL AND transfers > 0))" : "route = ?"); args += [r] }
        if let r = f.reason { extra.append("reason = ?"); args += [r] }
        if let c = f.channel { extra.append("channel = ?"); args += [c] }
        if f.repeatsOnly { extra.append("repeat_of IS NOT NULL") }
        let window = f.windowMs ?? parameters.repeatWindowMs
        if f.repeatedOnly { extra.append("next_start IS NOT NULL AND next_start <= ended_at + ?"); args += [window] }
        if f.countedOnly { extra.append("ended_at IS NOT NULL AND customer IS NOT NULL AND ended_at + ? <= ?"); args += [window, horizon] }
        // The repeat itself: the customer's contact that started at next_start (the first by site and id when several did).
        let repeatOf = "(SELECT %@ FROM contact c2 WHERE c2.customer = contact.customer AND c2.started_at = contact.next_start ORDER BY c2.site, c2.contact LIMIT 1)"
        if let c = f.repeatedToChannel {
            extra.append("next_start IS NOT NULL AND next_start <= ended_at + ? AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.channel") + " = ?")
            args += [window, c]
        }
        if let site = f.repeatedAtSite {
            extra.append("next_start IS NOT NULL AND next_start <= ended_at + ? AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.site") + " = ?")
            args += [window, site]
        }
        if !extra.isEmpty { w += (w.isEmpty ? "WHERE " : " AND ") + extra.joined(separator: " AND ") }
        let rows = try Row.fetchAll(db, sql: Self.contactSelect + " \(w) ORDER BY started_at, site, contact LIMIT \(max(1, f.limit))", arguments: args)
        return (Self.contactColumns, rows.map(contactRow))
    }
}
