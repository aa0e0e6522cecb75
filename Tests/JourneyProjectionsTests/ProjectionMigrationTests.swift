import Foundation
import GRDB
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
@testable import JourneyProjections
import JourneyTestSupport
import XCTest

/// A projection written by an older release is brought to the current schema
/// when opened, and its rows then equal a fresh rebuild from the same log.
final class ProjectionMigrationTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-migrate-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Every shipped schema version (v1, v2) holding rows derived by its own
    /// rules: opening it applies the later migrations, which empty the derived
    /// rows so that the next catch-up re-derives them under today's rules
    /// (v3 changed how FCR counts a repeat inside an open window).
    func testEveryShippedSchemaVersionIsMigratedAndRederived() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = SimulationConfig(sites: ["east"], seed: 3, days: 5)
        config.agentsPerSite = 10
        config.contactsPerDay = 150
        config.customersPerSite = 300
        let store = try LogStore.create(directory: dir + "/store", site: "east")
        try Simulator(config: config).run { _, events in _ = try store.append(events) }
        let fresh = try ProjectionEngine(path: dir + "/fresh.sqlite")
        _ = try fresh.rebuild(from: store)
        for version in ["v1", "v2"] {
            let path = dir + "/\(version).sqlite"
            let old = try DatabaseQueue(path: path)
            try ProjectionSchema.migrator.migrate(old, upTo: version)
            // Rows an old release could hold: a checkpoint at the head, a horizon, an agent-day whose
            // FCR counted an open window's repeat (fcr_elapsed 1, fcr_ok 0).
            try old.write { db in
                try db.execute(sql: "INSERT INTO checkpoint (origin, last_seq) VALUES ('east', ?)", arguments: [store.snapshot(origin: "east")?.lastSeq ?? 0])
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('horizon', '1')")
                try db.execute(sql: """
                    INSERT INTO agent_day (agent, day, site, team, handled, talk_ms, hold_ms, acw_ms, transferred, resolved, closed, repeated,
                                           fcr_elapsed, fcr_ok, surveys, satisfied, logged_ms, ready_ms, busy_ms, notready_ms, missed)
                    VALUES ('stale', 20514, 'east', NULL, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
                    """)
            }
            try old.close()
            let engine = try ProjectionEngine(path: path)
            XCTAssertEqual(engine.positions, [:], "\(version): the migration empties the derived rows and their checkpoints")
            try engine.catchUp(from: store)
            XCTAssertEqual(try engine.canonicalDump(), try fresh.canonicalDump(), "\(version): re-derived under today's rules")
            let applied = try DatabaseQueue(path: path).read { try ProjectionSchema.migrator.appliedMigrations($0) }
            XCTAssertEqual(applied, ProjectionSchema.migrator.migrations)
        }
    }
}

extension ProjectionMigrationTests {
    /// v4 (the export journal) adds tables and keeps every row of a v3
    /// file: no rebuild, and no export is attached until `journey project`.
    func testAVersion3FileKeepsItsRowsAndHasNoExportAttached() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/v3.sqlite"
        let old = try DatabaseQueue(path: path)
        try ProjectionSchema.migrator.migrate(old, upTo: "v3")
        try old.write { db in
            try db.execute(sql: "INSERT INTO checkpoint (origin, last_seq) VALUES ('east', 42)")
            try db.execute(sql: "INSERT INTO interval_stat (site, queue, interval_start, day, offered, answered, abandoned, short_abandoned, answered_in_sl, wait_ms_answered, handled, handle_ms) VALUES ('east', 'billing', 0, 0, 3, 2, 1, 0, 2, 100, 2, 900)")
        }
        try old.close()
        let engine = try ProjectionEngine(path: path)
        XCTAssertEqual(engine.positions, ["east": 42])
        XCTAssertEqual(try engine.intervalRows(ProjectionQuery.Filter()).map(\.offered), [3])
        XCTAssertNil(try engine.exportJournal())
        let applied = try DatabaseQueue(path: path).read { try ProjectionSchema.migrator.appliedMigrations($0) }
        XCTAssertEqual(applied, ProjectionSchema.migrator.migrations)
    }
}

extension ProjectionMigrationTests {
    /// v5 (surveyed contacts indexed) keeps every row of a v4 file and the
    /// site rows read the same NPS figures through the new index as a count
    /// over every contact does, for the whole history and for each day.
    func testAVersion4FileKeepsItsRowsAndReadsNPSThroughItsNewIndex() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SimulatedNode.twoCentres(directory: dir, seed: 5, days: 4)
        let path = dir + "/v4.sqlite"
        _ = try ProjectionEngine(path: path).rebuild(from: store)
        // The same file as v4 wrote it: without v5's index and its migration record.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: "DROP INDEX contact_nps")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5'")
        }
        let before = try old.read { db in try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY site, contact") }
        try old.close()
        let engine = try ProjectionEngine(path: path)
        XCTAssertEqual(engine.positions["east"], store.lastSeq(of: "east"), "the rows are kept: no rebuild")
        XCTAssertEqual(try engine.missingIndexes(), [])
        let after = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY site, contact") }
        XCTAssertEqual(after, before)
        let applied = try DatabaseQueue(path: path).read { try ProjectionSchema.migrator.appliedMigrations($0) }
        XCTAssertEqual(applied, ProjectionSchema.migrator.migrations)

        // The whole-history statement reads the surveyed contacts through the index, not every contact.
        guard let npsSQL = engine.reads.sites(ProjectionQuery.Filter()).statements.first(where: { $0.sql.contains("nps IS NOT NULL") })?.sql else {
            return XCTFail("the site rows read NPS")
        }
        let plan = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + npsSQL).map { $0["detail"] as String } }
        XCTAssertTrue(plan.contains { $0.contains("COVERING INDEX contact_nps") }, "\(plan)")

        // Brute force: every contact's NPS counted per site (and per site and day).
        var expected: [String: [Int64?: (answers: Int64, promoters: Int64, detractors: Int64)]] = [:]
        let contacts = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT site, day, nps FROM contact NOT INDEXED").map { (site: $0[0] as String, day: $0[1] as Int64?, nps: $0[2] as Int64?) }
        }
        for c in contacts {
            guard let nps = c.nps else { continue }
            for day in [nil, c.day] {
                var t = expected[c.site, default: [:]][day, default: (0, 0, 0)]
                t.answers += 1
                if nps >= 9 { t.promoters += 1 }
                if nps <= 6 { t.detractors += 1 }
                expected[c.site, default: [:]][day] = t
            }
        }
        XCTAssertGreaterThan(expected.values.map { $0[nil]?.answers ?? 0 }.reduce(0, +), 100, "the simulation answers surveys")
        let days = Set(expected.values.flatMap(\.keys)).compactMap { $0 }
        for day in [nil] + days.map(Optional.some) {
            var filter = ProjectionQuery.Filter()
            filter.fromDay = day
            filter.toDay = day
            for row in try engine.siteRows(filter) {
                let e = expected[row.site]?[day]
                XCTAssertEqual(row.npsAnswers, e?.answers, "\(row.site) \(String(describing: day))")
                XCTAssertEqual(row.promoters, e?.promoters, "\(row.site) \(String(describing: day))")
                XCTAssertEqual(row.detractors, e?.detractors, "\(row.site) \(String(describing: day))")
            }
        }
    }
}

extension ProjectionMigrationTests {
    /// v6 (the customer index that holds what the repeat derivation reads)
    /// keeps every row of a v5 file, replaces v5's customer index, and the
    /// derivation of every customer then reads the contacts from it alone,
    /// in order, without sorting; a full derivation on the migrated file
    /// equals a rebuild.
    func testAVersion5FileKeepsItsRowsAndWalksCustomersFromItsNewIndex() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SimulatedNode.twoCentres(directory: dir, seed: 6, days: 4)
        let path = dir + "/v5.sqlite"
        let fresh = try ProjectionEngine(path: path)
        _ = try fresh.rebuild(from: store)
        let rebuilt = try fresh.canonicalDump()
        // The same file as v5 wrote it: v1's customer and visit-by-agent indexes, no v6 index, no
        // record of v6 or v7.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: "DROP INDEX \(ProjectionSchema.customerWalkIndex)")
            try db.execute(sql: "CREATE INDEX contact_by_customer ON contact (customer, started_at)")
            try db.execute(sql: "CREATE INDEX visit_by_agent ON visit (agent, day)")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v6', 'v7')")
        }
        try old.close()
        let engine = try ProjectionEngine(path: path)
        XCTAssertEqual(engine.positions["east"], store.lastSeq(of: "east"), "the rows are kept: no rebuild")
        XCTAssertEqual(try engine.canonicalDump(), rebuilt)
        XCTAssertEqual(try engine.missingIndexes(), [])
        let check = try DatabaseQueue(path: path)
        let indexes = try check.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact'") }
        XCTAssertFalse(indexes.contains("contact_by_customer"), "\(indexes)")
        XCTAssertEqual(try check.read { try ProjectionSchema.migrator.appliedMigrations($0) }, ProjectionSchema.migrator.migrations)
        let plan = try check.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ProjectionEngine.everyCustomerWalkSQL).map { $0["detail"] as String }
        }
        XCTAssertTrue(plan.contains { $0.contains("COVERING INDEX \(ProjectionSchema.customerWalkIndex)") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.contains("TEMP B-TREE") }, "the walk sorts nothing: \(plan)")
        // Every customer derived again on the migrated file.
        try check.write { try $0.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('dirty_all', '1')") }
        try check.close()
        try engine.catchUp(from: store)
        XCTAssertEqual(try engine.canonicalDump(), rebuilt)
    }
}

extension ProjectionMigrationTests {
    /// v7 drops v1's index of visits by agent, which no query reads, and
    /// keeps every row of a v6 file; a rebuild no longer builds it, and a
    /// catch-up on the migrated file equals a rebuild.
    func testAVersion6FileKeepsItsRowsAndLosesTheUnreadVisitIndex() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SimulatedNode.twoCentres(directory: dir, seed: 7, days: 4)
        let path = dir + "/v6.sqlite"
        let fresh = try ProjectionEngine(path: path)
        // Up to half of each log, so that events remain to be caught up on the migrated file.
        let half = Dictionary(uniqueKeysWithValues: store.origins.map { ($0, store.lastSeq(of: $0) / 2) })
        _ = try fresh.rebuild(from: store, limit: .init(positions: half))
        let rebuilt = try fresh.canonicalDump()
        func visitIndexes(_ q: DatabaseQueue) throws -> [String] {
            try q.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'visit' AND sql IS NOT NULL") }
        }
        XCTAssertEqual(try visitIndexes(fresh.db), ["visit_by_day"], "a rebuild builds no index of visits by agent")
        // The same file as v6 wrote it: with v1's index of visits by agent, no record of v7.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: "CREATE INDEX visit_by_agent ON visit (agent, day)")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7'")
        }
        try old.close()
        let (engine, check) = try openMigrated(path, positions: half, rows: rebuilt)
        XCTAssertEqual(try visitIndexes(check), ["visit_by_day"])
        try check.close()
        // The other half after the migration: the catch-up writes visits without the index and equals a rebuild.
        try assertCatchUpEqualsRebuild(engine, store)
    }
}

extension ProjectionMigrationTests {
    /// The opcodes of the statement that writes a contact row: an IN list in
    /// a CHECK shows as `OpenEphemeral`, a lookup table SQLite builds again
    /// every time the statement runs.
    func writeOpcodes(_ q: DatabaseQueue) throws -> [String] {
        try q.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN INSERT OR REPLACE INTO contact (site, contact, outcome, csat, nps) VALUES (?, ?, ?, ?, ?)",
                             arguments: StatementArguments([nil, nil, nil, nil, nil] as [(any DatabaseValueConvertible)?])).map { $0["opcode"] as String }
        }
    }

    /// Whether a contact row with `outcome` may be written to the file `q`
    /// (written in a savepoint and rolled back).
    func accepts(_ q: DatabaseQueue, outcome: String, csat: Int? = nil, nps: Int? = nil) throws -> Bool {
        var accepted = false
        try q.write { db in
            try db.inSavepoint {
                do {
                    try db.execute(sql: "INSERT INTO contact (site, contact, outcome, csat, nps) VALUES ('x', 'probe', ?, ?, ?)",
                                   arguments: [outcome, csat, nps])
                    accepted = true
                } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {}
                return .rollback
            }
        }
        return accepted
    }

    /// v8 declares the contact table's check of `outcome` as comparisons
    /// instead of an IN list, keeps every row and index of a v7 file, and
    /// allows exactly the values v7 allowed; a catch-up on the migrated file
    /// equals a rebuild.
    func testAVersion7FileKeepsItsRowsAndChecksOutcomesWithoutALookupTable() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SimulatedNode.twoCentres(directory: dir, seed: 8, days: 4)
        // v7's schema as its migrations declare it.
        let v7 = try DatabaseQueue(path: dir + "/v7-empty.sqlite")
        try ProjectionSchema.migrator.migrate(v7, upTo: "v7")
        guard let v7Contact = try v7.read({ try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE name = 'contact'") }) else {
            return XCTFail("v7 declares a contact table")
        }
        XCTAssertTrue(try writeOpcodes(v7).contains("OpenEphemeral"), "v7's IN list builds a lookup table per statement run")

        let path = dir + "/v7.sqlite"
        let fresh = try ProjectionEngine(path: path)
        let half = Dictionary(uniqueKeysWithValues: store.origins.map { ($0, store.lastSeq(of: $0) / 2) })
        _ = try fresh.rebuild(from: store, limit: .init(positions: half))
        let rebuilt = try fresh.canonicalDump()
        // The same file as v7 wrote it: its contact table declared as v7 declared it, no record of v8.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact' AND sql IS NOT NULL")
            try db.execute(sql: v7Contact.replacingOccurrences(of: "CREATE TABLE contact (", with: "CREATE TABLE contact_v7 ("))
            try db.execute(sql: "INSERT INTO contact_v7 SELECT * FROM contact; DROP TABLE contact; ALTER TABLE contact_v7 RENAME TO contact")
            for sql in indexes { try db.execute(sql: sql) }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8'")
        }
        XCTAssertTrue(try writeOpcodes(old).contains("OpenEphemeral"))
        try old.close()

        let (engine, check) = try openMigrated(path, positions: half, rows: rebuilt)
        XCTAssertFalse(try writeOpcodes(check).contains("OpenEphemeral"), "no lookup table is built for a contact row")
        XCTAssertFalse(try writeOpcodes(fresh.db).contains("OpenEphemeral"), "nor in a file made today")

        // The same values allowed as v7 allowed: each of v7's outcomes, and strings next to them.
        let v7Outcomes = ["open", "selfserved", "answered", "abandoned", "short-abandon", "transferred", "ended", "refused"]
        var candidates = ["", " ", "Answered", "ANSWERED", "answered ", " answered", "answere", "answeredd", "short_abandon",
                          "short-abandoned", "refuse", "opened", "self-served", "ended\u{1}", "transferred\n", "abandoned'"]
        for o in v7Outcomes { candidates += [o, o.uppercased(), o + "s", String(o.dropLast()), "x" + o] }
        for outcome in candidates {
            XCTAssertEqual(try accepts(check, outcome: outcome), try accepts(v7, outcome: outcome), "outcome \(outcome.debugDescription)")
            XCTAssertEqual(try accepts(check, outcome: outcome), v7Outcomes.contains(outcome), "outcome \(outcome.debugDescription)")
        }
        for (csat, nps) in [(0, 5), (1, 0), (5, 10), (6, 5), (3, -1), (3, 11)] {
            XCTAssertEqual(try accepts(check, outcome: "answered", csat: csat, nps: nps),
                           try accepts(v7, outcome: "answered", csat: csat, nps: nps), "csat \(csat), nps \(nps)")
        }
        try check.close()
        // The other half after the migration equals a rebuild.
        try assertCatchUpEqualsRebuild(engine, store)
    }
}

extension ProjectionMigrationTests {
    /// Opens the file an older release wrote at `path` with today's engine
    /// (which migrates it) and checks that its rows were kept (`positions`,
    /// `rows`), every index is there and every migration is recorded; returns
    /// the engine and a second connection to the file.
    func openMigrated(_ path: String, positions: [String: UInt64], rows: String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> (ProjectionEngine, DatabaseQueue) {
        let engine = try ProjectionEngine(path: path)
        XCTAssertEqual(engine.positions, positions, "the rows are kept: no rebuild", file: file, line: line)
        XCTAssertEqual(try engine.canonicalDump(), rows, file: file, line: line)
        XCTAssertEqual(try engine.missingIndexes(), [], file: file, line: line)
        let check = try DatabaseQueue(path: path)
        XCTAssertEqual(try check.read { try ProjectionSchema.migrator.appliedMigrations($0) }, ProjectionSchema.migrator.migrations,
                       file: file, line: line)
        return (engine, check)
    }

    /// The migrated file caught up with the rest of `store` equals a rebuild of the whole store.
    func assertCatchUpEqualsRebuild(_ engine: ProjectionEngine, _ store: LogStore, file: StaticString = #filePath, line: UInt = #line) throws {
        try engine.catchUp(from: store)
        let whole = try ProjectionEngine(path: dir + "/whole.sqlite")
        _ = try whole.rebuild(from: store)
        XCTAssertEqual(try engine.canonicalDump(), try whole.canonicalDump(), file: file, line: line)
    }
}
