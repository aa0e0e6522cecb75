import GRDB

extension ProjectionEngine {
    /// Every projection table as canonical text (rows sorted, values as SQLite
    /// prints them), excluding bookkeeping (meta, dirty sets) and the agents'
    /// in-progress timeline state. Two projections of the same events compare
    /// equal exactly when their figures are the same.
    public func canonicalDump() throws -> String {
        try db.read { db in
            var out = ""
            let tables: [(String, String)] = [
                ("checkpoint", "*"), ("contact", "*"), ("visit", "*"), ("agent", "agent, site, team, skills, hired_at"),
                ("agent_skill", "*"), ("agent_time", "*"), ("action", "*"), ("agent_day", "*"), ("interval_stat", "*"), ("customer", "*"), ("selfservice_day", "*"),
            ]
            for (table, columns) in tables {
                out += "## \(table)\n"
                let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table)")
                var lines = rows.map { row in row.databaseValues.map { $0.description }.joined(separator: "|") }
                lines.sort()
                out += lines.joined(separator: "\n") + "\n"
            }
            return out
        }
    }
}
