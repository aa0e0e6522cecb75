import Foundation
import GRDB
import GRDBSQLite
@testable import JourneyProjections
import XCTest

/// How the projection engine sets up its SQLite file.
final class ProjectionFileTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-file-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Deleted rows are not overwritten with zeros, whatever the SQLite
    /// build's default: Debian's zeroes them, and a rebuild then wrote every
    /// page of the old projection once more only to empty it. The file holds
    /// nothing its logs do not (docs/threat-model.md). SQLite builds that
    /// zero by default make this fail without the engine's setting.
    func testTheProjectionFileDoesNotZeroDeletedRows() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let engine = try ProjectionEngine(path: dir + "/p.sqlite")
        XCTAssertEqual(try engine.db.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") }, 0)
        // A connection opened without the engine's setting, for the record of what this build does.
        let plain = try DatabaseQueue(path: dir + "/plain.sqlite")
        let byDefault = try plain.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") }
        print("this SQLite build's secure_delete default: \(byDefault.map(String.init) ?? "?")")
    }

    /// SQLite's memory statistics are off from the moment the program loads:
    /// allocations are not counted under a global mutex. Without the loader's
    /// setting SQLite counts them, and this fails.
    func testSQLiteDoesNotCountItsAllocations() throws {
        XCTAssertEqual(SQLiteSetup.result, SQLITE_OK)
        // An engine at work: it allocates through SQLite.
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let engine = try ProjectionEngine(path: dir + "/p.sqlite")
        let before = sqlite3_memory_used()
        let block = sqlite3_malloc(1 << 20)
        defer { sqlite3_free(block) }
        XCTAssertNotNil(block)
        XCTAssertEqual(sqlite3_memory_used(), before)
        withExtendedLifetime(engine) {}
    }
}
