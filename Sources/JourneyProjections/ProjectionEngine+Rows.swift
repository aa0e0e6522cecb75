import GRDB
import JourneyModel

/// The typed query API: each view's rows as Swift values, read by the CLI's
/// `journey query`, the insights, the benchmarks and the tests alike.
extension ProjectionEngine {
    /// Interval rows within the filter's site, queue and days, ordered by
    /// site, queue and interval start; at most `filter.limit`.
    public func intervalRows(_ filter: ProjectionQuery.Filter) throws -> [IntervalRow] {
        try db.read { try intervalRows($0, filter) }
    }

    /// Agent-day rows within the filter's site, team, agent and days, ordered
    /// by agent and day; at most `filter.limit`.
    public func agentDayRows(_ filter: ProjectionQuery.Filter) throws -> [AgentDayRow] {
        try db.read { try agentDayRows($0, filter) }
    }

    /// Contacts per site and local day of their start, with the repeats among
    /// them, within the filter's site and days; ordered by site and day.
    public func contactDayRows(_ filter: ProjectionQuery.Filter) throws -> [ContactDayRow] {
        try db.read { db in
            let (w, args) = whereClause(filter)
            let more = (w.isEmpty ? "WHERE " : w + " AND ") + "day IS NOT NULL"
            return try Row.fetchAll(db, sql: """
                SELECT site, day, COUNT(*), COUNT(repeat_of) FROM contact \(more)
                GROUP BY site, day ORDER BY site, day LIMIT \(max(0, filter.limit))
                """, arguments: args).map { r in
                ContactDayRow(site: r[0], day: r[1], contacts: r[2], repeats: r[3])
            }
        }
    }

    func intervalRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [IntervalRow] {
        let (w, args) = whereClause(f, queue: "queue")
        return try Row.fetchAll(db, sql: """
            SELECT site, queue, interval_start, day, offered, answered, abandoned, short_abandoned, answered_in_sl, wait_ms_answered,
                   handled, handle_ms, logged_agents, ready_agents, refused
            FROM interval_stat \(w) ORDER BY site, queue, interval_start LIMIT \(max(0, f.limit))
            """, arguments: args).map { r in
            IntervalRow(site: r[0], queue: r[1], intervalStart: r[2], day: r[3], offered: r[4], answered: r[5], abandoned: r[6],
                        shortAbandoned: r[7], answeredInSL: r[8], waitMsAnswered: r[9], handled: r[10], handleMs: r[11],
                        loggedAgents: r[12], readyAgents: r[13], refused: r[14])
        }
    }

    func agentDayRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [AgentDayRow] {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team", agent: "d.agent")
        return try Row.fetchAll(db, sql: """
            SELECT d.agent, d.day, d.site, a.team, handled, talk_ms, hold_ms, acw_ms, transferred, resolved, closed, repeated,
                   fcr_elapsed, fcr_ok, surveys, satisfied, logged_ms, ready_ms, busy_ms, notready_ms, missed
            FROM agent_day d LEFT JOIN agent a ON a.agent = d.agent \(w) ORDER BY d.agent, d.day LIMIT \(max(0, f.limit))
            """, arguments: args).map { r in
            AgentDayRow(agent: r[0], day: r[1], site: r[2], team: r[3], handled: r[4], talkMs: r[5], holdMs: r[6], acwMs: r[7],
                        transferred: r[8], resolved: r[9], closed: r[10], repeated: r[11], fcrElapsed: r[12], fcrOK: r[13],
                        surveys: r[14], satisfied: r[15], loggedMs: r[16], readyMs: r[17], busyMs: r[18], notReadyMs: r[19], missed: r[20])
        }
    }

    /// One row per agent over the filter's days (and site, team, agent), by
    /// agent name; every agent with a day in the range.
    public func agentRangeRows(_ filter: ProjectionQuery.Filter) throws -> [AgentRow] {
        try db.read { try agentRangeRows($0, filter) }
    }

    func agentRangeRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [AgentRow] {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team", agent: "d.agent")
        return try Row.fetchAll(db, sql: """
            SELECT d.agent, MAX(d.site), MAX(a.team), MAX(a.hired_at), SUM(handled), SUM(talk_ms), SUM(hold_ms), SUM(acw_ms), SUM(transferred),
                   SUM(closed), SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                   SUM(notready_ms), SUM(missed),
                   (SELECT COUNT(*) FROM action x WHERE x.agent = d.agent AND x.kind = 'coaching.scheduled')
            FROM agent_day d LEFT JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY d.agent ORDER BY d.agent
            """, arguments: args).map { r in
            AgentRow(agent: r[0], site: r[1], team: r[2], hiredAt: r[3], handled: r[4], talkMs: r[5], holdMs: r[6], acwMs: r[7],
                     transferred: r[8], closed: r[9], repeated: r[10], fcrElapsed: r[11], fcrOK: r[12], surveys: r[13], satisfied: r[14],
                     busyMs: r[15], readyMs: r[16], notReadyMs: r[17], missed: r[18], coaching: r[19])
        }
    }

    /// The first day with an agent-day row (at any site), nil before any.
    public func firstAgentDay() throws -> Int64? {
        try db.read { try Int64.fetchOne($0, sql: "SELECT MIN(day) FROM agent_day") }
    }

    /// Every agent the workforce events described, by name.
    public func agentProfileRows() throws -> [AgentProfile] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT agent, site, team, skills, hired_at FROM agent ORDER BY agent").map { r in
                let skills: String = r[3] ?? ""
                return AgentProfile(agent: r[0], site: r[1], team: r[2], skills: skills.split(separator: ",").map(String.init), hiredAt: r[4])
            }
        }
    }

    /// Coaching sessions recorded per agent (`coaching.scheduled` actions).
    public func coachingSessions() throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT agent, COUNT(*) FROM action WHERE kind = 'coaching.scheduled' AND agent IS NOT NULL GROUP BY agent
                """) { out[r[0]] = r[1] }
            return out
        }
    }

    /// Calls `body` with every visit an agent answered and did not transfer
    /// (the agent's to close, as FCR counts them) that entered its queue between `fromDay` and `toDay`
    /// (local days), at `site` or any site, with its contact's repeat outcome
    /// under the projection's window.
    public func forEachClosedVisit(fromDay: Int64, toDay: Int64, site: String?, _ body: (ClosedVisitRow) throws -> Void) throws {
        let repeated = RepeatRule.repeatedSQL("c", window: ":w"), closed = RepeatRule.windowClosedSQL("c", window: ":w", horizon: ":horizon")
        try db.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT v.agent, v.queue, v.day, \(closed), \(repeated), c.csat
                FROM visit v JOIN contact c ON c.site = v.site AND c.contact = v.contact
                WHERE v.answered_at IS NOT NULL AND v.agent IS NOT NULL AND v.transferred = 0
                  AND v.day BETWEEN :from AND :to \(site == nil ? "" : "AND v.site = :site")
                """, arguments: StatementArguments(["w": parameters.repeatWindowMs, "horizon": horizon, "from": fromDay, "to": toDay, "site": site]))
            while let r = try rows.next() {
                try body(ClosedVisitRow(agent: r[0], queue: r[1], day: r[2], windowClosed: r[3] ?? false, repeated: r[4] ?? false, csat: r[5]))
            }
        }
    }

    /// One row per team per day, or per week (Monday to Sunday, labelled by
    /// its Monday), within the filter's site, team and days; ordered by team
    /// and period; at most `filter.limit`.
    public func teamPeriodRows(_ filter: ProjectionQuery.Filter, byWeek: Bool) throws -> [TeamPeriodRow] {
        try db.read { try teamPeriodRows($0, filter, byWeek: byWeek) }
    }

    func teamPeriodRows(_ db: Database, _ f: ProjectionQuery.Filter, byWeek: Bool) throws -> [TeamPeriodRow] {
        let (w, args) = whereClause(f, site: "d.site", team: "a.team")
        let period = byWeek ? "((d.day + 3) / 7) * 7 - 3" : "d.day"
        return try Row.fetchAll(db, sql: """
            SELECT a.team, MAX(d.site), \(period) AS period, COUNT(DISTINCT d.agent), SUM(handled), SUM(talk_ms + hold_ms + acw_ms),
                   SUM(transferred), SUM(repeated), SUM(closed), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied),
                   SUM(busy_ms), SUM(ready_ms), SUM(notready_ms)
            FROM agent_day d JOIN agent a ON a.agent = d.agent \(w)
            GROUP BY a.team, period ORDER BY a.team, period LIMIT \(max(0, f.limit))
            """, arguments: args).map { r in
            TeamPeriodRow(team: r[0], site: r[1], period: r[2], agents: r[3], handled: r[4], handleMs: r[5], transferred: r[6], repeated: r[7],
                          closed: r[8], fcrElapsed: r[9], fcrOK: r[10], surveys: r[11], satisfied: r[12], busyMs: r[13], readyMs: r[14],
                          notReadyMs: r[15])
        }
    }

    /// One row per team over the filter's days (and site, team), by team
    /// name, with the weekly FCR trend and stability; at most `filter.limit`.
    public func teamRangeRows(_ filter: ProjectionQuery.Filter) throws -> [TeamRow] {
        try db.read { try teamRangeRows($0, filter) }
    }

    func teamRangeRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [TeamRow] {
        var all = f
        all.limit = Int.max
        var byTeam: [String: [TeamPeriodRow]] = [:]
        for r in try teamPeriodRows(db, all, byWeek: true) { byTeam[r.team ?? "-", default: []].append(r) }
        let teams: [TeamRow] = byTeam.keys.sorted().map { team in
            let weeks = byTeam[team] ?? []
            func sum(_ k: KeyPath<TeamPeriodRow, Int64>) -> Int64 { weeks.reduce(0) { $0 + $1[keyPath: k] } }
            // Weekly FCR over week numbers, for the trend (least-squares slope) and stability (standard deviation).
            let weekly = weeks.compactMap { r -> (Double, Double)? in
                r.fcrElapsed > 0 ? (Double((r.period + 3) / 7), Double(r.fcrOK) / Double(r.fcrElapsed)) : nil
            }
            let (slope, sd) = Self.trend(weekly)
            let totals = TeamPeriodRow(team: team, site: weeks.first?.site, period: weeks.first?.period ?? 0, agents: weeks.map(\.agents).max() ?? 0,
                                       handled: sum(\.handled), handleMs: sum(\.handleMs), transferred: sum(\.transferred), repeated: sum(\.repeated),
                                       closed: sum(\.closed), fcrElapsed: sum(\.fcrElapsed), fcrOK: sum(\.fcrOK), surveys: sum(\.surveys),
                                       satisfied: sum(\.satisfied), busyMs: sum(\.busyMs), readyMs: sum(\.readyMs), notReadyMs: sum(\.notReadyMs))
            return TeamRow(team: team, site: weeks.first?.site ?? "", agents: totals.agents, totals: totals, weeks: Int64(weeks.count),
                           fcrTrendPerWeek: slope, fcrStability: sd)
        }
        return Array(teams.prefix(max(0, f.limit)))
    }

    /// One row per site with traffic in the filter's days, by site name.
    public func siteRows(_ filter: ProjectionQuery.Filter) throws -> [SiteRow] {
        try db.read { try siteRows($0, filter) }
    }

    func siteRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [SiteRow] {
        let (w, args) = whereClause(f)
        var work: [String: SiteRow.Work] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT site, SUM(closed), SUM(repeated), SUM(fcr_elapsed), SUM(fcr_ok), SUM(surveys), SUM(satisfied), SUM(busy_ms), SUM(ready_ms),
                   SUM(notready_ms), COUNT(DISTINCT agent)
            FROM agent_day \(w) GROUP BY site
            """, arguments: args) {
            work[r[0]] = SiteRow.Work(closed: r[1], repeated: r[2], fcrElapsed: r[3], fcrOK: r[4], surveys: r[5], satisfied: r[6],
                                      busyMs: r[7], readyMs: r[8], notReadyMs: r[9], agents: r[10])
        }
        // NPS from the contacts' survey answers (0–10), per site.
        var nps: [String: (Int64, Int64, Int64)] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT site, SUM(nps IS NOT NULL), SUM(nps >= 9), SUM(nps <= 6) FROM contact \(w) GROUP BY site
            """, arguments: args) { nps[r[0]] = (r[1] ?? 0, r[2] ?? 0, r[3] ?? 0) }
        var containment: [String: (Int64, Int64)] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT site, SUM(sessions), SUM(contained) FROM selfservice_day \(w) GROUP BY site",
                                  arguments: args) { containment[r[0]] = (r[1], r[2]) }
        return try Row.fetchAll(db, sql: """
            SELECT site, SUM(offered), SUM(answered), SUM(abandoned), SUM(short_abandoned), SUM(answered_in_sl), SUM(wait_ms_answered),
                   SUM(handled), SUM(handle_ms), SUM(refused)
            FROM interval_stat \(w) GROUP BY site ORDER BY site
            """, arguments: args).map { r in
            let site: String = r[0]
            return SiteRow(site: site, offered: r[1], answered: r[2], abandoned: r[3], shortAbandoned: r[4], answeredInSL: r[5],
                           waitMsAnswered: r[6], handled: r[7], handleMs: r[8], refused: r[9] ?? 0, work: work[site],
                           selfServiceSessions: containment[site]?.0, containedSessions: containment[site]?.1,
                           npsAnswers: nps[site]?.0, promoters: nps[site]?.1, detractors: nps[site]?.2)
        }
    }

    /// Customers with at least `minRepeats` repeats, most repeats first (then
    /// highest penalty, then key); at most `limit`.
    public func customerRows(minRepeats: Int, limit: Int) throws -> [CustomerRow] {
        try db.read { try customerRows($0, minRepeats: minRepeats, limit: limit) }
    }

    func customerRows(_ db: Database, minRepeats: Int, limit: Int) throws -> [CustomerRow] {
        try Row.fetchAll(db, sql: """
            SELECT customer, contacts, repeats, unresolved, channels, sites, first_at, last_at, surveys, satisfied, penalty
            FROM customer WHERE repeats >= ? ORDER BY repeats DESC, penalty DESC, customer LIMIT ?
            """, arguments: [minRepeats, limit]).map { r in
            func list(_ s: String?) -> [String] { (s ?? "").split(separator: ",").map(String.init) }
            return CustomerRow(customer: r[0], contacts: r[1], repeats: r[2], unresolved: r[3], channels: list(r[4]), sites: list(r[5]),
                               firstAt: r[6], lastAt: r[7], surveys: r[8], satisfied: r[9], penalty: r[10])
        }
    }

    /// A customer's contacts across channels and sites, oldest first.
    public func journeyRows(customer: String) throws -> [ContactRow] {
        try db.read { try journeyRows($0, customer: customer) }
    }

    func journeyRows(_ db: Database, customer: String) throws -> [ContactRow] {
        try Row.fetchAll(db, sql: Self.contactSelect + " WHERE customer = ? ORDER BY started_at, site, contact", arguments: [customer])
            .map(Self.contactRow)
    }

    /// Contacts within the filter (site, queue, agent, customer, outcome,
    /// route, reason, channel, days and the repeat filters), by start;
    /// at most `filter.limit` (at least one).
    public func contactRows(_ filter: ProjectionQuery.Filter) throws -> [ContactRow] {
        try db.read { try contactRows($0, filter) }
    }

    func contactRows(_ db: Database, _ f: ProjectionQuery.Filter) throws -> [ContactRow] {
        var (w, args) = whereClause(f, queue: "queue", agent: "agent")
        var extra: [String] = []
        if let c = f.customer { extra.append("customer = ?"); args += [c] }
        if let o = f.outcome { extra.append("outcome = ?"); args += [o] }
        // A contact transferred without a named route counts under route 'transfer' (as insights repeats ranks it).
        if let r = f.route { extra.append(r == "transfer" ? "(route = ? OR (route IS NULL AND transfers > 0))" : "route = ?"); args += [r] }
        if let r = f.reason { extra.append("reason = ?"); args += [r] }
        if let c = f.channel { extra.append("channel = ?"); args += [c] }
        if f.repeatsOnly { extra.append("repeat_of IS NOT NULL") }
        let window = f.windowMs ?? parameters.repeatWindowMs
        if f.repeatedOnly { extra.append(RepeatRule.repeatedSQL("contact", window: "?")); args += [window] }
        if f.countedOnly { extra.append("customer IS NOT NULL AND " + RepeatRule.windowClosedSQL("contact", window: "?", horizon: "?")); args += [window, horizon] }
        // The repeat itself: the customer's contact that started at next_start (the first by site and id when several did).
        let repeatOf = "(SELECT %@ FROM contact c2 WHERE c2.customer = contact.customer AND c2.started_at = contact.next_start ORDER BY c2.site, c2.contact LIMIT 1)"
        if let c = f.repeatedToChannel {
            extra.append(RepeatRule.repeatedSQL("contact", window: "?") + " AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.channel") + " = ?")
            args += [window, c]
        }
        if let site = f.repeatedAtSite {
            extra.append(RepeatRule.repeatedSQL("contact", window: "?") + " AND " + repeatOf.replacingOccurrences(of: "%@", with: "c2.site") + " = ?")
            args += [window, site]
        }
        if !extra.isEmpty { w += (w.isEmpty ? "WHERE " : " AND ") + extra.joined(separator: " AND ") }
        return try Row.fetchAll(db, sql: Self.contactSelect + " \(w) ORDER BY started_at, site, contact LIMIT \(max(1, f.limit))", arguments: args)
            .map(Self.contactRow)
    }

    static let contactSelect = """
        SELECT site, contact, channel, customer, reason, queue, agent, started_at, answered_at, ended_at, wait_ms, talk_ms, hold_ms,
               acw_ms, outcome, resolved, transfers, route, csat, nps, repeat_of, next_start FROM contact
        """

    static func contactRow(_ r: Row) -> ContactRow {
        ContactRow(site: r[0], contact: r[1], channel: r[2], customer: r[3], reason: r[4], queue: r[5], agent: r[6], startedAt: r[7],
                   answeredAt: r[8], endedAt: r[9], waitMs: r[10], talkMs: r[11], holdMs: r[12], acwMs: r[13], outcome: r[14],
                   resolved: r[15], transfers: r[16], route: r[17], csat: r[18], nps: r[19], repeatOf: r[20], nextStart: r[21])
    }

    /// Contacts per site, local day and category of each mix dimension
    /// (``MixCount``), between `fromDay` and `toDay`, at `site` or any site.
    public func mixCounts(fromDay: Int64, toDay: Int64, site: String?) throws -> [MixCount] {
        try db.read { db in
            let siteClause = site == nil ? "" : "AND site = :site"
            let route = "COALESCE(route, CASE WHEN transfers > 0 THEN 'transfer' ELSE 'direct' END)"
            return try Row.fetchAll(db, sql: """
                SELECT site, day, 'queue', queue, COUNT(*) FROM contact WHERE day BETWEEN :a AND :b AND queue IS NOT NULL \(siteClause) GROUP BY site, day, queue
                UNION ALL
                SELECT site, day, 'reason', reason, COUNT(*) FROM contact WHERE day BETWEEN :a AND :b AND reason IS NOT NULL \(siteClause) GROUP BY site, day, reason
                UNION ALL
                SELECT site, day, 'channel', channel, COUNT(*) FROM contact WHERE day BETWEEN :a AND :b AND channel IS NOT NULL \(siteClause) GROUP BY site, day, channel
                UNION ALL
                SELECT site, day, 'route', \(route), COUNT(*)
                FROM contact WHERE day BETWEEN :a AND :b AND agent IS NOT NULL \(siteClause) GROUP BY site, day, \(route)
                """, arguments: StatementArguments(["a": fromDay, "b": toDay, "site": site])).map { r in
                MixCount(site: r[0], day: r[1], dimension: r[2], category: r[3], contacts: r[4])
            }
        }
    }

    /// Calls `body` with every contact whose repeat outcome under `windowMs`
    /// is known (``CountedContactRow``) that started between `fromDay` and
    /// `toDay`, at `site` or any site, in (site, contact) order.
    public func forEachCountedContact(fromDay: Int64, toDay: Int64, windowMs: Int64, site: String?,
                                      _ body: (CountedContactRow) throws -> Void) throws {
        let repeated = RepeatRule.repeatedSQL("c", window: ":w"), closed = RepeatRule.windowClosedSQL("c", window: ":w", horizon: ":horizon")
        try db.read { db in
            // The repeat itself: the customer's contact that started at next_start (the first by site and id when several did).
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT c.site, c.contact, c.queue, c.reason, c.agent, c.route, c.transfers, c.channel, \(repeated) AS repeated,
                       CASE WHEN \(repeated) THEN
                         (SELECT c2.site || char(1) || COALESCE(c2.channel, '') FROM contact c2
                          WHERE c2.customer = c.customer AND c2.started_at = c.next_start ORDER BY c2.site, c2.contact LIMIT 1) END
                FROM contact c
                WHERE c.day BETWEEN :from AND :to AND c.customer IS NOT NULL AND \(closed)
                  \(site == nil ? "" : "AND c.site = :site")
                ORDER BY c.site, c.contact
                """, arguments: StatementArguments(["w": windowMs, "from": fromDay, "to": toDay, "horizon": horizon, "site": site]))
            while let r = try cursor.next() {
                let next = (r[9] as String?)?.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
                let nextChannel = next.flatMap { $0.count == 2 && !$0[1].isEmpty ? $0[1] : nil }
                try body(CountedContactRow(site: r[0], contact: r[1], queue: r[2], reason: r[3], agent: r[4], route: r[5], transfers: r[6] ?? 0,
                                           channel: r[7], repeated: r[8] ?? false, nextSite: next?.first, nextChannel: nextChannel))
            }
        }
    }
}
