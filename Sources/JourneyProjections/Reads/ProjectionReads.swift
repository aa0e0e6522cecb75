import JourneyModel

/// The typed query API's reads, written once: the SQL runs unchanged on the
/// node's SQLite file and on a PostgreSQL projection's read views (same
/// table and column names, byte-order collation), and the rows become the
/// same typed values. Only standard SQL is used (no SQLite-only functions,
/// no boolean arithmetic), so both engines compute the same figures.
public struct ProjectionReads: Sendable {
    /// The KPI parameters the projection was built with.
    public var parameters: KPIParameters
    /// The data horizon (ms) the projection reflects.
    public var horizon: Int64

    /// Reads for a projection of `parameters` up to `horizon`.
    public init(parameters: KPIParameters, horizon: Int64) {
        self.parameters = parameters
        self.horizon = horizon
    }

    /// The filter's conditions on site, queue, team, agent and days, as a
    /// `WHERE` clause (empty when none) and its arguments.
    func whereClause(_ f: ProjectionQuery.Filter, dayColumn: String = "day", site: String? = "site", queue: String? = nil,
                     team: String? = nil, agent: String? = nil) -> (String, [ExportValue]) {
        var clauses: [String] = []
        var args: [ExportValue] = []
        if let s = f.site, let site { clauses.append("\(site) = ?"); args.append(.text(s)) }
        if let q = f.queue, let queue { clauses.append("\(queue) = ?"); args.append(.text(q)) }
        if let t = f.team, let team { clauses.append("\(team) = ?"); args.append(.text(t)) }
        if let a = f.agent, let agent { clauses.append("\(agent) = ?"); args.append(.text(a)) }
        if let d = f.fromDay { clauses.append("\(dayColumn) >= ?"); args.append(.integer(d)) }
        if let d = f.toDay { clauses.append("\(dayColumn) <= ?"); args.append(.integer(d)) }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), args)
    }

    /// A visit with no outcome that entered its queue longer than this before
    /// the horizon is not counted as waiting: its end is missing from the
    /// source (a lost event, a file not imported), not a caller on hold for hours.
    public static let waitingAgeMaxMs: Int64 = 4 * 3_600_000

    /// Each site's state at the horizon (`site`: only that one): contacts
    /// waiting, the longest wait, agents ready, busy and not ready.
    public func now(site: String?) -> ProjectionRead<[SiteNowRow]> {
        let since = horizon - Self.waitingAgeMaxMs
        let fromDay = LocalDay(localMs: since).number - 1  // the local day of any zone is within one of the UTC day
        let siteClause = site == nil ? "" : " AND a.site = ?"
        let visitClause = site == nil ? "" : " AND v.site = ?"
        var args: [ExportValue] = site.map { [.text($0)] } ?? []
        args += [.integer(fromDay), .integer(since), .integer(horizon)] + (site.map { [.text($0)] } ?? [])
        return listRead("""
            SELECT s.site, COALESCE(w.waiting, 0), w.first_entered, COALESCE(s.ready, 0), COALESCE(s.busy, 0), COALESCE(s.notready, 0)
            FROM (SELECT a.site AS site, SUM(CASE WHEN a.state = 'ready' THEN 1 ELSE 0 END) AS ready,
                         SUM(CASE WHEN a.state = 'busy' THEN 1 ELSE 0 END) AS busy,
                         SUM(CASE WHEN a.state = 'notready' THEN 1 ELSE 0 END) AS notready
                  FROM agent a WHERE a.site IS NOT NULL\(siteClause) GROUP BY a.site) s
            LEFT JOIN (SELECT v.site AS site, COUNT(*) AS waiting, MIN(v.entered_at) AS first_entered
                       FROM visit v JOIN contact c ON c.site = v.site AND c.contact = v.contact
                       WHERE v.day >= ? AND v.entered_at >= ? AND v.entered_at <= ? AND v.answered_at IS NULL
                         AND v.abandoned_at IS NULL AND v.refused = 0 AND c.ended_at IS NULL\(visitClause)
                       GROUP BY v.site) w ON w.site = s.site
            ORDER BY s.site
            """, args) { [horizon] r in
            let first: Int64? = r[2]
            return SiteNowRow(site: r[0], waiting: r[1], longestWaitMs: first.map { max(0, horizon - $0) }, ready: r[3], busy: r[4], notReady: r[5])
        }
    }

    /// Interval rows within the filter's site, queue and days, by site, queue and start; at most `limit`.
    public func intervals(_ f: ProjectionQuery.Filter) -> ProjectionRead<[IntervalRow]> {
        let (w, args) = whereClause(f, queue: "queue")
        return listRead("""
            SELECT site, queue, interval_start, day, offered, answered, abandoned, short_abandoned, answered_in_sl, wait_ms_answered,
                   handled, handle_ms, logged_agents, ready_agents, refused
            FROM interval_stat \(w) ORDER BY site, queue, interval_start LIMIT \(max(0, f.limit))
            """, args) { r in
            IntervalRow(site: r[0], queue: r[1], intervalStart: r[2], day: r[3], offered: r[4], answered: r[5], abandoned: r[6],
                        shortAbandoned: r[7], answeredInSL: r[8], waitMsAnswered: r[9], handled: r[10], handleMs: r[11],
                        loggedAgents: r[12], readyAgents: r[13], refused: r[14])
        }
    }

    /// Agent-day rows within the filter's site, team, agent and days, by agent and day; at most `limit`.
    public func agentDays(_ f: ProjectionQuery.Filter) -> ProjectionRead<[AgentDayRow]> {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team", agent: "d.agent")
        return listRead("""
            SELECT d.agent, d.day, d.site, a.team, handled, talk_ms, hold_ms, acw_ms, transferred, resolved, closed, repeated,
                   fcr_elapsed, fcr_ok, surveys, satisfied, logged_ms, ready_ms, busy_ms, notready_ms, missed
            FROM agent_day d LEFT JOIN agent a ON a.agent = d.agent \(w) ORDER BY d.agent, d.day LIMIT \(max(0, f.limit))
            """, args) { r in
            AgentDayRow(agent: r[0], day: r[1], site: r[2], team: r[3], handled: r[4], talkMs: r[5], holdMs: r[6], acwMs: r[7],
                        transferred: r[8], resolved: r[9], closed: r[10], repeated: r[11], fcrElapsed: r[12], fcrOK: r[13],
                        surveys: r[14], satisfied: r[15], loggedMs: r[16], readyMs: r[17], busyMs: r[18], notReadyMs: r[19], missed: r[20])
        }
    }

    /// Contacts per site and local day of their start, with the repeats among them; by site and day.
    public func contactDays(_ f: ProjectionQuery.Filter) -> ProjectionRead<[ContactDayRow]> {
        let (w, args) = whereClause(f)
        let more = (w.isEmpty ? "WHERE " : w + " AND ") + "day IS NOT NULL"
        return listRead("""
            SELECT site, day, COUNT(*), COUNT(repeat_of) FROM contact \(more)
            GROUP BY site, day ORDER BY site, day LIMIT \(max(0, f.limit))
            """, args) { r in ContactDayRow(site: r[0], day: r[1], contacts: r[2], repeats: r[3]) }
    }

    /// One row per agent over the filter's days (and site, team, agent), by agent.
    public func agentRange(_ f: ProjectionQuery.Filter) -> ProjectionRead<[AgentRow]> {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team", agent: "d.agent")
        return listRead("""
            SELECT d.agent, MAX(d.site), MAX(a.team), MAX(a.hired_at), SUM(handled), SUM(talk_ms), SUM(hold_ms), SUM(acw_ms), SUM(transferred),
                   SUM(closed), SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                   SUM(notready_ms), SUM(missed),
                   (SELECT COUNT(*) FROM action x WHERE x.agent = d.agent AND x.kind = 'coaching.scheduled')
            FROM agent_day d LEFT JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY d.agent ORDER BY d.agent
            """, args) { r in
            AgentRow(agent: r[0], site: r[1], team: r[2], hiredAt: r[3], handled: r[4], talkMs: r[5], holdMs: r[6], acwMs: r[7],
                     transferred: r[8], closed: r[9], repeated: r[10], fcrElapsed: r[11], fcrOK: r[12], surveys: r[13], satisfied: r[14],
                     busyMs: r[15], readyMs: r[16], notReadyMs: r[17], missed: r[18], coaching: r[19])
        }
    }

    /// One row per team per day, or per week (Monday to Sunday, labelled by
    /// its Monday); by team and period; at most `limit`.
    public func teamPeriods(_ f: ProjectionQuery.Filter, byWeek: Bool) -> ProjectionRead<[TeamPeriodRow]> {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team")
        let period = byWeek ? "((d.day + 3) / 7) * 7 - 3" : "d.day"
        return listRead("""
            SELECT a.team, MAX(d.site), \(period) AS period, COUNT(DISTINCT d.agent), SUM(handled), SUM(talk_ms + hold_ms + acw_ms),
                   SUM(transferred), SUM(repeated), SUM(closed), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied),
                   SUM(busy_ms), SUM(ready_ms), SUM(notready_ms)
            FROM agent_day d JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY a.team, \(period) ORDER BY a.team, period LIMIT \(max(0, f.limit))
            """, args) { r in
            TeamPeriodRow(team: r[0], site: r[1], period: r[2], agents: r[3], handled: r[4], handleMs: r[5], transferred: r[6], repeated: r[7],
                          closed: r[8], fcrElapsed: r[9], fcrOK: r[10], surveys: r[11], satisfied: r[12], busyMs: r[13], readyMs: r[14],
                          notReadyMs: r[15])
        }
    }

    /// One row per team over the filter's days, by team, with the weekly FCR
    /// trend and stability; at most `limit`.
    public func teamRange(_ f: ProjectionQuery.Filter) -> ProjectionRead<[TeamRow]> {
        var all = f
        all.limit = Int.max
        let limit = f.limit
        return teamPeriods(all, byWeek: true).map { periods in
            // By the team's bytes, as SQLite grouped its rows; agents without a team are one row "-",
            // apart from a team that is really called "-".
            var byTeam: [ByteKey?: [TeamPeriodRow]] = [:]
            for r in periods { byTeam[r.team.map { ByteKey($0) }, default: []].append(r) }
            let order = byTeam.keys.sorted { a, b in
                let x = a ?? "-", y = b ?? "-"
                return x != y ? x < y : a == nil && b != nil
            }
            let teams: [TeamRow] = order.map { key in
                let weeks = byTeam[key] ?? []
                let team = key?.text ?? "-"
                func sum(_ k: KeyPath<TeamPeriodRow, Int64>) -> Int64 { weeks.reduce(0) { $0 + $1[keyPath: k] } }
                // Weekly FCR over week numbers, for the trend (least-squares slope) and stability (standard deviation).
                let weekly = weeks.compactMap { r -> (Double, Double)? in
                    r.fcrElapsed > 0 ? (Double((r.period + 3) / 7), Double(r.fcrOK) / Double(r.fcrElapsed)) : nil
                }
                let (slope, sd) = ProjectionEngine.trend(weekly)
                let totals = TeamPeriodRow(team: team, site: weeks.first?.site, period: weeks.first?.period ?? 0, agents: weeks.map(\.agents).max() ?? 0,
                                           handled: sum(\.handled), handleMs: sum(\.handleMs), transferred: sum(\.transferred), repeated: sum(\.repeated),
                                           closed: sum(\.closed), fcrElapsed: sum(\.fcrElapsed), fcrOK: sum(\.fcrOK), surveys: sum(\.surveys),
                                           satisfied: sum(\.satisfied), busyMs: sum(\.busyMs), readyMs: sum(\.readyMs), notReadyMs: sum(\.notReadyMs))
                return TeamRow(team: team, site: weeks.first?.site ?? "", agents: totals.agents, totals: totals, weeks: Int64(weeks.count),
                               fcrTrendPerWeek: slope, fcrStability: sd)
            }
            return Array(teams.prefix(max(0, limit)))
        }
    }

    /// One row per site with traffic in the filter's days, by site.
    public func sites(_ f: ProjectionQuery.Filter) -> ProjectionRead<[SiteRow]> {
        let (w, args) = whereClause(f)
        func count(_ condition: String) -> String { "SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END)" }
        return ProjectionRead([
            SQLStatement(sql: """
                SELECT site, SUM(closed), SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                       SUM(notready_ms), COUNT(DISTINCT agent)
                FROM agent_day \(w) GROUP BY site
                """, arguments: args),
            // NPS from the contacts' survey answers (0–10), per site: only the surveyed contacts are
            // read (a partial index holds them by site and day, in the order GROUP BY site reads).
            SQLStatement(sql: """
                SELECT site, COUNT(*), \(count("nps >= 9")), \(count("nps <= 6"))
                FROM contact \(w.isEmpty ? "WHERE" : w + " AND") nps IS NOT NULL GROUP BY site
                """, arguments: args),
            SQLStatement(sql: "SELECT site, SUM(sessions), SUM(contained) FROM selfservice_day \(w) GROUP BY site", arguments: args),
            SQLStatement(sql: """
                SELECT site, SUM(offered), SUM(answered), SUM(abandoned), SUM(short_abandoned), SUM(answered_in_sl), SUM(wait_ms_answered),
                       SUM(handled), SUM(handle_ms), SUM(refused)
                FROM interval_stat \(w) GROUP BY site ORDER BY site
                """, arguments: args),
        ]) { results in
            var work: [String: SiteRow.Work] = [:]
            for r in results[0] {
                work[r[0]] = SiteRow.Work(closed: r[1], repeated: r[2], fcrElapsed: r[3], fcrOK: r[4], surveys: r[5], satisfied: r[6],
                                          busyMs: r[7], readyMs: r[8], notReadyMs: r[9], agents: r[10])
            }
            var nps: [String: (Int64, Int64, Int64)] = [:]
            for r in results[1] { nps[r[0]] = (r[1], r[2], r[3]) }
            var containment: [String: (Int64, Int64)] = [:]
            for r in results[2] { containment[r[0]] = (r[1], r[2]) }
            return results[3].map { r in
                let site: String = r[0]
                return SiteRow(site: site, offered: r[1], answered: r[2], abandoned: r[3], shortAbandoned: r[4], answeredInSL: r[5],
                               waitMsAnswered: r[6], handled: r[7], handleMs: r[8], refused: r[9], work: work[site],
                               selfServiceSessions: containment[site]?.0, containedSessions: containment[site]?.1,
                               npsAnswers: nps[site]?.0, promoters: nps[site]?.1, detractors: nps[site]?.2)
            }
        }
    }

    /// Customers with at least `minRepeats` repeats, most repeats first (then
    /// highest penalty, then key); at most `limit`.
    public func customers(minRepeats: Int, limit: Int) -> ProjectionRead<[CustomerRow]> {
        listRead("""
            SELECT customer, contacts, repeats, unresolved, channels, sites, first_at, last_at, surveys, satisfied, penalty
            FROM customer WHERE repeats >= ? ORDER BY repeats DESC, penalty DESC, customer LIMIT ?
            """, [.integer(Int64(minRepeats)), .integer(Int64(max(0, limit)))]) { r in
            func list(_ s: String?) -> [String] { (s ?? "").split(separator: ",").map(String.init) }
            return CustomerRow(customer: r[0], contacts: r[1], repeats: r[2], unresolved: r[3], channels: list(r[4]), sites: list(r[5]),
                               firstAt: r[6], lastAt: r[7], surveys: r[8], satisfied: r[9], penalty: r[10])
        }
    }

    static let contactSelect = """
        SELECT site, contact, channel, customer, reason, queue, agent, started_at, answered_at, ended_at, wait_ms, talk_ms, hold_ms,
               acw_ms, outcome, resolved, transfers, route, csat, nps, repeat_of, next_start FROM contact
        """

    static func contactRow(_ r: SQLRow) -> ContactRow {
        ContactRow(site: r[0], contact: r[1], channel: r[2], customer: r[3], reason: r[4], queue: r[5], agent: r[6], startedAt: r[7],
                   answeredAt: r[8], endedAt: r[9], waitMs: r[10], talkMs: r[11], holdMs: r[12], acwMs: r[13], outcome: r[14],
                   resolved: r[15], transfers: r[16], route: r[17], csat: r[18], nps: r[19], repeatOf: r[20], nextStart: r[21])
    }

    /// A customer's contacts across channels and sites, oldest first.
    public func journey(customer: String) -> ProjectionRead<[ContactRow]> {
        listRead(Self.contactSelect + " WHERE customer = ? ORDER BY started_at, site, contact", [.text(customer)], Self.contactRow)
    }

    /// A customer's latest `limit` contacts, newest first (the screen-pop).
    public func recentContacts(customer: String, limit: Int) -> ProjectionRead<[ContactRow]> {
        // The limit is bound, not written into the SQL: the text stays the same, so readers keep it prepared.
        listRead(Self.contactSelect + " WHERE customer = ? ORDER BY started_at DESC, site DESC, contact DESC LIMIT ?",
                 [.text(customer), .integer(Int64(max(1, limit)))], Self.contactRow)
    }

    /// Contacts within the filter (site, queue, agent, customer, outcome,
    /// route, reason, channel, days and the repeat filters), by start; at
    /// most `limit` (at least one).
    public func contacts(_ f: ProjectionQuery.Filter) -> ProjectionRead<[ContactRow]> {
        var (w, args) = whereClause(f, queue: "queue", agent: "agent")
        var extra: [String] = []
        if let c = f.customer { extra.append("customer = ?"); args.append(.text(c)) }
        if let o = f.outcome { extra.append("outcome = ?"); args.append(.text(o)) }
        // A contact transferred without a named route counts under route 'transfer' (as insights repeats ranks it).
        if let r = f.route { extra.append(r == "transfer" ? "(route = ? OR (route IS NULL AND transfers > 0))" : "route = ?"); args.append(.text(r)) }
        if let r = f.reason { extra.append("reason = ?"); args.append(.text(r)) }
        if let c = f.channel { extra.append("channel = ?"); args.append(.text(c)) }
        if f.repeatsOnly { extra.append("repeat_of IS NOT NULL") }
        let window = f.windowMs ?? parameters.repeatWindowMs
        if f.repeatedOnly { extra.append(RepeatRule.repeatedSQL("contact", window: "?")); args.append(.integer(window)) }
        if f.countedOnly {
            extra.append("customer IS NOT NULL AND " + RepeatRule.windowClosedSQL("contact", window: "?", horizon: "?"))
            args += [.integer(window), .integer(horizon)]
        }
        // The repeat itself: the customer's contact that started at next_start (the first by site and id when several did).
        let repeatOf = "(SELECT %@ FROM contact c2 WHERE c2.customer = contact.customer AND c2.started_at = contact.next_start ORDER BY c2.site, c2.contact LIMIT 1)"
        if let c = f.repeatedToChannel {
            extra.append(RepeatRule.repeatedSQL("contact", window: "?") + " AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.channel") + " = ?")
            args += [.integer(window), .text(c)]
        }
        if let site = f.repeatedAtSite {
            extra.append(RepeatRule.repeatedSQL("contact", window: "?") + " AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.site") + " = ?")
            args += [.integer(window), .text(site)]
        }
        if !extra.isEmpty { w += (w.isEmpty ? "WHERE " : " AND ") + extra.joined(separator: " AND ") }
        return listRead(Self.contactSelect + " \(w) ORDER BY started_at, site, contact LIMIT \(max(1, f.limit))", args, Self.contactRow)
    }

    /// Every value of `dimension` the projection holds, unsorted (sites
    /// without contacts yet are the caller's to add from its positions).
    public func knownValues(_ dimension: ProjectionEngine.FilterDimension) -> ProjectionRead<[String]> {
        let sql: String
        switch dimension {
        case .site: sql = "SELECT site FROM interval_stat UNION SELECT site FROM agent_day WHERE site IS NOT NULL UNION SELECT site FROM agent WHERE site IS NOT NULL"
        case .queue: sql = "SELECT queue FROM interval_stat UNION SELECT queue FROM agent_skill"
        case .team: sql = "SELECT team FROM agent WHERE team IS NOT NULL"
        case .agent: sql = "SELECT agent FROM agent UNION SELECT agent FROM agent_day"
        }
        return listRead(sql) { r in r[0] }
    }
}
