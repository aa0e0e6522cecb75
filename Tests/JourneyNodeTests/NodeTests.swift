import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import Synchronization
import XCTest

/// A node driven in-process, as the command line and the console drive it:
/// no printing, errors with codes, stamps from the injected clock.
final class NodeTests: XCTestCase {
    var dir = ""
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/import")

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("node-\(UUID().uuidString)").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A node on `dir`, collecting what it reports.
    func node(clock: any NodeClock = ManualClock(Timestamp(ms: 1_772_438_400_000))) -> (Node, Reports) {
        let reports = Reports()
        return (Node(directory: DataDirectory(dir), clock: clock, progress: { reports.add("progress", $0) },
                     warn: { reports.add("warn", $0) }), reports)
    }

    func testImportProjectAndRecordThroughTheNode() throws {
        let stamp = try XCTUnwrap(Timestamp(rfc3339: "2026-05-04T10:00:00Z"))
        let (node, _) = node(clock: ManualClock(stamp))
        let zone = try XCTUnwrap(SiteTimeZone(identifier: "Europe/London"))
        try node.create(site: "north", zone: zone, pseudonymKey: Array(repeating: 7, count: 32)).close()
        let store = try node.openStore()
        let r = try node.importRecords(fixtures.appendingPathComponent("queue_log").path, format: .asterisk, map: nil, to: store, rejects: nil)
        XCTAssertGreaterThan(r.stored.appended, 0)
        XCTAssertTrue(r.rejected.isEmpty)
        let again = try node.importRecords(fixtures.appendingPathComponent("queue_log").path, format: .asterisk, map: nil, to: store, rejects: nil)
        XCTAssertEqual(again.stored.appended, 0, "ids are derived from the source: nothing twice")
        store.close()

        let (reader, engine) = try node.projections()
        XCTAssertGreaterThan(try engine.intervalRows(ProjectionQuery.Filter()).count, 0)
        reader.close()

        let events = [Event(site: "north", id: "note-1", at: stamp, kind: EventKind("note.taken"))]
        XCTAssertEqual(try node.record(events).appended, 1)
        let check = try node.openStore(readOnly: true)
        var zoneStamps: [Timestamp] = []
        try check.forEachEvent(origin: "north", afterSeq: 0) { e in
            if e.kind == .siteConfigured { zoneStamps.append(e.at) }
            return true
        }
        check.close()
        XCTAssertEqual(zoneStamps, [stamp], "the zone's record is stamped by the node's clock")
    }

    func testRefusedInputStoresNothingAndSaysWhyThroughTheNode() throws {
        let (node, reports) = node()
        try node.create(site: "north", zone: nil, pseudonymKey: nil).close()
        let store = try node.openStore()
        defer { store.close() }
        let file = dir + "/bad.jsonl"
        try "{\"kind\":\"contact.started\",\"at\":\"2026-03-02T08:00:00Z\",\"contact\":\"c1\",\"channel\":\"voice\"}\nnot json\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try node.appendJSONL(file, to: store, rejects: nil)) { error in
            XCTAssertEqual((error as? NodeError)?.code, .refused)
            XCTAssertEqual((error as? any CodedError)?.kind, .badInput)
        }
        XCTAssertTrue(reports.lines("warn").contains { $0.contains("line 2") }, "\(reports.lines("warn"))")
        XCTAssertEqual(store.snapshot(origin: "north")?.lastSeq ?? 0, 0)

        let rejects = try RejectsSink(path: dir + "/rejects.jsonl")
        let outcome = try node.appendJSONL(file, to: store, rejects: rejects)
        XCTAssertEqual(outcome.result.appended, 1)
        XCTAssertEqual(outcome.rejected.count, 1)
    }

    func testConfigFaultsAreNodeErrorsNamingTheFileAndKey() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #"{"repeatWindowHours": 0}"#.write(toFile: dir + "/kpi.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DataDirectory(dir).kpiParameters()) { error in
            XCTAssertEqual((error as? NodeError)?.code, .config)
            XCTAssertTrue("\(error)".contains("kpi.json") && "\(error)".contains("'repeatWindowHours' must be a whole number in 1…1440"), "\(error)")
        }
        try #"{"peers":[{"url":"http://x:1","token":"t","tokn":"u"}]}"#.write(toFile: dir + "/sync.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DataDirectory(dir).syncConfig()) { error in
            XCTAssertTrue("\(error)".contains("sync.json") && "\(error)".contains("unknown key 'peers[0].tokn'"), "\(error)")
        }
        XCTAssertNil(try DataDirectory(dir + "/none").syncConfigIfPresent())
    }
}

/// What a node reported, by channel.
final class Reports: Sendable {
    private let all = Mutex<[(String, String)]>([])
    func add(_ channel: String, _ line: String) { all.withLock { $0.append((channel, line)) } }
    func lines(_ channel: String) -> [String] { all.withLock { $0.filter { $0.0 == channel }.map(\.1) } }
}
