import Foundation
@testable import JourneyPostgres
import JourneyModel
import JourneyProjections
import NIOCore
import XCTest

/// The parts of the PostgreSQL projection that need no server: where to
/// connect and with which password, the COPY text encoding, partition
/// bounds, placeholders.
final class PostgresUnitTests: XCTestCase {
    func testTheURLIsReadAndItsFaultsNamed() throws {
        let t = try PostgresTarget.parse("postgres://hq@db.example:6543/journey?sslmode=verify-full", allowPassword: false)
        XCTAssertEqual(t.host, "db.example")
        XCTAssertEqual(t.port, 6543)
        XCTAssertEqual(t.user, "hq")
        XCTAssertEqual(t.database, "journey")
        XCTAssertEqual(t.tls, .verifyFull)
        XCTAssertNil(t.password)
        XCTAssertEqual(try PostgresTarget.parse("postgresql://hq@db/", allowPassword: false).database, "hq", "the database defaults to the user's name")
        XCTAssertEqual(try PostgresTarget.parse("postgres://hq@db", allowPassword: false).tls, .prefer)
        for (url, says) in [("http://hq@db/x", "not a PostgreSQL URL"), ("postgres://db/x", "no user"), ("postgres://hq@db:0/x", "out of range"),
                            ("postgres://hq@db/x?sslmode=maybe", "sslmode must be one of"), ("postgres://hq@db/x?timeout=3", "unknown PostgreSQL URL parameter"),
                            ("postgres://hq:secret@db/x", "ps")] {
            XCTAssertThrowsError(try PostgresTarget.parse(url, allowPassword: false), url) { e in
                let message = (e as? PostgresError)?.message ?? ""
                XCTAssertTrue(message.contains(says), "\(url): \(message)")
                XCTAssertFalse(message.contains("secret"), "a password is never echoed: \(message)")
                XCTAssertEqual((e as? PostgresError)?.kind, .badInput)
            }
        }
    }

    func testThePasswordComesFromAFileOrTheEnvironmentNeverTheCommandLine() throws {
        let file = NSTemporaryDirectory() + "pw-\(UUID().uuidString)"
        try "from-file\nsecond line\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let url = "postgres://hq@db/journey"
        XCTAssertEqual(try PostgresTarget.resolve(url: url, passwordFile: file, environment: ["PGPASSWORD": "env"]).password, "from-file")
        XCTAssertEqual(try PostgresTarget.resolve(url: url, passwordFile: nil, environment: ["JOURNEY_POSTGRES_PASSWORD_FILE": file]).password, "from-file")
        XCTAssertEqual(try PostgresTarget.resolve(url: url, passwordFile: nil, environment: ["PGPASSWORD": "env"]).password, "env")
        XCTAssertEqual(try PostgresTarget.resolve(url: nil, passwordFile: nil, environment: ["JOURNEY_POSTGRES_URL": "postgres://hq:inurl@db/j"]).password,
                       "inurl", "a URL from the environment may hold the password")
        XCTAssertThrowsError(try PostgresTarget.resolve(url: nil, passwordFile: nil, environment: [:]))
        XCTAssertThrowsError(try PostgresTarget.resolve(url: url, passwordFile: file + "-missing", environment: [:]))
        XCTAssertFalse(try PostgresTarget.resolve(url: url, passwordFile: file, environment: [:]).redacted.contains("from-file"))
    }

    func encoded(_ values: [ExportValue], interned: [Bool]? = nil) throws -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        var names = NameIDs(["east": 7])
        try CopyText.appendRow(values, interned: interned ?? values.map { _ in false }, names: &names, to: &buffer)
        return String(buffer: buffer)
    }

    func testNamesWrittenTwoWaysGetTwoIDs() {
        var names = NameIDs(["Jos\u{E9}": 7])
        XCTAssertEqual(names.id(for: "Jos\u{E9}"), 7)
        let decomposed = names.id(for: "Jose\u{301}")
        XCTAssertNotEqual(decomposed, 7, "the decomposed spelling is a name of its own, as the column's C collation keeps it")
        XCTAssertEqual(names.existing("Jose\u{301}"), decomposed)
        XCTAssertEqual(names.added.map(\.1.utf8.count), [6])
    }

    func testCopyTextEscapesEverythingThatCouldEndAFieldOrARow() throws {
        XCTAssertEqual(try encoded([.integer(0), .integer(-1), .integer(Int64.max), .integer(Int64.min), .null]),
                       "0\t-1\t9223372036854775807\t-9223372036854775808\t\\N\n")
        XCTAssertEqual(try encoded([.text("a\tb\nc\rd\\e"), .text("\\N"), .text("\\."), .text("")]), "a\\tb\\nc\\rd\\\\e\t\\\\N\t\\\\.\t\n")
        XCTAssertEqual(try encoded([.text("nul\u{0}x")]), "nul\u{FFFD}x\n")
        XCTAssertEqual(try encoded([.real(0.1), .real(1e-7), .real(2.0)]), "0.1\t1e-07\t2.0\n")
        XCTAssertThrowsError(try encoded([.real(.nan)]))
        XCTAssertEqual(try encoded([.text("east"), .text("new"), .text("east")], interned: [true, true, true]), "7\t8\t7\n",
                       "known names keep their id, new ones get the next")
        // Every integer reads back.
        var rng = SplitMix64(seed: 4)
        for _ in 0..<2_000 {
            let i = Int64(bitPattern: rng.next()) >> (rng.next() % 64)
            XCTAssertEqual(try encoded([.integer(i)]), "\(i)\n")
        }
    }

    func testMonthPartitionsCoverEveryDayOnce() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<2_000 {
            let day = Int64(rng.next() % 3_000_000) - 700_000  // years 0053 … 8150
            let month = LocalMonth(day: day)
            XCTAssertLessThanOrEqual(month.firstDay, day)
            XCTAssertGreaterThan(month.next.firstDay, day)
            XCTAssertEqual(month.tag.count, 7)
        }
        XCTAssertEqual(LocalMonth(day: LocalDay(year: 2026, month: 12, day: 31).number).next.tag, "p202701")
    }

    func testPlaceholdersAreNumberedAndStatementsSplit() {
        XCTAssertEqual(PostgresReader.numbered("a = ? AND b <= ? + ?"), "a = $1 AND b <= $2 + $3")
        XCTAssertEqual(PostgresSchema.statements("CREATE TABLE a (x int);\n-- note;\nCREATE VIEW v AS\n  SELECT 1;\n"),
                       ["CREATE TABLE a (x int)", "CREATE VIEW v AS\n  SELECT 1"])
    }
}
