import GRDB
import JourneyModel

extension ProjectionEngine {
    /// Recomputes the derived rows of every dirty customer and day, then
    /// empties the dirty sets, in one transaction. The same SQL serves a
    /// catch-up (a few keys) and a rebuild (all keys).
    func derive() throws {
        let started = monotonicSeconds()
        defer { timings["derive", default: 0] += monotonicSeconds() - started }
        try db.write { db in
            // After a bulk rebuild every key is dirty: no filter at all.
            let all = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dirty_all'") == "1"
            let days = all ? "1" : "day IN (SELECT day FROM dirty_day)"
            let visitDays = all ? "1" : "v.day IN (SELECT day FROM dirty_day)"
            // Repeats and customer rows, per dirty customer (marks their contacts' days dirty).
            if derivation == .all { try deriveCustomers(db, all: all) }

            var mark = monotonicSeconds()
            func phase(_ name: String) {
                let now = monotonicSeconds()
                timings["derive." + name, default: 0] += now - mark
                mark = now
            }
            if !all { derivedDays += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dirty_day") ?? 0 }
            // Agent days: handled visits joined to their contact for FCR, plus the agent's time.
            if derivation == .all {
                try db.execute(sql: "DELETE FROM agent_day WHERE \(days)")
                let (sql, arguments) = agentDaySelect(visitDays: visitDays, days: days)
                try db.execute(sql: "INSERT INTO agent_day \(Self.agentDayColumns) \(sql)", arguments: arguments)
            }
            phase("agentDays")
            try deriveIntervals(db, days: days, all: all)
            mark = monotonicSeconds()
            // Self-service containment: sessions on app/web/IVR (or any self-served contact) with no
            // assisted contact by the customer within the containment window after the session ended.
            guard derivation == .all else {
                // Only the staffing inputs were derived: the rest stays to derive, should a full engine open this file.
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('dirty_all', '1')")
                return
            }
            try db.execute(sql: "DELETE FROM selfservice_day WHERE \(days)")
            let (selfServed, selfArguments) = selfServiceSelect(days: days)
            try db.execute(sql: "INSERT INTO selfservice_day \(Self.selfServiceColumns) \(selfServed)", arguments: selfArguments)
            phase("selfService")
            if !all, try ExportJournal.isEnabled(db) {
                try db.execute(sql: "INSERT OR IGNORE INTO export_day (day) SELECT day FROM dirty_day")
            }
            try db.execute(sql: "DELETE FROM dirty_day")
            try db.execute(sql: "DELETE FROM meta WHERE key = 'dirty_all'")
        }
    }

    /// The columns of an agent-day row, in ``agentDaySelect(visitDays:days:)``'s order.
    static let agentDayColumns = """
        (agent, day, site, team, handled, talk_ms, hold_ms, acw_ms, transferred, resolved, closed,
         repeated, fcr_elapsed, fcr_ok, surveys, satisfied, logged_ms, ready_ms, busy_ms, notready_ms, missed)
        """

    /// The agent-day rows of the days `visitDays` and `days` select (SQL
    /// conditions on the visit `v` and on agent time): handled visits joined
    /// to their contact for FCR, plus the agent's time. Reads the contacts'
    /// links, so it runs after the customers are derived.
    func agentDaySelect(visitDays: String, days: String) -> (sql: String, arguments: StatementArguments) {
        let w = parameters.repeatWindowMs
        return ("""
            SELECT x.agent, x.day, MAX(x.site), (SELECT team FROM agent a WHERE a.agent = x.agent),
                   TOTAL(handled), TOTAL(talk), TOTAL(hold), TOTAL(acw), TOTAL(transferred), TOTAL(resolved), TOTAL(closed),
                   TOTAL(repeated), TOTAL(elapsed), TOTAL(elapsed AND NOT repeated), TOTAL(surveys), TOTAL(satisfied),
                   TOTAL(logged), TOTAL(ready), TOTAL(busy), TOTAL(notready), TOTAL(missed)
            FROM (
              SELECT v.agent AS agent, v.day AS day, v.site AS site, 1 AS handled,
                     MIN(:dmax, MAX(0, COALESCE(v.ended_at, v.answered_at) - v.answered_at - v.hold_ms)) AS talk, v.hold_ms AS hold,
                     COALESCE(v.acw_ms, 0) AS acw, v.transferred AS transferred, COALESCE(v.resolved, 0) AS resolved,
                     (v.transferred = 0 AND v.ended_at IS NOT NULL) AS closed,
                     (v.transferred = 0 AND \(RepeatRule.repeatedSQL("c", window: ":w"))) AS repeated,
                     (v.transferred = 0 AND \(RepeatRule.windowClosedSQL("c", window: ":w", horizon: ":horizon"))) AS elapsed,
                     (v.transferred = 0 AND c.csat IS NOT NULL) AS surveys, (v.transferred = 0 AND c.csat >= 4) AS satisfied,
                     0 AS logged, 0 AS ready, 0 AS busy, 0 AS notready, 0 AS missed
              FROM visit v JOIN contact c ON c.site = v.site AND c.contact = v.contact
              WHERE v.answered_at IS NOT NULL AND v.agent IS NOT NULL AND \(visitDays)
              UNION ALL
              SELECT agent, day, site, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, logged_ms, ready_ms, busy_ms, notready_ms, missed
              FROM agent_time WHERE \(days)
            ) x GROUP BY x.agent, x.day
            """, ["w": w, "horizon": horizon, "dmax": Limits.durationMsMax])
    }

    /// The columns of a self-service row, in ``selfServiceSelect(days:)``'s order.
    static let selfServiceColumns = "(site, day, sessions, contained)"

    /// Self-service containment of the days `days` selects: sessions on
    /// app/web/IVR (or any self-served contact) with no assisted contact by
    /// the customer within the containment window after the session ended.
    /// Reads the contacts' next starts, so it runs after the customers are derived.
    func selfServiceSelect(days: String) -> (sql: String, arguments: StatementArguments) {
        ("""
            SELECT site, day, COUNT(*), TOTAL(outcome = 'selfserved' AND (next_start IS NULL OR next_start > ended_at + :window))
            FROM contact WHERE \(days) AND day IS NOT NULL AND (channel IN ('app', 'web', 'ivr') OR outcome = 'selfserved')
            GROUP BY site, day
            """, ["window": Int64(parameters.containmentWindowHours) * 3_600_000])
    }

    /// Site × queue × interval rows of the days `days` selects (`all`: every
    /// day), each visit counted in the interval it entered the queue, then
    /// the agents staffed in each. Reads visits and agent time, not the
    /// contacts' links.
    func deriveIntervals(_ db: Database, days: String, all: Bool) throws {
        let sl = Int64(parameters.serviceLevelSeconds) * 1000
        let short = Int64(parameters.shortAbandonSeconds) * 1000
        var mark = monotonicSeconds()
        func phase(_ name: String) {
            let now = monotonicSeconds()
            timings["derive." + name, default: 0] += now - mark
            mark = now
        }
        try db.execute(sql: "DELETE FROM interval_stat WHERE \(days)")
        try db.execute(sql: """
            INSERT INTO interval_stat (site, queue, interval_start, day, offered, answered, abandoned, short_abandoned,
                                       answered_in_sl, wait_ms_answered, handled, handle_ms, refused)
            SELECT site, queue, interval_start, day, TOTAL(NOT refused),
                   TOTAL(answered_at IS NOT NULL),
                   TOTAL(answered_at IS NULL AND abandoned_at IS NOT NULL AND wait_ms >= :short),
                   TOTAL(answered_at IS NULL AND abandoned_at IS NOT NULL AND wait_ms < :short),
                   TOTAL(answered_at IS NOT NULL AND wait_ms <= :sl),
                   TOTAL(CASE WHEN answered_at IS NOT NULL THEN wait_ms ELSE 0 END),
                   TOTAL(answered_at IS NOT NULL AND ended_at IS NOT NULL),
                   TOTAL(CASE WHEN answered_at IS NOT NULL AND ended_at IS NOT NULL THEN MIN(:dmax, MAX(0, ended_at - answered_at)) + COALESCE(acw_ms, 0) ELSE 0 END),
                   TOTAL(refused)
            FROM visit WHERE \(days) GROUP BY site, queue, interval_start
            """, arguments: ["short": short, "sl": sl, "dmax": Limits.durationMsMax])
        phase("intervals")
        // A catch-up reads only the agent time of the intervals it derives again, through the
        // by-day index: their days and the days either side (an interval's agent time and its
        // visits are days of the same local calendar, so within a day of each other at most).
        let staffedCatchUpFilter = """
            WHERE t.day IN (SELECT day FROM dirty_day UNION SELECT day - 1 FROM dirty_day UNION SELECT day + 1 FROM dirty_day)
              AND t.interval_start IN (SELECT interval_start FROM interval_stat WHERE \(days))
            """
        // Staffed agents per site, queue and interval: the agents' time joined to their skills once,
        // grouped, instead of a subquery per interval row that walked every agent's skills (1.8 s of
        // a 4.35M-event rebuild). Rows with no staffed time keep the 0 they were inserted with.
        try db.execute(sql: """
            UPDATE interval_stat SET logged_agents = staffed.logged * 1.0 / :len, ready_agents = staffed.ready * 1.0 / :len
            FROM (SELECT t.site AS site, s.queue AS queue, t.interval_start AS interval_start,
                         TOTAL(t.logged_ms) AS logged, TOTAL(t.ready_ms) AS ready
                  FROM agent_time t JOIN agent_skill s ON s.agent = t.agent
                  \(all ? "" : staffedCatchUpFilter)
                  GROUP BY t.site, s.queue, t.interval_start) AS staffed
            WHERE staffed.site = interval_stat.site AND staffed.queue = interval_stat.queue
              AND staffed.interval_start = interval_stat.interval_start AND \(days)
            """, arguments: ["len": parameters.intervalMs])
        phase("staffedAgents")
    }
}
