import Foundation
import GRDB
import JourneyBench
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyTestSupport
import XCTest

/// The DuckDB peer of the rebuild bench computes the interval figures,
/// agent-day handle times and repeats from the canonical JSONL with its own
/// SQL. That it agrees with the projection is what makes the bench's ratio
/// mean something, and an independent check of the projection besides.
///
/// The peer needs python3 with venv and PyPI (Scripts/duckdb-peer.sh sets it
/// up). Where it cannot be set up these tests are skipped, unless
/// JOURNEY_REQUIRE_DUCKDB=1 (CI sets it), where that fails them.
final class DuckDBPeerTests: XCTestCase {
    var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "journey-duckdb-peer-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The peer of this checkout, set up, or a skip (a failure under JOURNEY_REQUIRE_DUCKDB=1).
    func peer() throws -> DuckDBPeer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/duckdb-peer.sh").path
        let peer = DuckDBPeer(script: script)
        if let reason = peer.setUp() {
            if ProcessInfo.processInfo.environment["JOURNEY_REQUIRE_DUCKDB"] == "1" {
                XCTFail("JOURNEY_REQUIRE_DUCKDB=1 but the DuckDB peer cannot run: \(reason)")
            }
            throw XCTSkip("the DuckDB peer cannot run here: \(reason)")
        }
        return peer
    }

    /// The bench finds the peer's script of the package it was built in,
    /// whichever path it was started by: `.build/release/journey-bench` (a
    /// link, two levels below the package) or the link's target, three
    /// levels below; and from any working directory.
    func testThePeersScriptIsFoundFromEitherPathOfTheBuild() throws {
        let fm = FileManager.default
        let package = root + "/package"
        try fm.createDirectory(atPath: package + "/Scripts", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: package + "/.build/x86_64-unknown-linux-gnu/release", withIntermediateDirectories: true)
        XCTAssertTrue(fm.createFile(atPath: package + "/Scripts/duckdb-peer.sh", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        let executable = package + "/.build/x86_64-unknown-linux-gnu/release/journey-bench"
        XCTAssertTrue(fm.createFile(atPath: executable, contents: Data(), attributes: [.posixPermissions: 0o755]))
        try fm.createSymbolicLink(atPath: package + "/.build/release", withDestinationPath: "x86_64-unknown-linux-gnu/release")
        let elsewhere = root + "/elsewhere"
        try fm.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let before = fm.currentDirectoryPath
        XCTAssertTrue(fm.changeCurrentDirectoryPath(elsewhere))
        defer { _ = fm.changeCurrentDirectoryPath(before) }
        let script = URL(fileURLWithPath: package + "/Scripts/duckdb-peer.sh").resolvingSymlinksInPath().path
        for path in [package + "/.build/release/journey-bench", executable] {
            XCTAssertEqual(DuckDBPeer.locate(executable: path).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }, script, path)
        }
        // Without the script, nothing is found (and the bench says so).
        try fm.removeItem(atPath: package + "/Scripts/duckdb-peer.sh")
        XCTAssertNil(DuckDBPeer.locate(executable: executable))
    }

    /// A simulated two-site store (one replicated), rebuilt; returns the store and its projection.
    func simulatedNode(seed: UInt64) throws -> (LogStore, ProjectionEngine) {
        let node = try SimulatedNode.twoCentres(directory: root, seed: seed, days: 4, agentsPerSite: 14, contactsPerDay: 400, customersPerSite: 500)
        let engine = try ProjectionEngine(path: "\(root)/p.sqlite")
        _ = try engine.rebuild(from: node)
        return (node, engine)
    }

    func testThePeerAgreesWithTheProjectionRowByRow() throws {
        let peer = try peer()
        let (store, engine) = try simulatedNode(seed: 5)
        let written = try DuckDBPeer.writeJSONL(store, to: root + "/events.jsonl")
        XCTAssertEqual(UInt64(written), store.stats().reduce(0) { $0 + $1.events })
        let result = try peer.run(jsonl: root + "/events.jsonl", engine: engine, output: root + "/figures.json")
        XCTAssertEqual(result.agreement.differences, [])
        var all = ProjectionQuery.Filter()
        all.limit = Int.max
        // Every view was compared, and the fixture holds what the figures are about.
        let intervals = try engine.intervalRows(all), agentDays = try engine.agentDayRows(all).filter { $0.handled > 0 }
        let contactDays = try engine.contactDayRows(all)
        XCTAssertEqual(result.agreement.rows, intervals.count + agentDays.count + contactDays.count)
        XCTAssertGreaterThan(intervals.reduce(0) { $0 + $1.abandoned }, 0)
        XCTAssertGreaterThan(agentDays.reduce(0) { $0 + $1.holdMs }, 0)
        XCTAssertGreaterThan(agentDays.reduce(0) { $0 + $1.transferred }, 0)
        XCTAssertGreaterThan(agentDays.reduce(0) { $0 + $1.repeated }, 0)
        XCTAssertGreaterThan(contactDays.reduce(0) { $0 + $1.repeats }, 0)
        XCTAssertEqual(Set(contactDays.map(\.site)), ["east", "west"])
    }

    /// A projection that differs by one millisecond in one cell of each view is
    /// caught, and the difference is named.
    func testADifferenceInAnyViewIsCaught() throws {
        let peer = try peer()
        let (store, engine) = try simulatedNode(seed: 6)
        _ = try DuckDBPeer.writeJSONL(store, to: root + "/events.jsonl")
        let changes = [("intervals", """
                UPDATE interval_stat SET handle_ms = handle_ms + 1
                WHERE (site, queue, interval_start) IN (SELECT site, queue, interval_start FROM interval_stat WHERE handled > 0 LIMIT 1)
                """),
                       ("agentDays", "UPDATE agent_day SET hold_ms = hold_ms + 1 WHERE (agent, day) IN (SELECT agent, day FROM agent_day WHERE handled > 0 LIMIT 1)"),
                       ("repeatDays", "UPDATE contact SET repeat_of = 'x' WHERE (site, contact) IN (SELECT site, contact FROM contact WHERE repeat_of IS NULL AND day IS NOT NULL LIMIT 1)")]
        for (view, sql) in changes {
            let db = try DatabaseQueue(path: "\(root)/p.sqlite")
            try db.write { try $0.execute(sql: sql) }
            try db.close()
            let result = try peer.run(jsonl: root + "/events.jsonl", engine: engine, output: root + "/figures.json")
            XCTAssertFalse(result.agreement.agrees, view)
            XCTAssertTrue(result.agreement.differences.allSatisfy { $0.hasPrefix(view) }, "\(result.agreement.differences)")
            // Undo by rebuilding, so the next view is the only one changed.
            _ = try engine.rebuild(from: store)
        }
    }

    func testComparisonIgnoresOrderAndReportsCountsAndCells() {
        let ours = ["v": [["a", "1"], ["b", "2"]]]
        XCTAssertTrue(DuckDBPeer.compare(ours: ours, theirs: ["v": [["b", "2"], ["a", "1"]]]).agrees)
        let fewer = DuckDBPeer.compare(ours: ours, theirs: ["v": [["a", "1"]]])
        XCTAssertEqual(fewer.differences.first, "v: 2 rows in the projection, 1 from DuckDB")
        let other = DuckDBPeer.compare(ours: ours, theirs: ["v": [["a", "1"], ["b", "3"]]])
        XCTAssertEqual(other.differences, ["v row 2: projection [b, 2], DuckDB [b, 3]"])
        XCTAssertEqual(other.rows, 2)
    }
}
