import JourneyProjections
import Logging
import PostgresNIO

extension PostgresProjection {
    /// What differs between the database and the node's projection file,
    /// table by table (names resolved, every row compared as a multiset):
    /// empty when the database holds exactly the file's rows and positions.
    /// Reads every row of both: for checks and tests, not for every round.
    public func differences(from engine: ProjectionEngine) async throws -> [String] {
        try await withConnection { c in
            var out: [String] = []
            let held = try await Self.positions(c, logger)
            if held != engine.positions { out.append("positions: database \(held), file \(engine.positions)") }
            for table in PostgresTable.all {
                var file: [[ExportValue]: Int] = [:]
                var after: [ExportValue]?
                let keys = table.source.primaryKey.compactMap { table.source.columns.firstIndex(of: $0) }
                while true {
                    let page = try engine.exportPage(table.source, full: true, after: after, limit: 50_000)
                    for row in page {
                        // As PostgreSQL can hold it (a NUL in a name is stored as U+FFFD).
                        let storable = row.map { v -> ExportValue in if case .text(let s) = v { return .text(CopyText.storable(s)) } else { return v } }
                        file[storable, default: 0] += 1
                    }
                    guard let last = page.last, page.count == 50_000 else { break }
                    after = keys.map { last[$0] }
                }
                let database = try await rows(of: table, on: c)
                if database != file {
                    let missing = file.filter { database[$0.key] != $0.value }.keys.first
                    let extra = database.filter { file[$0.key] != $0.value }.keys.first
                    out.append("\(table.name): file \(file.values.reduce(0, +)) rows, database \(database.values.reduce(0, +))"
                               + (missing.map { "; e.g. the file's \($0)" } ?? "") + (extra.map { "; the database's \($0)" } ?? ""))
                }
            }
            return out
        }
    }

    /// Every row of `table` in the database, names resolved, typed as the file types them.
    func rows(of table: PostgresTable, on c: PostgresConnection) async throws -> [[ExportValue]: Int] {
        let select = zip(table.source.columns, table.columns).map { sqlite, pg in
            PostgresTable.internedColumns.contains(sqlite) ? "(SELECT name FROM dim_name WHERE id = \(pg))" : "\(pg)::text"
        }
        var out: [[ExportValue]: Int] = [:]
        do {
            let result = try await c.query(PostgresQuery(unsafeSQL: "SELECT \(select.joined(separator: ", ")) FROM \(table.name)"), logger: logger)
            for try await row in result {
                let cells = row.makeRandomAccess()
                var values: [ExportValue] = []
                for (i, column) in table.source.columns.enumerated() {
                    guard let text = try cells[i].decode(String?.self) else {
                        values.append(.null)
                        continue
                    }
                    switch PostgresTable.type(of: column) {
                    case "bigint": values.append(Int64(text).map(ExportValue.integer) ?? .text(text))
                    case "double precision": values.append(Double(text).map(ExportValue.real) ?? .text(text))
                    default: values.append(.text(text))
                    }
                }
                out[values, default: 0] += 1
            }
        } catch {
            throw PostgresError(.server, "cannot read \(table.name): \(PostgresTarget.describe(error))")
        }
        return out
    }
}
