import JourneyModel
import JourneyProjections
import Logging
import NIOCore
import PostgresNIO

/// Keeps a PostgreSQL database equal to a node's projection: the same rows,
/// computed once by the node's engine, copied with the positions they reflect
/// in one PostgreSQL transaction.
///
/// The node's projection file records, in the same SQLite transaction as
/// every catch-up, which keys it changed (``ExportJournal``). An export takes
/// the file's update lock, copies those keys' rows (deleting the old ones
/// first) — or every row, by bulk `COPY`, after a rebuild, on first use, or
/// when the database does not hold what this node last exported — writes the
/// checkpoints and commits; only then is the journal emptied. Killed at any
/// point, the next export either applies the same journal again (the copy is
/// idempotent) or copies everything: the database never holds rows of
/// positions other than its checkpoints say.
public struct PostgresProjection: Sendable {
    /// The database.
    public let target: PostgresTarget
    /// Rows per page read from the node's file and sent in one `COPY` write.
    public var pageRows = 20_000
    let logger: Logger

    /// A projection kept at `target`.
    public init(target: PostgresTarget, logger: Logger = Logger(label: "journey.postgres")) {
        self.target = target
        self.logger = logger
    }

    /// What one export did.
    public struct Report: Sendable, Equatable {
        /// True when every row was copied (not only the journal's).
        public var full: Bool
        /// Rows copied per table (tables with none are left out).
        public var rows: [String: Int]
        /// The positions the database now reflects.
        public var positions: [String: UInt64]
        /// Total rows copied.
        public var totalRows: Int { rows.values.reduce(0, +) }
    }

    /// Creates or migrates the schema and refreshes the BI views.
    public func prepare() async throws {
        try await withConnection { c in
            try await PostgresSchema.migrate(c, logger: logger)
            try await PostgresViews.refresh(c, logger: logger)
        }
    }

    /// Copies what changed in `engine`'s file since the last export (see the
    /// type's description). Returns nil when nothing had changed.
    @discardableResult
    public func export(_ engine: ProjectionEngine) async throws -> Report? {
        try await withConnection { c in
            try await PostgresSchema.migrate(c, logger: logger)
            let report = try await export(engine, on: c)
            try await PostgresViews.refresh(c, logger: logger)
            return report
        }
    }

    /// ``export(_:)`` on an open connection whose schema is current
    /// (``withSession(_:)``): what a follower does every round.
    @discardableResult
    public func export(_ engine: ProjectionEngine, on c: PostgresConnection) async throws -> Report? {
        try engine.attachExport()
        let lease = try engine.leaseForExport()
        defer { lease.release() }
        guard let journal = try engine.exportJournal() else { return nil }
        let report = try await PostgresSchema.transaction(c, logger) { c in
            try await apply(journal, from: engine, to: c)
        }
        if report != nil { try engine.clearExportJournal(exported: journal) }
        return report
    }

    /// Runs `body` on one connection whose schema and views are current,
    /// for several exports in a row (`--follow`).
    public func withSession<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { c in
            try await PostgresSchema.migrate(c, logger: logger)
            try await PostgresViews.refresh(c, logger: logger)
            return try await body(c)
        }
    }

    /// The positions the database's rows reflect (empty before any export).
    public func positions() async throws -> [String: UInt64] {
        try await withConnection { c in
            try await PostgresSchema.migrate(c, logger: logger)
            return try await Self.positions(c, logger)
        }
    }

    func apply(_ journal: ExportJournal, from engine: ProjectionEngine, to c: PostgresConnection) async throws -> Report? {
        // One writer per database: a second export waits here, then sees what the first committed.
        try await PostgresSchema.run(c, "SELECT pg_advisory_xact_lock(\(PostgresSchema.writerLock))", logger)
        let meta = try await Self.meta(c, logger)
        let held = try await Self.positions(c, logger)
        let same = meta["export_id"] == journal.exportID && (held == journal.positions || held == journal.exportedPositions)
        let full = journal.full || !same
        if !full && journal.isEmpty && held == journal.positions { return nil }
        var names = NameIDs(try await Self.names(c, logger))
        if let days = try engine.exportDayRange(full: full) {
            try await PostgresSchema.ensurePartitions(c, days: days, logger: logger)
        }
        if full {
            try await PostgresSchema.run(c, "TRUNCATE " + PostgresTable.all.map(\.name).joined(separator: ", "), logger)
        } else {
            for table in PostgresTable.all { try await deleteSelection(of: table, journal: journal, names: names, on: c) }
        }
        var rows: [String: Int] = [:]
        for table in PostgresTable.all {
            let n = try await copy(table, full: full, from: engine, names: &names, to: c)
            if n > 0 { rows[table.name] = n }
        }
        try await writeNames(&names, to: c)
        try await writeState(journal, parameters: engine.parameters, to: c)
        // The invariant the checkpoints promise: the rows just written reflect exactly these positions.
        let now = try engine.exportJournal()?.positions
        precondition(now == journal.positions, "the projection changed while its lease was held")
        return Report(full: full, rows: rows, positions: journal.positions)
    }

    /// Deletes the rows of `table` an incremental export replaces.
    func deleteSelection(of table: PostgresTable, journal: ExportJournal, names: NameIDs, on c: PostgresConnection) async throws {
        var binds = PostgresBindings()
        let sql: String
        switch table.source.selection {
        case .contacts:
            let keys = journal.contacts.compactMap { ref in names.existing(ref.site).map { ($0, CopyText.storable(ref.contact)) } }
            guard !keys.isEmpty else { return }
            binds.append(keys.map(\.0))
            binds.append(keys.map(\.1))
            sql = "DELETE FROM \(table.name) WHERE (site_id, contact) IN (SELECT * FROM unnest($1::integer[], $2::text[]))"
        case .days:
            guard !journal.days.isEmpty else { return }
            binds.append(journal.days)
            sql = "DELETE FROM \(table.name) WHERE day = ANY($1::bigint[])"
        case .customers:
            guard !journal.customers.isEmpty else { return }
            binds.append(journal.customers.map(CopyText.storable))
            sql = "DELETE FROM \(table.name) WHERE customer = ANY($1::text[])"
        case .actions:
            guard !journal.actions.isEmpty else { return }
            binds.append(journal.actions.map(\.origin))
            binds.append(journal.actions.map(\.seq))
            sql = "DELETE FROM \(table.name) WHERE (origin, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))"
        case .whole:
            sql = "DELETE FROM \(table.name)"
        }
        do {
            _ = try await c.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        } catch {
            throw PostgresError(.server, "PostgreSQL refused to delete the rows of \(table.name) to replace: \(PostgresTarget.describe(error))")
        }
    }

    /// Copies `table`'s rows (all, or the journal's) with one `COPY … FROM
    /// STDIN`, read from the node's file page by page while PostgreSQL takes
    /// the previous page (names are interned as rows are encoded; the new
    /// ones are written after, in the same transaction).
    func copy(_ table: PostgresTable, full: Bool, from engine: ProjectionEngine, names: inout NameIDs,
              to c: PostgresConnection) async throws -> Int {
        let keyIndexes = table.source.primaryKey.compactMap { table.source.columns.firstIndex(of: $0) }
        let pageRows = pageRows
        // Nothing to copy: no COPY at all (most tables of a small catch-up).
        var first = try engine.exportPage(table.source, full: full, after: nil, limit: pageRows)
        guard !first.isEmpty else { return 0 }
        var local = names
        var total = 0
        do {
            try await c.copyFrom(table: table.name, columns: table.columns, format: .text(.init()), logger: logger) { writer in
                var page = first
                first = []
                while let last = page.last {
                    var buffer = ByteBufferAllocator().buffer(capacity: page.count * 96)
                    for row in page { try CopyText.appendRow(row, interned: table.interned, names: &local, to: &buffer) }
                    try await writer.write(buffer)
                    total += page.count
                    guard page.count == pageRows else { break }
                    page = try engine.exportPage(table.source, full: full, after: keyIndexes.map { last[$0] }, limit: pageRows)
                }
            }
        } catch let e as PostgresError {
            throw e
        } catch {
            throw PostgresError(.server, "PostgreSQL refused rows of \(table.name): \(PostgresTarget.describe(error))")
        }
        names = local
        return total
    }

    /// Writes the names this export interned.
    func writeNames(_ names: inout NameIDs, to c: PostgresConnection) async throws {
        guard !names.added.isEmpty else { return }
        var buffer = ByteBufferAllocator().buffer(capacity: names.added.count * 24)
        for (id, name) in names.added {
            buffer.writeString(String(id))
            buffer.writeInteger(UInt8(ascii: "\t"))
            try CopyText.appendText(name, to: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        let data = buffer
        do {
            try await c.copyFrom(table: "dim_name", columns: ["id", "name"], format: .text(.init()), logger: logger) { try await $0.write(data) }
        } catch {
            throw PostgresError(.server, "PostgreSQL refused new names: \(PostgresTarget.describe(error))")
        }
        names.markWritten()
    }

    /// Writes the checkpoints and the metadata the views read, in the rows' transaction.
    func writeState(_ journal: ExportJournal, parameters: KPIParameters, to c: PostgresConnection) async throws {
        try await PostgresSchema.run(c, "DELETE FROM journey_checkpoint", logger)
        for (origin, seq) in journal.positions.sorted(by: { $0.key < $1.key }) {
            var binds = PostgresBindings()
            binds.append(origin)
            binds.append(Int64(clamping: seq))
            try await query(c, "INSERT INTO journey_checkpoint (origin, last_seq) VALUES ($1, $2)", binds)
        }
        let meta: [(String, String)] = [
            ("export_id", journal.exportID), ("horizon", String(journal.horizon)),
            ("repeat_window_ms", String(parameters.repeatWindowMs)), ("parameters", parameters.json),
        ]
        for (key, value) in meta {
            var binds = PostgresBindings()
            binds.append(key)
            binds.append(value)
            try await query(c, "INSERT INTO journey_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", binds)
        }
    }

    func query(_ c: PostgresConnection, _ sql: String, _ binds: PostgresBindings) async throws {
        do {
            _ = try await c.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        } catch {
            throw PostgresError(.server, "PostgreSQL refused a statement: \(PostgresTarget.describe(error))")
        }
    }

    static func meta(_ c: PostgresConnection, _ logger: Logger) async throws -> [String: String] {
        var out: [String: String] = [:]
        do {
            for try await (key, value) in try await c.query("SELECT key, value FROM journey_meta", logger: logger).decode((String, String).self) {
                out[key] = value
            }
        } catch {
            throw PostgresError(.server, "cannot read journey_meta: \(PostgresTarget.describe(error))")
        }
        return out
    }

    /// The checkpoints the database's rows reflect, read on `c`.
    public static func positions(_ c: PostgresConnection, _ logger: Logger) async throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        do {
            for try await (origin, seq) in try await c.query("SELECT origin, last_seq FROM journey_checkpoint", logger: logger).decode((String, Int64).self) {
                out[origin] = UInt64(max(0, seq))
            }
        } catch {
            throw PostgresError(.server, "cannot read journey_checkpoint: \(PostgresTarget.describe(error))")
        }
        return out
    }

    static func names(_ c: PostgresConnection, _ logger: Logger) async throws -> [ByteKey: Int32] {
        var out: [ByteKey: Int32] = [:]
        do {
            for try await (id, name) in try await c.query("SELECT id, name FROM dim_name", logger: logger).decode((Int32, String).self) {
                out[ByteKey(name)] = id
            }
        } catch {
            throw PostgresError(.server, "cannot read dim_name: \(PostgresTarget.describe(error))")
        }
        return out
    }

    /// Runs `body` on a new connection, closed afterwards.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let c = try await target.connect(logger: logger)
        do {
            let value = try await body(c)
            try? await c.close()
            return value
        } catch {
            try? await c.close()
            throw error
        }
    }
}
