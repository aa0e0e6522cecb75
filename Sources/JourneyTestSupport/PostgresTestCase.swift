import Foundation
import JourneyPostgres
import XCTest

/// A test case against a real PostgreSQL server (``TestPostgres``): skipped
/// without one, failed without one when `JOURNEY_REQUIRE_POSTGRES=1` (CI);
/// a scratch directory per test, and every database it made dropped after.
open class PostgresTestCase: XCTestCase {
    /// The test's scratch directory (removed after it).
    public var dir = ""
    /// Databases made by ``database()``, dropped after the test.
    public var databases: [PostgresTarget] = []

    /// Names the scratch directory and checks for a server.
    open override func setUp() async throws {
        dir = NSTemporaryDirectory() + "journey-\(Self.self)-\(UUID().uuidString)"
        if let why = TestPostgres.unavailable {
            if TestPostgres.required { XCTFail("JOURNEY_REQUIRE_POSTGRES=1 but \(why)") }
            throw XCTSkip(why)
        }
    }

    /// Drops the test's databases and removes its directory.
    open override func tearDown() async throws {
        for d in databases { await TestPostgres.dropDatabase(d) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A new, empty database for this test.
    public func database() async throws -> PostgresTarget {
        let d = try await TestPostgres.createDatabase()
        databases.append(d)
        return d
    }
}
