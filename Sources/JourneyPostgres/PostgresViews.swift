import JourneyProjections
import Logging
import PostgresNIO

/// The views BI tools read (docs/postgresql.md lists their columns): names
/// instead of ids, local days as dates, instants as `timestamptz`, and the
/// KPI ratios of docs/kpi-definitions.md beside the counts they come from.
/// They hold no data and are recreated by every export, so they always read
/// the tables as this build defines them (the repeat rule is the engine's).
enum PostgresViews {

    static func date(_ column: String) -> String { "(DATE '1970-01-01' + \(column)::integer)" }
    static func instant(_ column: String) -> String { "to_timestamp(\(column) / 1000.0)" }
    static func name(_ column: String) -> String { "(SELECT name FROM dim_name WHERE id = \(column))" }
    static func ratio(_ a: String, _ b: String) -> String { "(\(a))::double precision / NULLIF(\(b), 0)" }

    static var sql: String {
        let repeated = RepeatRule.repeatedSQL("c", window: "p.repeat_window_ms")
        let closed = RepeatRule.windowClosedSQL("c", window: "p.repeat_window_ms", horizon: "p.horizon_ms")
        return """
            CREATE OR REPLACE VIEW bi_parameters AS
              SELECT (SELECT value::bigint FROM journey_meta WHERE key = 'repeat_window_ms') AS repeat_window_ms,
                     (SELECT value::bigint FROM journey_meta WHERE key = 'horizon') AS horizon_ms,
                     \(instant("(SELECT value::bigint FROM journey_meta WHERE key = 'horizon')")) AS horizon,
                     (SELECT string_agg(origin || '=' || last_seq, ',' ORDER BY origin) FROM journey_checkpoint) AS positions;

            CREATE OR REPLACE VIEW bi_intervals AS
              SELECT \(name("i.site_id")) AS site, \(name("i.queue_id")) AS queue, \(instant("i.interval_start")) AS interval_start,
                     \(date("i.day")) AS day, i.offered, i.answered, i.abandoned, i.short_abandoned, i.refused, i.answered_in_sl,
                     i.wait_ms_answered, i.handled, i.handle_ms, i.logged_agents, i.ready_agents,
                     \(ratio("i.answered_in_sl", "i.answered + i.abandoned")) AS service_level,
                     \(ratio("i.wait_ms_answered", "i.answered")) / 1000.0 AS asa_seconds,
                     \(ratio("i.abandoned", "i.offered - i.short_abandoned")) AS abandon_rate,
                     \(ratio("i.handle_ms", "i.handled")) / 1000.0 AS aht_seconds
              FROM interval_stat i;

            CREATE OR REPLACE VIEW bi_site_days AS
              SELECT \(name("t.site_id")) AS site, \(date("t.day")) AS day, t.offered, t.answered, t.abandoned, t.short_abandoned,
                     t.refused, t.answered_in_sl, t.wait_ms_answered, t.handled, t.handle_ms,
                     COALESCE(k.contacts, 0) AS contacts, COALESCE(k.repeats, 0) AS repeats,
                     COALESCE(s.sessions, 0) AS selfservice_sessions, COALESCE(s.contained, 0) AS contained_sessions,
                     \(ratio("t.answered_in_sl", "t.answered + t.abandoned")) AS service_level,
                     \(ratio("t.wait_ms_answered", "t.answered")) / 1000.0 AS asa_seconds,
                     \(ratio("t.abandoned", "t.offered - t.short_abandoned")) AS abandon_rate,
                     \(ratio("t.handle_ms", "t.handled")) / 1000.0 AS aht_seconds,
                     \(ratio("s.contained", "s.sessions")) AS containment
              FROM (SELECT site_id, day, SUM(offered) AS offered, SUM(answered) AS answered, SUM(abandoned) AS abandoned,
                           SUM(short_abandoned) AS short_abandoned, SUM(refused) AS refused, SUM(answered_in_sl) AS answered_in_sl,
                           SUM(wait_ms_answered) AS wait_ms_answered, SUM(handled) AS handled, SUM(handle_ms) AS handle_ms
                    FROM interval_stat GROUP BY site_id, day) t
              LEFT JOIN (SELECT site_id, day, COUNT(*) AS contacts, COUNT(repeat_of) AS repeats
                         FROM contact WHERE day IS NOT NULL GROUP BY site_id, day) k ON k.site_id = t.site_id AND k.day = t.day
              LEFT JOIN selfservice_day s ON s.site_id = t.site_id AND s.day = t.day;

            CREATE OR REPLACE VIEW bi_agent_days AS
              SELECT \(name("d.agent_id")) AS agent, \(date("d.day")) AS day, \(name("d.site_id")) AS site, \(name("a.team_id")) AS team,
                     d.handled, d.talk_ms, d.hold_ms, d.acw_ms, d.transferred, d.resolved, d.closed, d.repeated, d.fcr_elapsed, d.fcr_ok,
                     d.surveys, d.satisfied, d.logged_ms, d.ready_ms, d.busy_ms, d.notready_ms, d.missed,
                     \(ratio("d.talk_ms + d.hold_ms + d.acw_ms", "d.handled")) / 1000.0 AS aht_seconds,
                     \(ratio("d.fcr_ok", "d.fcr_elapsed")) AS fcr,
                     \(ratio("d.repeated", "d.closed")) AS repeat_rate,
                     \(ratio("d.satisfied", "d.surveys")) AS csat,
                     CASE WHEN d.ready_ms + d.notready_ms > 0 THEN \(ratio("d.busy_ms", "d.busy_ms + d.ready_ms")) END AS occupancy
              FROM agent_day d LEFT JOIN agent a ON a.agent_id = d.agent_id;

            CREATE OR REPLACE VIEW bi_team_weeks AS
              SELECT \(name("a.team_id")) AS team, date_trunc('week', \(date("d.day")))::date AS week,
                     SUM(d.handled) AS handled, SUM(d.transferred) AS transferred, SUM(d.closed) AS closed, SUM(d.repeated) AS repeated,
                     SUM(d.fcr_elapsed) AS fcr_elapsed, SUM(d.fcr_ok) AS fcr_ok, SUM(d.surveys) AS surveys, SUM(d.satisfied) AS satisfied,
                     SUM(d.talk_ms + d.hold_ms + d.acw_ms) AS handle_ms, SUM(d.busy_ms) AS busy_ms, SUM(d.ready_ms) AS ready_ms,
                     SUM(d.notready_ms) AS notready_ms,
                     \(ratio("SUM(d.fcr_ok)", "SUM(d.fcr_elapsed)")) AS fcr,
                     \(ratio("SUM(d.satisfied)", "SUM(d.surveys)")) AS csat
              FROM agent_day d JOIN agent a ON a.agent_id = d.agent_id
              WHERE a.team_id IS NOT NULL
              GROUP BY a.team_id, date_trunc('week', \(date("d.day")));

            CREATE OR REPLACE VIEW bi_contacts AS
              SELECT \(name("c.site_id")) AS site, c.contact, \(name("c.channel_id")) AS channel, c.customer, c.reason,
                     \(name("c.queue_id")) AS queue, \(name("c.agent_id")) AS agent, \(instant("c.started_at")) AS started_at,
                     \(instant("c.answered_at")) AS answered_at, \(instant("c.ended_at")) AS ended_at, \(date("c.day")) AS day,
                     c.wait_ms, c.talk_ms, c.hold_ms, c.acw_ms, c.outcome, c.resolved, c.transfers, c.route, c.csat, c.nps,
                     c.repeat_of, \(instant("c.next_start")) AS next_start,
                     CASE WHEN \(closed) THEN \(repeated) END AS repeated
              FROM contact c CROSS JOIN bi_parameters p;

            CREATE OR REPLACE VIEW bi_journeys AS
              SELECT c.customer, row_number() OVER (PARTITION BY c.customer ORDER BY c.started_at, c.site_id, c.contact) AS step,
                     \(name("c.site_id")) AS site, c.contact, \(name("c.channel_id")) AS channel, c.reason, \(name("c.agent_id")) AS agent,
                     \(instant("c.started_at")) AS started_at, \(instant("c.ended_at")) AS ended_at, c.outcome, c.resolved, c.repeat_of
              FROM contact c WHERE c.customer IS NOT NULL;

            CREATE OR REPLACE VIEW bi_repeat_causes AS
              SELECT \(name("x.site_id")) AS site, \(date("x.day")) AS day, x.dimension, x.value,
                     COUNT(*) AS contacts, COUNT(*) FILTER (WHERE x.repeated) AS repeated,
                     \(ratio("COUNT(*) FILTER (WHERE x.repeated)", "COUNT(*)")) AS repeat_rate
              FROM (SELECT c.site_id, c.day, v.dimension, v.value, \(repeated) AS repeated
                    FROM contact c CROSS JOIN bi_parameters p
                    CROSS JOIN LATERAL (VALUES ('queue', \(name("c.queue_id"))), ('reason', c.reason),
                                               ('channel', \(name("c.channel_id"))), ('agent', \(name("c.agent_id")))) AS v(dimension, value)
                    WHERE c.customer IS NOT NULL AND \(closed) AND v.value IS NOT NULL) x
              GROUP BY x.site_id, x.day, x.dimension, x.value;
            """
    }

    /// The views BI tools may read (what the read-only role is granted).
    static let names = ["bi_parameters", "bi_intervals", "bi_site_days", "bi_agent_days", "bi_team_weeks", "bi_contacts",
                        "bi_journeys", "bi_repeat_causes"]

    /// The read views `journey query --db postgres://…` runs its SQL on, in
    /// schema `journey_read`: each projection table with the node's own
    /// table and column names (names instead of ids; text is stored in byte
    /// order, SQLite's), so the typed query API's SQL runs here unchanged.
    static var readSQL: String {
        var sql = "CREATE SCHEMA IF NOT EXISTS journey_read;\n"
        for table in PostgresTable.all {
            var joins: [String] = []
            let columns = zip(table.source.columns, table.columns).map { sqlite, pg -> String in
                if PostgresTable.internedColumns.contains(sqlite) {
                    joins.append("LEFT JOIN public.dim_name n_\(sqlite) ON n_\(sqlite).id = t.\(pg)")
                    return "n_\(sqlite).name AS \(sqlite)"
                }
                return "t.\(pg)"
            }
            sql += "CREATE OR REPLACE VIEW journey_read.\(table.name) AS SELECT \(columns.joined(separator: ", ")) FROM public.\(table.name) t "
                + joins.joined(separator: " ") + ";\n"
        }
        return sql
    }

    /// Recreates the views.
    static func refresh(_ connection: PostgresConnection, logger: Logger) async throws {
        try await PostgresSchema.transaction(connection, logger) { c in
            try await PostgresSchema.run(c, "SELECT pg_advisory_xact_lock(\(PostgresSchema.writerLock))", logger)
            try await PostgresSchema.run(c, sql, logger)
            try await PostgresSchema.run(c, readSQL, logger)
        }
    }
}
