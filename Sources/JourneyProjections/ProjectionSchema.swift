import GRDB

/// The SQLite schema of the projections, as migrations. A migration is never
/// edited once shipped: a change is a new migration (and the projection can
/// always be rebuilt from the log anyway).
enum ProjectionSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                -- Per origin, the last seq applied: written in the same transaction as the rows it produced.
                CREATE TABLE checkpoint (origin TEXT PRIMARY KEY, last_seq INTEGER NOT NULL CHECK (last_seq >= 0));

                -- One row per contact (one customer interaction on one channel).
                CREATE TABLE contact (
                  site TEXT NOT NULL, contact TEXT NOT NULL,
                  channel TEXT, customer TEXT, reason TEXT,
                  queue TEXT, agent TEXT,
                  started_at INTEGER, queued_at INTEGER, answered_at INTEGER, ended_at INTEGER,
                  wait_ms INTEGER, talk_ms INTEGER, hold_ms INTEGER, acw_ms INTEGER,
                  outcome TEXT NOT NULL DEFAULT 'open'
                    CHECK (outcome IN ('open','selfserved','answered','abandoned','short-abandon','transferred','ended')),
                  selfserved INTEGER NOT NULL DEFAULT 0,
                  transfers INTEGER NOT NULL DEFAULT 0,
                  resolved INTEGER, csat INTEGER CHECK (csat BETWEEN 1 AND 5), nps INTEGER CHECK (nps BETWEEN 0 AND 10),
                  route TEXT,
                  day INTEGER,
                  -- Derived from the customer's other contacts:
                  repeat_of TEXT, next_start INTEGER,
                  PRIMARY KEY (site, contact)) WITHOUT ROWID;

                -- One row per queue visit (a contact enters a queue; a transfer makes another visit).
                CREATE TABLE visit (
                  site TEXT NOT NULL, contact TEXT NOT NULL, n INTEGER NOT NULL,
                  queue TEXT NOT NULL, channel TEXT, entered_at INTEGER NOT NULL, interval_start INTEGER NOT NULL, day INTEGER NOT NULL,
                  answered_at INTEGER, abandoned_at INTEGER, wait_ms INTEGER,
                  agent TEXT, ended_at INTEGER, hold_ms INTEGER NOT NULL DEFAULT 0, held_since INTEGER, acw_ms INTEGER,
                  transferred INTEGER NOT NULL DEFAULT 0, resolved INTEGER, route TEXT, missed INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY (site, contact, n)) WITHOUT ROWID;

                -- Agents as the workforce events describe them; state is the in-progress timeline.
                CREATE TABLE agent (
                  agent TEXT PRIMARY KEY, site TEXT, team TEXT, skills TEXT, hired_at TEXT,
                  state TEXT NOT NULL DEFAULT 'offline', state_since INTEGER) WITHOUT ROWID;
                CREATE TABLE agent_skill (agent TEXT NOT NULL, queue TEXT NOT NULL, PRIMARY KEY (agent, queue)) WITHOUT ROWID;
                -- Milliseconds per agent per interval in each state.
                CREATE TABLE agent_time (
                  agent TEXT NOT NULL, site TEXT NOT NULL, interval_start INTEGER NOT NULL, day INTEGER NOT NULL,
                  logged_ms INTEGER NOT NULL DEFAULT 0, ready_ms INTEGER NOT NULL DEFAULT 0,
                  busy_ms INTEGER NOT NULL DEFAULT 0, notready_ms INTEGER NOT NULL DEFAULT 0, missed INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY (agent, interval_start)) WITHOUT ROWID;

                -- Actions the system recorded (coaching, staffing plans, lending).
                CREATE TABLE action (origin TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,
                  agent TEXT, data TEXT NOT NULL, PRIMARY KEY (origin, seq)) WITHOUT ROWID;

                -- Derived, recomputed for dirty days or customers:
                CREATE TABLE agent_day (
                  agent TEXT NOT NULL, day INTEGER NOT NULL, site TEXT, team TEXT,
                  handled INTEGER NOT NULL, talk_ms INTEGER NOT NULL, hold_ms INTEGER NOT NULL, acw_ms INTEGER NOT NULL,
                  transferred INTEGER NOT NULL, resolved INTEGER NOT NULL, closed INTEGER NOT NULL,
                  repeated INTEGER NOT NULL, fcr_elapsed INTEGER NOT NULL, fcr_ok INTEGER NOT NULL,
                  surveys INTEGER NOT NULL, satisfied INTEGER NOT NULL,
                  logged_ms INTEGER NOT NULL, ready_ms INTEGER NOT NULL, busy_ms INTEGER NOT NULL, notready_ms INTEGER NOT NULL,
                  missed INTEGER NOT NULL,
                  PRIMARY KEY (agent, day)) WITHOUT ROWID;
                CREATE TABLE interval_stat (
                  site TEXT NOT NULL, queue TEXT NOT NULL, interval_start INTEGER NOT NULL, day INTEGER NOT NULL,
                  offered INTEGER NOT NULL, answered INTEGER NOT NULL, abandoned INTEGER NOT NULL, short_abandoned INTEGER NOT NULL,
                  answered_in_sl INTEGER NOT NULL, wait_ms_answered INTEGER NOT NULL,
                  handled INTEGER NOT NULL, handle_ms INTEGER NOT NULL,
                  logged_agents REAL NOT NULL DEFAULT 0, ready_agents REAL NOT NULL DEFAULT 0,
                  PRIMARY KEY (site, queue, interval_start)) WITHOUT ROWID;
                CREATE TABLE customer (
                  customer TEXT PRIMARY KEY, contacts INTEGER NOT NULL, repeats INTEGER NOT NULL, unresolved INTEGER NOT NULL,
                  channels TEXT NOT NULL, sites TEXT NOT NULL, first_at INTEGER, last_at INTEGER,
                  surveys INTEGER NOT NULL, satisfied INTEGER NOT NULL,
                  -- The health penalty before recency (docs/kpi-definitions.md); health = 100 - penalty x recency.
                  penalty REAL NOT NULL) WITHOUT ROWID;
                -- Self-service sessions per site and day, and those contained (no assisted contact within the window).
                CREATE TABLE selfservice_day (site TEXT NOT NULL, day INTEGER NOT NULL, sessions INTEGER NOT NULL, contained INTEGER NOT NULL,
                  PRIMARY KEY (site, day)) WITHOUT ROWID;
                -- Keys whose derived rows are out of date; filled with the base rows, emptied by derivation.
                CREATE TABLE dirty_day (day INTEGER PRIMARY KEY);
                CREATE TABLE dirty_customer (customer TEXT PRIMARY KEY) WITHOUT ROWID;
                """)
            for sql in v1SecondaryIndexes { try db.execute(sql: sql) }
        }
        // v2: refused calls (a `refused` outcome, refused visits, a `refused` count per interval) and
        // the sites' time zones. Every row depends on both, so the projection is emptied and rebuilt
        // from the log by the next catch-up (its checkpoints go with it).
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                DROP TABLE contact;
                CREATE TABLE contact (
                  site TEXT NOT NULL, contact TEXT NOT NULL,
                  channel TEXT, customer TEXT, reason TEXT,
                  queue TEXT, agent TEXT,
                  started_at INTEGER, queued_at INTEGER, answered_at INTEGER, ended_at INTEGER,
                  wait_ms INTEGER, talk_ms INTEGER, hold_ms INTEGER, acw_ms INTEGER,
                  outcome TEXT NOT NULL DEFAULT 'open'
                    CHECK (outcome IN ('open','selfserved','answered','abandoned','short-abandon','transferred','ended','refused')),
                  selfserved INTEGER NOT NULL DEFAULT 0,
                  transfers INTEGER NOT NULL DEFAULT 0,
                  resolved INTEGER, csat INTEGER CHECK (csat BETWEEN 1 AND 5), nps INTEGER CHECK (nps BETWEEN 0 AND 10),
                  route TEXT,
                  day INTEGER,
                  repeat_of TEXT, next_start INTEGER,
                  PRIMARY KEY (site, contact)) WITHOUT ROWID;
                -- A visit the queue refused (full, no agents, closed): not offered, counted in interval_stat.refused.
                ALTER TABLE visit ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
                -- A visit made from an answer or abandon whose queue entry had not arrived yet.
                ALTER TABLE visit ADD COLUMN inferred_entry INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE interval_stat ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
                -- Each site's time zones from its site.configured events (kept across rebuilds: see SiteCalendar).
                CREATE TABLE site_zone (site TEXT NOT NULL, from_ms INTEGER NOT NULL, zone TEXT NOT NULL,
                  PRIMARY KEY (site, from_ms)) WITHOUT ROWID;
                """)
            try emptyForRebuild(db)
            for sql in v1SecondaryIndexes where sql.contains(" ON contact ") { try db.execute(sql: sql) }
        }
        // v3: a contact counts in FCR only once its repeat window has closed, repeated or not
        // (before, a repeat settled it at once, which pulled the newest days' FCR down). The
        // tables are unchanged; their rows are emptied and rebuilt from the log.
        m.registerMigration("v3") { db in
            try emptyForRebuild(db)
        }
        // v4: the export journal. Once a PostgreSQL projection is attached to this file
        // (`journey project`), every catch-up records here, in the same transaction as
        // the rows, which keys it changed; the exporter copies those keys' rows and
        // empties the journal after PostgreSQL committed them. Empty otherwise.
        m.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE export_contact (site TEXT NOT NULL, contact TEXT NOT NULL, PRIMARY KEY (site, contact)) WITHOUT ROWID;
                CREATE TABLE export_day (day INTEGER PRIMARY KEY);
                CREATE TABLE export_customer (customer TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE export_action (origin TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (origin, seq)) WITHOUT ROWID;
                """)
        }
        // v5: the surveyed contacts (NPS answered, about one in eight) indexed by site and day, so a
        // whole-history site row reads them alone instead of every contact (264 ms at 10M events).
        m.registerMigration("v5") { db in
            for sql in v5SecondaryIndexes { try db.execute(sql: sql) }
        }
        // v6: the customer index holds every column the derivation of repeats reads, so a full
        // derivation walks the customers' contacts from the index in order instead of sorting the
        // whole contact table again (on a 4.35M-event store: 4.75 s sorted, 0.56 s from the index,
        // which takes 1.68 s to build against 1.57 s for the index it replaces). Rows are kept.
        m.registerMigration("v6") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS contact_by_customer")
            for sql in v6SecondaryIndexes { try db.execute(sql: sql) }
        }
        // v7: no query reads visits by agent (an agent's figures come from agent_day, a day's
        // visits through visit_by_day), so v1's visit_by_agent only cost its upkeep: 1.0 s of a
        // 4.35M-event rebuild's index phase, and a write per visit in every catch-up. Rows are kept.
        m.registerMigration("v7") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS \(droppedByV7)")
        }
        // v8: the contact table checks `outcome` by comparisons instead of an IN list. SQLite builds
        // an IN list's lookup table (a small B-tree) again each time a statement runs, so every
        // contact row written built one (a 4.35M-event rebuild: CPU 0.870 with comparisons instead). The
        // same values are allowed, the most frequent compared first. SQLite cannot alter a CHECK:
        // the table is copied into one declared anew, its rows and its indexes kept.
        m.registerMigration("v8") { db in
            let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact' AND sql IS NOT NULL")
            try db.execute(sql: """
                CREATE TABLE contact_v8 (
                  site TEXT NOT NULL, contact TEXT NOT NULL,
                  channel TEXT, customer TEXT, reason TEXT,
                  queue TEXT, agent TEXT,
                  started_at INTEGER, queued_at INTEGER, answered_at INTEGER, ended_at INTEGER,
                  wait_ms INTEGER, talk_ms INTEGER, hold_ms INTEGER, acw_ms INTEGER,
                  outcome TEXT NOT NULL DEFAULT 'open'
                    CHECK (outcome = 'answered' OR outcome = 'selfserved' OR outcome = 'abandoned' OR outcome = 'ended'
                           OR outcome = 'short-abandon' OR outcome = 'transferred' OR outcome = 'refused' OR outcome = 'open'),
                  selfserved INTEGER NOT NULL DEFAULT 0,
                  transfers INTEGER NOT NULL DEFAULT 0,
                  resolved INTEGER, csat INTEGER CHECK (csat BETWEEN 1 AND 5), nps INTEGER CHECK (nps BETWEEN 0 AND 10),
                  route TEXT,
                  day INTEGER,
                  repeat_of TEXT, next_start INTEGER,
                  PRIMARY KEY (site, contact)) WITHOUT ROWID;
                INSERT INTO contact_v8 SELECT * FROM contact;
                DROP TABLE contact;
                ALTER TABLE contact_v8 RENAME TO contact;
                """)
            for sql in indexes { try db.execute(sql: sql) }
        }
        return m
    }

    /// Empties every row derived from the log, and the checkpoints with them, so
    /// that the next catch-up rebuilds the projection; keeps the KPI parameters
    /// and the sites' time zones.
    static func emptyForRebuild(_ db: Database) throws {
        for table in ["checkpoint", "contact", "visit", "agent", "agent_skill", "agent_time", "action", "agent_day",
                      "interval_stat", "customer", "selfservice_day", "dirty_day", "dirty_customer"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        try db.execute(sql: "DELETE FROM meta WHERE key <> 'parameters'")
    }

    /// The secondary indexes of every migration. A bulk rebuild drops them and builds them
    /// once at the end, which is much faster than keeping them up to date row by row.
    static let secondaryIndexes = v1SecondaryIndexes.filter { !$0.contains(" \(replacedByV6) ") && !$0.contains(" \(droppedByV7) ") }
        + v5SecondaryIndexes + v6SecondaryIndexes

    /// The index of v1 that v6 replaced by ``customerWalkIndex``.
    static let replacedByV6 = "contact_by_customer"
    /// The index of v1 that v7 dropped: no query read it.
    static let droppedByV7 = "visit_by_agent"

    /// The secondary indexes migration v1 created (shipped: never edited).
    static let v1SecondaryIndexes = [
        "CREATE INDEX contact_by_customer ON contact (customer, started_at)",
        "CREATE INDEX contact_by_day ON contact (day, site)",
        "CREATE INDEX contact_by_agent ON contact (agent, day)",
        "CREATE INDEX visit_by_day ON visit (day, site, queue)",
        "CREATE INDEX visit_by_agent ON visit (agent, day)",
        "CREATE INDEX agent_time_by_day ON agent_time (day, site)",
        "CREATE INDEX agent_day_by_day ON agent_day (day, site, team)",
        "CREATE INDEX interval_by_day ON interval_stat (day, site)",
        "CREATE INDEX customer_by_repeats ON customer (repeats DESC)",
    ]

    /// The secondary index migration v5 created (shipped: never edited).
    static let v5SecondaryIndexes = [
        "CREATE INDEX contact_nps ON contact (site, day, nps) WHERE nps IS NOT NULL",
    ]

    /// The index the repeat derivation walks the customers' contacts by (v6).
    static let customerWalkIndex = "contact_customer_walk"

    /// The secondary index migration v6 created (shipped: never edited).
    static let v6SecondaryIndexes = [
        "CREATE INDEX contact_customer_walk ON contact (customer, started_at, ended_at, channel, resolved, csat, day)",
    ]

    static let secondaryIndexNames = secondaryIndexes.compactMap { sql in
        sql.split(separator: " ").dropFirst(2).first.map(String.init)
    }
}
