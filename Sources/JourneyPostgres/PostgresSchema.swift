import Foundation
import JourneyModel
import Logging
import PostgresNIO

/// The PostgreSQL schema of the projections: versioned migrations (each
/// applied once, in its own transaction, recorded in `journey_schema`, never
/// edited once shipped), the month partitions made as days arrive, and the
/// BI views (recreated by every run: they hold no data, only this build's
/// reading of the tables).
enum PostgresSchema {
    /// The migrations, oldest first: (version, SQL).
    static let migrations: [(Int, String)] = [(1, version1)]

    /// Schema 1: the projection tables (the node's SQLite tables, with names
    /// interned), the name dictionary, checkpoints and metadata.
    static let version1: String = {
        var sql = """
            CREATE TABLE journey_meta (key text PRIMARY KEY, value text NOT NULL);
            -- Per origin, the last seq the rows reflect: written in the same transaction as the rows.
            CREATE TABLE journey_checkpoint (origin text COLLATE "C" PRIMARY KEY, last_seq bigint NOT NULL CHECK (last_seq >= 0));
            -- Sites, queues, agents, teams and channels, interned: every *_id column refers here.
            CREATE TABLE dim_name (id integer PRIMARY KEY, name text COLLATE "C" NOT NULL UNIQUE);

            """
        for table in PostgresTable.all {
            sql += table.createSQL
            if let index = table.keyIndexSQL { sql += index }
        }
        sql += """
            CREATE INDEX contact_by_customer ON contact (customer, started_at);
            CREATE INDEX contact_by_day ON contact (day, site_id);
            CREATE INDEX contact_started_brin ON contact USING brin (started_at);
            CREATE INDEX visit_by_day ON visit (day, site_id, queue_id);
            CREATE INDEX visit_entered_brin ON visit USING brin (entered_at);
            CREATE INDEX agent_time_by_day ON agent_time (day, site_id);
            CREATE INDEX agent_day_by_day ON agent_day (day, site_id, team_id);
            CREATE INDEX interval_by_day ON interval_stat (day, site_id);
            CREATE INDEX interval_start_brin ON interval_stat USING brin (interval_start);
            CREATE INDEX customer_by_repeats ON customer (repeats DESC);

            """
        return sql
    }()

    /// The key of the advisory lock one writer holds per database (any
    /// constant; "journey" in ASCII).
    static let writerLock: Int64 = 0x6a6f75726e6579

    /// Brings the database's schema to this build's, one transaction per
    /// migration; refuses a database migrated by a newer build.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        // Two sessions creating the same table at once can both pass IF NOT EXISTS and one then fails
        // (a unique violation in pg_type): the first creation takes the writers' lock, and only when
        // the table is missing, so readers never wait for a running export.
        if try await intColumn(connection, "SELECT CASE WHEN to_regclass('journey_schema') IS NULL THEN 1 ELSE 0 END", logger) == [1] {
            try await transaction(connection, logger) { c in
                try await run(c, "SELECT pg_advisory_xact_lock(\(writerLock))", logger)
                try await run(c, "CREATE TABLE IF NOT EXISTS journey_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", logger)
            }
        }
        let applied = try await Set(intColumn(connection, "SELECT version FROM journey_schema", logger))
        let known = migrations.map(\.0).max() ?? 0
        if let newest = applied.max(), newest > known {
            throw PostgresError(.schema, """
                the database's projection schema is version \(newest), written by a newer journey (this one knows \(known)); \
                upgrade journey or project into another database
                """)
        }
        for (version, sql) in migrations where !applied.contains(version) {
            try await transaction(connection, logger) { c in
                try await run(c, "SELECT pg_advisory_xact_lock(\(writerLock))", logger)
                // Another writer may have applied it while this one waited.
                if try await intColumn(c, "SELECT version FROM journey_schema WHERE version = \(version)", logger).isEmpty {
                    try await run(c, sql, logger)
                    try await run(c, "INSERT INTO journey_schema (version) VALUES (\(version))", logger)
                }
            }
        }
    }

    /// Makes the month partitions holding `days` (local day numbers) for
    /// every partitioned table, if missing.
    static func ensurePartitions(_ connection: PostgresConnection, days: ClosedRange<Int64>, logger: Logger) async throws {
        var month = LocalMonth(day: days.lowerBound)
        let last = LocalMonth(day: days.upperBound)
        var sql = ""
        while month <= last {
            for table in PostgresTable.all where table.partitioned {
                sql += "CREATE TABLE IF NOT EXISTS \(table.name)_\(month.tag) PARTITION OF \(table.name) "
                    + "FOR VALUES FROM (\(month.firstDay)) TO (\(month.next.firstDay));\n"
            }
            month = month.next
        }
        if !sql.isEmpty { try await run(connection, sql, logger) }
    }

    /// Runs statements (no results), one after another: each ends with `;`
    /// at the end of a line (the extended protocol takes one at a time).
    static func run(_ connection: PostgresConnection, _ sql: String, _ logger: Logger) async throws {
        for statement in statements(sql) {
            do {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                throw PostgresError(.server, "PostgreSQL refused a statement (\(statement.prefix(60))…): \(PostgresTarget.describe(error))")
            }
        }
    }

    /// `sql` cut into statements at each `;` that ends a line (none of ours has one inside).
    static func statements(_ sql: String) -> [String] {
        var out: [String] = [], current = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if trimmed.hasSuffix(";") {
                out.append(String(current.trimmingCharacters(in: .whitespacesAndNewlines).dropLast()))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    /// The first column of every row, as integers.
    static func intColumn(_ connection: PostgresConnection, _ sql: String, _ logger: Logger) async throws -> [Int] {
        do {
            var out: [Int] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) { out.append(value) }
            return out
        } catch {
            throw PostgresError(.server, "PostgreSQL refused a query: \(PostgresTarget.describe(error))")
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    static func transaction<T>(_ connection: PostgresConnection, _ logger: Logger,
                               _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await run(connection, "BEGIN", logger)
        do {
            let value = try await body(connection)
            try await run(connection, "COMMIT", logger)
            return value
        } catch {
            try? await run(connection, "ROLLBACK", logger)
            throw error
        }
    }
}

/// A calendar month of local day numbers, for partition bounds.
struct LocalMonth: Comparable {
    var year: Int64
    var month: Int64

    init(year: Int64, month: Int64) {
        self.year = year
        self.month = month
    }

    /// The month holding local day `day`.
    init(day: Int64) {
        // "yyyy-mm-dd" (days come from validated event times: years 0001–9999).
        let parts = LocalDay(day).text.split(separator: "-")
        self.init(year: parts.first.flatMap { Int64($0) } ?? 1970, month: parts.dropFirst().first.flatMap { Int64($0) } ?? 1)
    }

    /// Its first local day.
    var firstDay: Int64 { LocalDay(year: Int(year), month: Int(month), day: 1).number }
    /// The month after.
    var next: LocalMonth { month == 12 ? LocalMonth(year: year + 1, month: 1) : LocalMonth(year: year, month: month + 1) }
    /// `yyyymm`, for partition names (`p` before a year before 1000 keeps it an identifier).
    var tag: String {
        let y = String(year), m = month < 10 ? "0\(month)" : String(month)
        return "p" + String(repeating: "0", count: max(0, 4 - y.count)) + y + m
    }

    static func < (a: LocalMonth, b: LocalMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
