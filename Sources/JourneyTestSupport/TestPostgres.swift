import Foundation
import JourneyPostgres
import Logging
import PostgresNIO

/// A throwaway PostgreSQL database per test, on the server
/// `JOURNEY_TEST_POSTGRES_URL` names (with `PGPASSWORD`), as
/// `Scripts/postgres-cluster.sh start` prints them. Without a server the
/// tests skip, unless `JOURNEY_REQUIRE_POSTGRES=1` (CI) makes that a failure.
public enum TestPostgres {
    /// Why there is no server to test against; nil when there is one.
    public static var unavailable: String? {
        let env = ProcessInfo.processInfo.environment
        guard (env["JOURNEY_TEST_POSTGRES_URL"] ?? "").isEmpty else { return nil }
        return "no PostgreSQL server: run `eval $(Scripts/postgres-cluster.sh start)` to test against one"
    }

    /// True when a missing server must fail the tests (CI).
    public static var required: Bool { ProcessInfo.processInfo.environment["JOURNEY_REQUIRE_POSTGRES"] == "1" }

    /// The server's administrative target.
    public static func admin() throws -> PostgresTarget {
        try PostgresTarget.resolve(url: nil, passwordFile: nil, environment: [
            "JOURNEY_POSTGRES_URL": ProcessInfo.processInfo.environment["JOURNEY_TEST_POSTGRES_URL"] ?? "",
            "PGPASSWORD": ProcessInfo.processInfo.environment["PGPASSWORD"] ?? "",
        ])
    }

    /// Creates a new, empty database and returns its target. Its locale is
    /// ICU's en-US, whose text order differs from SQLite's byte order (`B`
    /// before `a` there, `a` before `B` here), as a headquarters' database
    /// may well be: the projection must answer the same regardless.
    public static func createDatabase() async throws -> PostgresTarget {
        var target = try admin()
        let name = "journey_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await execute(target, "CREATE DATABASE \(name) LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0")
        target.database = name
        return target
    }

    /// Drops a database `createDatabase` made.
    public static func dropDatabase(_ target: PostgresTarget) async {
        guard let admin = try? admin() else { return }
        try? await execute(admin, "DROP DATABASE IF EXISTS \(target.database) WITH (FORCE)")
    }

    /// Runs one statement on `target`.
    public static func execute(_ target: PostgresTarget, _ sql: String) async throws {
        try await target.execute(sql, logger: Logger(label: "journey.test.postgres"))
    }

    /// The first column of every row of `sql` on `target`, as text.
    public static func column(_ target: PostgresTarget, _ sql: String) async throws -> [String?] {
        let logger = Logger(label: "journey.test.postgres")
        let c = try await target.connect(logger: logger)
        defer { Task { try? await c.close() } }
        var out: [String?] = []
        do {
            for try await row in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                out.append(try row.makeRandomAccess()[0].decode(String?.self))
            }
        } catch {
            throw PostgresError(.server, "\(sql.prefix(80)): \(PostgresTarget.describe(error))")
        }
        return out
    }
}

extension TestPostgres {
    /// Drops a role a test made, with its grants in `target`'s database.
    public static func dropRole(_ target: PostgresTarget, _ role: String) async {
        try? await execute(target, "DROP OWNED BY \(role)")
        try? await execute(target, "DROP ROLE IF EXISTS \(role)")
    }
}
