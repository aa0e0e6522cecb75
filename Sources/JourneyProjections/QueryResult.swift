import JourneyModel

/// Rows of a projection query, with what they were computed from.
public struct QueryResult: Sendable {
    /// Column names, in order.
    public var columns: [String]
    /// One value per column per row.
    public var rows: [[JSONValue]]
    /// Per origin, the last seq the projection had applied.
    public var positions: [String: UInt64]
    /// The latest event time applied (FCR windows past it are pending).
    public var horizon: Timestamp

    /// Columns holding the counts the figures are computed from: in JSON and
    /// CSV, left out of tables (see ``ProjectionEngine/countColumns(_:)``).
    public var countColumns: Set<String>

    /// A result with the position vector and data horizon it was computed from.
    public init(columns: [String], rows: [[JSONValue]], positions: [String: UInt64], horizon: Timestamp, countColumns: Set<String> = []) {
        self.columns = columns
        self.rows = rows
        self.positions = positions
        self.horizon = horizon
        self.countColumns = countColumns
    }

    /// The result without its count columns: what a table shows.
    public var withoutCounts: QueryResult {
        guard !countColumns.isEmpty else { return self }
        let keep = columns.indices.filter { !countColumns.contains(columns[$0]) }
        return QueryResult(columns: keep.map { columns[$0] }, rows: rows.map { row in keep.map { row[$0] } },
                           positions: positions, horizon: horizon)
    }

    /// `{"positions": {...}, "horizon": "...", "rows": [{column: value, ...}, ...]}`.
    public var json: JSONValue {
        var p = JSONObject()
        for k in positions.keys.sorted() { p[k] = .integer(Int64(positions[k] ?? 0)) }
        let objects: [JSONValue] = rows.map { row in
            .object(JSONObject(zip(columns, row).map { JSONObject.Member($0, $1) }))
        }
        return .object(["positions": .object(p), "horizon": .string(horizon.rfc3339), "rows": .array(objects)])
    }

    /// The index of the column named `name`; throws when there is none (so a
    /// renamed or moved column fails loudly instead of matching nothing).
    public func column(_ name: String) throws -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw ProjectionError(.invalidRequest, "no column '\(name)' (columns: \(columns.joined(separator: ", ")))")
        }
        return i
    }

    /// Every row's value of the column named `name`; throws when there is no
    /// such column, so a test or script reading by name fails loudly.
    public func values(_ name: String) throws -> [JSONValue] {
        let i = try column(name)
        return rows.map { $0[i] }
    }

    /// The value of `column` in `row`.
    public func value(_ column: String, row: Int) -> JSONValue? {
        guard let i = columns.firstIndex(of: column), row < rows.count else { return nil }
        return rows[row][i]
    }
}
