import GRDB
import JourneyModel

/// The typed query API: each view's rows as Swift values, read by the CLI's
/// `journey query`, the insights, the benchmarks and the tests alike. The
/// SQL lives in ``ProjectionReads`` (shared with a PostgreSQL projection);
/// these run it on this file.
extension ProjectionEngine {
    /// The reads of this projection (its parameters and horizon).
    public var reads: ProjectionReads { ProjectionReads(parameters: parameters, horizon: horizon) }

    /// Runs a read on this file, in one read transaction.
    public func read<T>(_ r: ProjectionRead<T>) throws -> T { try db.read { try r.run($0) } }

    /// Interval rows within the filter's site, queue and days, ordered by
    /// site, queue and interval start; at most `filter.limit`.
    public func intervalRows(_ filter: ProjectionQuery.Filter) throws -> [IntervalRow] { try read(reads.intervals(filter)) }

    /// Agent-day rows within the filter's site, team, agent and days, ordered
    /// by agent and day; at most `filter.limit`.
    public func agentDayRows(_ filter: ProjectionQuery.Filter) throws -> [AgentDayRow] { try read(reads.agentDays(filter)) }

    /// Contacts per site and local day of their start, with the repeats among
    /// them, within the filter's site and days; ordered by site and day.
    public func contactDayRows(_ filter: ProjectionQuery.Filter) throws -> [ContactDayRow] { try read(reads.contactDays(filter)) }

    /// One row per agent over the filter's days (and site, team, agent), by
    /// agent name; every agent with a day in the range.
    public func agentRangeRows(_ filter: ProjectionQuery.Filter) throws -> [AgentRow] { try read(reads.agentRange(filter)) }

    /// One row per team per day, or per week (Monday to Sunday, labelled by
    /// its Monday), within the filter's site, team and days; ordered by team
    /// and period; at most `filter.limit`.
    public func teamPeriodRows(_ filter: ProjectionQuery.Filter, byWeek: Bool) throws -> [TeamPeriodRow] {
        try read(reads.teamPeriods(filter, byWeek: byWeek))
    }

    /// One row per team over the filter's days (and site, team), by team
    /// name, with the weekly FCR trend and stability; at most `filter.limit`.
    public func teamRangeRows(_ filter: ProjectionQuery.Filter) throws -> [TeamRow] { try read(reads.teamRange(filter)) }

    /// One row per site with traffic in the filter's days, by site name.
    public func siteRows(_ filter: ProjectionQuery.Filter) throws -> [SiteRow] { try read(reads.sites(filter)) }

    /// Customers with at least `minRepeats` repeats, most repeats first (then
    /// highest penalty, then key); at most `limit`.
    public func customerRows(minRepeats: Int, limit: Int) throws -> [CustomerRow] {
        try read(reads.customers(minRepeats: minRepeats, limit: limit))
    }

    /// A customer's contacts across channels and sites, oldest first.
    public func journeyRows(customer: String) throws -> [ContactRow] { try read(reads.journey(customer: customer)) }

    /// Contacts within the filter (site, queue, agent, customer, outcome,
    /// route, reason, channel, days and the repeat filters), by start;
    /// at most `filter.limit` (at least one).
    public func contactRows(_ filter: ProjectionQuery.Filter) throws -> [ContactRow] { try read(reads.contacts(filter)) }

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

    /// Coaching sessions recorded per agent (`coaching.scheduled` actions), by the agent id's bytes.
    public func coachingSessions() throws -> [ByteKey: Int] {
        try db.read { db in
            var out: [ByteKey: Int] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT agent, COUNT(*) FROM action WHERE kind = 'coaching.scheduled' AND agent IS NOT NULL GROUP BY agent
                """) { out[ByteKey(r[0])] = r[1] }
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
