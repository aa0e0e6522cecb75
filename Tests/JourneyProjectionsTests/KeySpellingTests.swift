import Foundation
import JourneyLog
import JourneyModel
@testable import JourneyProjections
import JourneyTestSupport
import XCTest

/// A key is its bytes. Every agent, queue, team, reason, contact and customer
/// of a simulated log is renamed so that pairs of keys are the same text
/// written two ways (precomposed and decomposed `é`, which Swift's `==`
/// equates); the projection of that log must equal the projection of the same
/// log with the pairs plainly different (`P` and `D`), row for row and figure
/// for figure. When any part of the projection keys a dictionary by a Swift
/// `String`, two agents (or queues …) become one and the tables differ.
final class KeySpellingTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-spelling-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Each table's lines of a canonical dump, sorted, after `transform`.
    static func tables(_ dump: String, _ transform: (String) -> String = { $0 }) -> [String] {
        var out: [String] = [], section: [String] = []
        for line in transform(dump).split(separator: "\n").map(String.init) {
            if line.hasPrefix("## ") {
                out += section.sorted()
                out.append(line)
                section = []
            } else {
                section.append(line)
            }
        }
        return out + section.sorted()
    }

    /// Reports the first differing line, not two whole dumps.
    func assertSame(_ colliding: [String], _ distinct: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(colliding.count, distinct.count, "\(what): line counts", file: file, line: line)
        if let i = colliding.indices.first(where: { $0 < distinct.count && colliding[$0] != distinct[$0] }) {
            let table = distinct[...i].last { $0.hasPrefix("## ") } ?? "?"
            XCTFail("\(what): \(table) differs:\n  colliding \(colliding[i])\n  distinct  \(distinct[i])", file: file, line: line)
        }
    }

    func testKeysWrittenTwoWaysStayApartInEveryTableAndQuery() throws {
        let colliding = try KeySpellings.stores(directory: "\(root)/c", form: .colliding, seed: 17, days: 4)
        let distinct = try KeySpellings.stores(directory: "\(root)/d", form: .distinct, seed: 17, days: 4)
        let c = try ProjectionEngine(path: "\(root)/c.sqlite"), d = try ProjectionEngine(path: "\(root)/d.sqlite")
        _ = try c.rebuild(from: colliding.node)
        _ = try d.rebuild(from: distinct.node)
        let expected = Self.tables(try d.canonicalDump())
        // The renaming really made pairs that Swift calls one string.
        XCTAssertEqual("ag-\u{E9}-00003", "ag-e\u{301}-00003")
        XCTAssertTrue(try c.canonicalDump().contains("ag-e\u{301}-00003"))
        XCTAssertGreaterThan(expected.filter { $0.contains("ag-D-") }.count, 10)
        assertSame(Self.tables(try c.canonicalDump(), KeySpellings.distinctText), expected, "rebuilt")

        // Caught up a few blocks at a time, both origins interleaved.
        let hub = try LogStore.create(directory: "\(root)/hub", site: "hub")
        let caughtUp = try ProjectionEngine(path: "\(root)/hub.sqlite")
        caughtUp.flushEvents = 500
        let east = try blocks(colliding.node, "east"), west = try blocks(colliding.node, "west")
        for i in 0..<max(east.count, west.count) {
            if i < east.count { try hub.appendReplicated(east[i], publicKey: colliding.node.publicKey) }
            if i < west.count { try hub.appendReplicated(west[i], publicKey: colliding.west.publicKey) }
            if i % 3 == 2 { _ = try caughtUp.catchUp(from: hub) }
        }
        _ = try caughtUp.catchUp(from: hub)
        assertSame(Self.tables(try caughtUp.canonicalDump(), KeySpellings.distinctText), expected, "caught up")

        // The queries that group in memory: teams by team, agents sorted by id.
        var all = ProjectionQuery.Filter()
        all.limit = 100_000
        for q: ProjectionQuery in [.teams(all, by: .range), .teams(all, by: .week), .agents(all, sort: nil), .agents(all, sort: "handled")] {
            let got = KeySpellings.distinctText(JSONWriter.string(try c.query(q).json))
            XCTAssertEqual(got, JSONWriter.string(try d.query(q).json), "\(q)")
        }
    }

    func blocks(_ store: LogStore, _ origin: String) throws -> [Block] {
        guard let snap = store.snapshot(origin: origin) else { return [] }
        return try snap.blocks.indices.map { try snap.block(at: $0) }
    }
}
