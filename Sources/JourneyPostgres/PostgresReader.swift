import Foundation
import JourneyModel
import JourneyProjections
import Logging
import PostgresNIO

/// Answers the typed query API from a PostgreSQL projection: the same reads
/// (``ProjectionReads``) the node's SQLite file answers, run on the read
/// views, rendered by the same ``QueryRenderer`` — one set of semantics, two
/// backends. Each answer is read in one repeatable-read transaction, so its
/// rows and the positions it reports belong together.
public struct PostgresReader: Sendable {
    /// The database.
    public let target: PostgresTarget
    let logger: Logger

    /// A reader of the projection at `target`.
    public init(target: PostgresTarget, logger: Logger = Logger(label: "journey.postgres")) {
        self.target = target
        self.logger = logger
    }

    /// Answers `q` (as `journey query` prints it).
    public func query(_ q: ProjectionQuery) async throws -> QueryResult {
        try await snapshot { c, renderer in try await run(renderer.read(q), on: c) }
    }

    /// Runs any read of the typed query API.
    public func read<T>(_ read: @escaping (ProjectionReads) -> ProjectionRead<T>) async throws -> T {
        try await snapshot { c, renderer in
            try await run(read(ProjectionReads(parameters: renderer.parameters, horizon: renderer.horizon)), on: c)
        }
    }

    /// Every value of `dimension` the projection holds, sorted (sites include every origin with a checkpoint).
    public func knownValues(_ dimension: ProjectionEngine.FilterDimension) async throws -> [String] {
        try await snapshot { c, renderer in
            var values = Set(try await run(ProjectionReads(parameters: renderer.parameters, horizon: renderer.horizon).knownValues(dimension), on: c))
            if dimension == .site { values.formUnion(renderer.positions.keys) }
            return values.sorted()
        }
    }

    /// Runs `body` in one read-only, repeatable-read transaction with the
    /// projection's renderer (its calendar, parameters, horizon, positions).
    func snapshot<T>(_ body: (PostgresConnection, QueryRenderer) async throws -> T) async throws -> T {
        let c = try await target.connect(logger: logger)
        defer { Task { try? await c.close() } }
        try await PostgresSchema.run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger)
        do {
            let exists = try await PostgresSchema.intColumn(
                c, "SELECT CASE WHEN to_regclass('public.journey_schema') IS NULL THEN 0 ELSE 1 END", logger).first ?? 0
            let known = exists == 0 ? 0 : try await PostgresSchema.intColumn(c, "SELECT COALESCE(MAX(version), 0) FROM journey_schema", logger).first ?? 0
            guard known > 0 else {
                throw PostgresError(.config, "\(target.redacted) holds no JourneyStore projection; run journey project --to it first")
            }
            let value = try await body(c, try await renderer(c))
            try await PostgresSchema.run(c, "COMMIT", logger)
            return value
        } catch {
            try? await PostgresSchema.run(c, "ROLLBACK", logger)
            if let e = error as? PostgresError { throw e }
            throw PostgresError(.server, "cannot read \(target.redacted): \(PostgresTarget.describe(error))")
        }
    }

    /// The projection's renderer, from its metadata, checkpoints and zones.
    func renderer(_ c: PostgresConnection) async throws -> QueryRenderer {
        let meta = try await PostgresProjection.meta(c, logger)
        let parameters = try meta["parameters"].map(KPIParameters.parse) ?? KPIParameters()
        let zones = try await run(ProjectionRead([SQLStatement(sql: "SELECT site, from_ms, zone FROM site_zone ORDER BY site, from_ms", arguments: [])]) {
            ($0.first ?? []).map { r -> (site: String, fromMs: Int64, zone: String) in (r[0], r[1], r[2]) }
        }, on: c)
        return QueryRenderer(calendar: .restored(legacyOffsetMinutes: parameters.siteUTCOffsetMinutes, zones: zones), parameters: parameters,
                             horizon: Int64(meta["horizon"] ?? "") ?? 0, positions: try await PostgresProjection.positions(c, logger))
    }

    /// Runs a read's statements on the read views (`?` become `$1`, `$2` …).
    func run<T>(_ read: ProjectionRead<T>, on c: PostgresConnection) async throws -> T {
        var results: [[SQLRow]] = []
        for statement in read.statements {
            var binds = PostgresBindings()
            for v in statement.arguments {
                switch v {
                case .null: binds.appendNull()
                case .integer(let i): binds.append(i)
                case .real(let d): binds.append(d)
                case .text(let s): binds.append(s)
                }
            }
            do {
                _ = try await c.query("SET LOCAL search_path = journey_read, public", logger: logger)
                var rows: [SQLRow] = []
                for try await row in try await c.query(PostgresQuery(unsafeSQL: Self.numbered(statement.sql), binds: binds), logger: logger) {
                    rows.append(SQLRow(try row.map(Self.value)))
                }
                results.append(rows)
            } catch {
                throw PostgresError(.server, "PostgreSQL refused a read (\(statement.sql.prefix(60))…): \(PostgresTarget.describe(error))")
            }
        }
        return try read.combine(results)
    }

    /// `sql` with its `?` placeholders numbered as PostgreSQL writes them (no `?` of ours is inside a literal).
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0
        for ch in sql {
            if ch == "?" { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }

    /// A cell as the projection's value types: integers, reals, text.
    static func value(_ cell: PostgresCell) throws -> ExportValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .numeric:
            // SUM of bigints: a numeric, integral for every sum of counts and milliseconds.
            var value = try cell.decode(Decimal.self), whole = Decimal()
            NSDecimalRound(&whole, &value, 0, .plain)
            let number = NSDecimalNumber(decimal: value)
            return whole == value && abs(number.doubleValue) < 9.2e18 ? .integer(number.int64Value) : .real(number.doubleValue)
        default: return .text(try cell.decode(String.self))
        }
    }
}
