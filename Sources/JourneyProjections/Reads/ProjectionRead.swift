import GRDB

/// A statement of a read: SQL with `?` placeholders and their values. The
/// SQL is written once for both backends — the node's SQLite file and a
/// PostgreSQL projection, whose read views carry the same table and column
/// names — so the two cannot drift apart.
public struct SQLStatement: Sendable {
    /// The SQL, with `?` for each argument in order.
    public var sql: String
    /// The arguments, in order.
    public var arguments: [ExportValue]

    /// A statement of `sql` with `arguments`.
    public init(sql: String, arguments: [ExportValue]) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// A row a read returns, decoded by type where it is used.
public struct SQLRow: Sendable {
    /// The row's values, in select order.
    public var values: [ExportValue]

    /// A row of these values.
    public init(_ values: [ExportValue]) { self.values = values }

    /// The value of column `i` as `T`: integers and reals convert into each
    /// other as SQLite's do, NULL is nil (or 0 and "" for a non-optional).
    public subscript<T: SQLDecodable>(_ i: Int) -> T { T.decode(i < values.count ? values[i] : .null) }
}

/// A type a read's value decodes to.
public protocol SQLDecodable {
    /// The value as this type.
    static func decode(_ value: ExportValue) -> Self
}

extension Int64: SQLDecodable {
    public static func decode(_ value: ExportValue) -> Int64 {
        switch value {
        case .integer(let i): return i
        case .real(let d): return d.isFinite ? Int64(exactly: d.rounded(.towardZero)) ?? 0 : 0
        case .text(let s): return Int64(s) ?? 0
        case .null: return 0
        }
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: ExportValue) -> Int { Int(Int64.decode(value)) }
}

extension Double: SQLDecodable {
    public static func decode(_ value: ExportValue) -> Double {
        switch value {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        case .text(let s): return Double(s) ?? 0
        case .null: return 0
        }
    }
}

extension String: SQLDecodable {
    public static func decode(_ value: ExportValue) -> String {
        switch value {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .null: return ""
        }
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: ExportValue) -> Bool { Int64.decode(value) != 0 }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: ExportValue) -> Wrapped? {
        if case .null = value { return nil }
        return Wrapped.decode(value)
    }
}

/// A read of the typed query API: the statements it runs and how their rows
/// become typed values. ``ProjectionEngine`` runs it on its SQLite file; a
/// PostgreSQL projection runs the same statements on its read views.
public struct ProjectionRead<T> {
    /// The statements, run in order in one read transaction.
    public let statements: [SQLStatement]
    /// Makes the result from each statement's rows.
    public let combine: ([[SQLRow]]) throws -> T

    /// A read of `statements`, combined by `combine`.
    public init(_ statements: [SQLStatement], combine: @escaping ([[SQLRow]]) throws -> T) {
        self.statements = statements
        self.combine = combine
    }

    /// The same read, its result transformed.
    public func map<U>(_ transform: @escaping (T) throws -> U) -> ProjectionRead<U> {
        ProjectionRead<U>(statements) { try transform(try combine($0)) }
    }
}

/// A read of one statement whose rows map one to one to `E`.
func listRead<E>(_ sql: String, _ arguments: [ExportValue] = [], _ row: @escaping (SQLRow) throws -> E) -> ProjectionRead<[E]> {
    ProjectionRead([SQLStatement(sql: sql, arguments: arguments)]) { rows in try (rows.first ?? []).map(row) }
}

extension ProjectionRead {
    /// Runs on a SQLite database (inside a read transaction). With `cached`,
    /// the statements are kept prepared on the connection for the next run:
    /// only for reads whose SQL text is fixed (values bound as arguments), or
    /// the cache would grow with every distinct request.
    func run(_ db: Database, cached: Bool = false) throws -> T {
        var results: [[SQLRow]] = []
        for s in statements {
            let args = StatementArguments(s.arguments.map { v -> DatabaseValueConvertible? in
                switch v {
                case .null: return nil
                case .integer(let i): return i
                case .real(let d): return d
                case .text(let t): return t
                }
            })
            var rows: [SQLRow] = []
            let cursor = cached ? try Row.fetchCursor(try db.cachedStatement(sql: s.sql), arguments: args)
                : try Row.fetchCursor(db, sql: s.sql, arguments: args)
            while let row = try cursor.next() {
                rows.append(SQLRow(try (0..<row.count).map { try ExportValue(row[$0] as DatabaseValue) }))
            }
            results.append(rows)
        }
        return try combine(results)
    }
}
