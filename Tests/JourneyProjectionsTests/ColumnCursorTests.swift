import Foundation
import GRDB
import JourneyModel
@testable import JourneyProjections
import XCTest

/// The walk's cursor reads what GRDB's `Row` reads: the same integers and
/// NULLs, the same text (cut at a NUL, invalid UTF-8 repaired), interned
/// strings equal to the ones it would make, and a failing step thrown.
final class ColumnCursorTests: XCTestCase {
    /// Text values that stress the reading: empty, NUL inside, multi-byte,
    /// canonically equivalent spellings, invalid UTF-8 (stored through a blob).
    static let spellings: [String] = [
        "''", "'north'", "'a' || char(0) || 'b'", "'é✓ 😀'", "'e' || char(769)", "char(233)",
        "CAST(x'ff61' AS TEXT)", "CAST(x'61c3' AS TEXT)", "NULL", "'" + String(repeating: "x", count: 300) + "'",
    ]

    func bytes(_ text: String?) -> [UInt8]? { text.map { Array($0.utf8) } }

    func testEveryColumnReadsAsGRDBReadsIt() throws {
        let db = try DatabaseQueue()
        var rng = SplitMix64(seed: 5)
        try db.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b TEXT, i INTEGER)")
            for n in 0..<400 {
                let a = Self.spellings[Int(rng.next() % UInt64(Self.spellings.count))]
                let b = Self.spellings[Int(rng.next() % UInt64(Self.spellings.count))]
                let i = rng.next() % 5 == 0 ? "NULL" : String(Int64(bitPattern: rng.next()))
                try db.execute(sql: "INSERT INTO t VALUES (\(n), \(a), \(b), \(i))")
            }
        }
        try db.read { db in
            let expected = try Row.fetchAll(db, sql: "SELECT a, b, i FROM t ORDER BY n")
            var cursor = try ColumnCursor(db, sql: "SELECT a, b, i FROM t ORDER BY n")
            var pool: [String] = []
            var read = 0
            while try cursor.next() {
                let row = expected[read]
                // Compared by bytes: String's == takes canonically equivalent spellings for one.
                XCTAssertEqual(bytes(try cursor.text(0)), bytes(row[0]), "row \(read)")
                XCTAssertEqual(bytes(try cursor.text(1, interning: &pool, poolMax: 4)), bytes(row[1]), "row \(read)")
                XCTAssertEqual(cursor.int64(2), row[2] as Int64?, "row \(read)")
                // Its bytes compare equal to the text GRDB made when that text is valid UTF-8.
                if let text = row[0] as String?, !text.contains("\u{FFFD}") {
                    XCTAssertTrue(try cursor.hasBytes(0, Array(text.utf8)), "row \(read)")
                    XCTAssertFalse(try cursor.hasBytes(0, Array(text.utf8) + [0x21]), "row \(read)")
                } else if row[0] == nil {
                    XCTAssertFalse(try cursor.hasBytes(0, []), "NULL has no bytes, not even none")
                }
                read += 1
            }
            XCTAssertEqual(read, 400)
            XCTAssertLessThanOrEqual(pool.count, 4, "the pool stays within its bound")
            XCTAssertFalse(try cursor.next(), "an exhausted cursor stays exhausted")
        }
    }

    func testInterningHandsOutOneStringPerValue() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            var cursor = try ColumnCursor(db, sql: "SELECT column1 FROM (VALUES ('north'), ('south'), ('north'), (NULL), ('e' || char(769)), (char(233)))")
            var pool: [String] = []
            var got: [String?] = []
            while try cursor.next() { got.append(try cursor.text(0, interning: &pool)) }
            XCTAssertEqual(got.map { $0.map { Array($0.utf8) } }, [Array("north".utf8), Array("south".utf8), Array("north".utf8), nil,
                                                                   [0x65, 0xCC, 0x81], [0xC3, 0xA9]])
            // Canonically equivalent spellings are two values, as SQLite compares them.
            XCTAssertEqual(pool.count, 4)
        }
    }

    func testAStepThatFailsIsThrown() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            // Integer overflow is raised by the step, not by the prepare.
            var cursor = try ColumnCursor(db, sql: "SELECT abs(-9223372036854775807 - 1)")
            XCTAssertThrowsError(try cursor.next()) { error in
                XCTAssertTrue(error is DatabaseError, "\(error)")
            }
            XCTAssertFalse(try cursor.next())
        }
    }
}
