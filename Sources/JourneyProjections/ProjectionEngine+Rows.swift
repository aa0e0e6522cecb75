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
            let (w, args) = where_(filter)
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
        let (w, args) = where_(f, queue: "queue")
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
        let (w, args) = where_(f, team: "team", agent: "agent")
        return try Row.fetchAll(db, sql: """
            SELECT agent, day, site, team, handled, talk_ms, hold_ms, acw_ms, transferred, resolved, closed, repeated,
                   fcr_elapsed, fcr_ok, surveys, satisfied, logged_ms, ready_ms, busy_ms, notready_ms, missed
            FROM agent_day \(w) ORDER BY agent, day LIMIT \(max(0, f.limit))
            """, arguments: args).map { r in
            AgentDayRow(agent: r[0], day: r[1], site: r[2], team: r[3], handled: r[4], talkMs: r[5], holdMs: r[6], acwMs: r[7],
                        transferred: r[8], resolved: r[9], closed: r[10], repeated: r[11], fcrElapsed: r[12], fcrOK: r[13],
                        surveys: r[14], satisfied: r[15], loggedMs: r[16], readyMs: r[17], busyMs: r[18], notReadyMs: r[19], missed: r[20])
        }
    }
}
