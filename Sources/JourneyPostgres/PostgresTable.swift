import JourneyProjections

/// A projection table as PostgreSQL holds it: the same rows as the node's
/// SQLite table, with sites, queues, agents, teams and channels interned as
/// integer keys (`site_id` … into `dim_name`), partitioned by month of `day`
/// where the table has a day.
struct PostgresTable: Sendable {
    /// The SQLite table it copies.
    let source: ExportTable

    /// Columns interned through `dim_name`.
    static let internedColumns: Set<String> = ["site", "queue", "agent", "team", "channel"]
    /// Columns holding fractions (SQLite REAL).
    static let realColumns: Set<String> = ["logged_agents", "ready_agents", "penalty"]
    /// Columns holding text (SQLite TEXT) that are not interned.
    static let textColumns: Set<String> = ["contact", "customer", "reason", "outcome", "route", "repeat_of", "skills", "hired_at",
                                           "state", "origin", "kind", "data", "channels", "sites", "zone"]

    /// Every table, in the order a full copy writes them.
    static let all = ExportTable.allCases.map(PostgresTable.init(source:))

    /// The PostgreSQL table's name (the same as SQLite's).
    var name: String { source.name }

    /// True when partitioned by month of `day`.
    var partitioned: Bool { source.hasDay }

    /// The PostgreSQL columns, in the order of ``ExportTable/columns``.
    var columns: [String] { source.columns.map { Self.internedColumns.contains($0) ? $0 + "_id" : $0 } }

    /// Whether each column is interned, in column order.
    var interned: [Bool] { source.columns.map { Self.internedColumns.contains($0) } }

    /// The PostgreSQL type of a SQLite column.
    static func type(of column: String) -> String {
        if internedColumns.contains(column) { return "integer" }
        if realColumns.contains(column) { return "double precision" }
        if textColumns.contains(column) { return "text" }
        return "bigint"
    }

    /// The column's type as created: text compares and sorts byte by byte
    /// (`COLLATE "C"`), as SQLite's does, whatever the database's locale, so
    /// both backends order rows alike and the indexes serve the queries.
    static func declaration(of column: String) -> String {
        type(of: column) == "text" ? "text COLLATE \"C\"" : type(of: column)
    }

    /// `CREATE TABLE` for this table (its partitions are made as days arrive).
    var createSQL: String {
        let notNull = Set(source.primaryKey)
        let defs = zip(source.columns, columns).map { sqlite, pg in
            "\(pg) \(Self.declaration(of: sqlite))\(notNull.contains(sqlite) && sqlite != "day" ? " NOT NULL" : "")"
        }
        var sql = "CREATE TABLE \(name) (\(defs.joined(separator: ", "))"
        if partitioned {
            sql += ") PARTITION BY RANGE (day);\n"
            // Rows without a day (a contact not yet placed) and any day outside the months made.
            sql += "CREATE TABLE \(name)_undated PARTITION OF \(name) DEFAULT;\n"
        } else {
            sql += ", PRIMARY KEY (\(keyColumns.joined(separator: ", "))));\n"
        }
        return sql
    }

    /// The key columns in PostgreSQL's names.
    var keyColumns: [String] { source.primaryKey.map { Self.internedColumns.contains($0) ? $0 + "_id" : $0 } }

    /// The lookup index on the key (a partitioned table cannot have a unique
    /// key without its partition column: the exporter keeps keys unique by
    /// deleting a key's rows before copying them again).
    var keyIndexSQL: String? {
        partitioned ? "CREATE INDEX \(name)_key ON \(name) (\(keyColumns.filter { $0 != "day" }.joined(separator: ", ")));\n" : nil
    }
}
