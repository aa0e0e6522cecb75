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
        let engine = try ProjectionEngine(path: path)
        XCTAssertEqual(engine.positions, half, "the rows are kept: no rebuild")
        XCTAssertEqual(try engine.canonicalDump(), rebuilt)
        XCTAssertEqual(try engine.missingIndexes(), [])
        let check = try DatabaseQueue(path: path)
        XCTAssertEqual(try visitIndexes(check), ["visit_by_day"])
        XCTAssertEqual(try check.read { try ProjectionSchema.migrator.appliedMigrations($0) }, ProjectionSchema.migrator.migrations)
        try check.close()
        // The other half after the migration: the catch-up writes visits without the index and equals a rebuild.
        try engine.catchUp(from: store)
        let whole = try ProjectionEngine(path: dir + "/whole.sqlite")
        _ = try whole.rebuild(from: store)
        XCTAssertEqual(try engine.canonicalDump(), try whole.canonicalDump())
    }
}
