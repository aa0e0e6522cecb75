import Foundation
import GRDB
@testable import JourneyProjections
import XCTest

/// The bulk writers' statement binds what GRDB would bind: the same values
/// read back, empty text distinct from NULL, text cut at a NUL character as
/// GRDB cuts it (a key is the same text on every path), and a row with the
/// wrong number of values refused before it is written.
final class BulkStatementTests: XCTestCase {
    func testValuesRoundTripAsGRDBWritesThem() throws {
        let db = try DatabaseQueue()
        let rows: [(String?, Int64?, Int?, Bool?, Double?)] = [
            ("north", 1, 2, true, 0.5), ("", 0, 0, false, -1.25), (nil, nil, nil, nil, nil),
            ("a\u{0}b", Int64.max, Int.min, true, 1e300), ("é✓ 😀", Int64.min, 42, false, 0),
        ]
        try db.write { db in
            try db.execute(sql: "CREATE TABLE bulk (n INTEGER, t TEXT, i INTEGER, j INTEGER, b INTEGER, r REAL)")
            try db.execute(sql: "CREATE TABLE grdb (n INTEGER, t TEXT, i INTEGER, j INTEGER, b INTEGER, r REAL)")
            var insert = try BulkStatement(db, sql: "INSERT INTO bulk (n, t, i, j, b, r) VALUES (?, ?, ?, ?, ?, ?)")
            for (n, r) in rows.enumerated() {
                insert.bind(n); insert.bind(r.0); insert.bind(r.1); insert.bind(r.2); insert.bind(r.3); insert.bind(r.4)
                try insert.run()
                try db.execute(sql: "INSERT INTO grdb (n, t, i, j, b, r) VALUES (?, ?, ?, ?, ?, ?)", arguments: [n, r.0, r.1, r.2, r.3, r.4])
            }
        }
        let (bulk, grdb) = try db.read { db in
            (try Row.fetchAll(db, sql: "SELECT n, t, typeof(t), length(CAST(t AS BLOB)), i, j, b, r FROM bulk ORDER BY n"),
             try Row.fetchAll(db, sql: "SELECT n, t, typeof(t), length(CAST(t AS BLOB)), i, j, b, r FROM grdb ORDER BY n"))
        }
        XCTAssertEqual(bulk, grdb)
        XCTAssertEqual(bulk.count, rows.count)
        XCTAssertEqual(bulk[1][2] as String, "text", "empty text is text, not NULL")
        XCTAssertEqual(bulk[3][3] as Int, 1, "the text ends at a NUL character, as GRDB binds it")
    }

    func testARowWithTooFewOrTooManyValuesIsRefusedAndNothingWritten() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER, b TEXT)")
            var insert = try BulkStatement(db, sql: "INSERT INTO t (a, b) VALUES (?, ?)")
            insert.bind(1)
            XCTAssertThrowsError(try insert.run())
            insert.bind(1); insert.bind("x"); insert.bind("y")
            XCTAssertThrowsError(try insert.run())
            // The statement is usable again after a refusal.
            insert.bind(2); insert.bind("z")
            try insert.run()
        }
        XCTAssertEqual(try db.read { try Row.fetchAll($0, sql: "SELECT a, b FROM t") }, [["a": 2, "b": "z"]])
    }

    func testAConstraintFailureIsThrownWithSQLiteMessage() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER PRIMARY KEY)")
            var insert = try BulkStatement(db, sql: "INSERT INTO t (a) VALUES (?)")
            insert.bind(1)
            try insert.run()
            insert.bind(1)
            XCTAssertThrowsError(try insert.run()) { error in
                XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_CONSTRAINT)
                XCTAssertTrue("\(error)".contains("UNIQUE"), "\(error)")
            }
        }
    }
}
