import Foundation
import JourneyLog
import JourneyModel
import XCTest

/// Every shipped log format version keeps reading: the stored fixture of v1
/// must open, decode to the recorded canonical JSONL, and keep its chain head.
final class FixtureTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    func copyOfFixture(_ name: String) throws -> String {
        let target = NSTemporaryDirectory() + "journey-fixture-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: target)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: target) }
        return target
    }

    func testVersion1LogStillReads() throws {
        let dir = try copyOfFixture("log-v1")
        let store = try LogStore.open(directory: dir)
        XCTAssertEqual(store.site, "fixture")
        var lines: [UInt8] = []
        try store.forEachEvent(origin: "fixture") { e in
            EventCodec.encode(e, into: &lines)
            lines.append(0x0A)
            return true
        }
        let expected = try Data(contentsOf: Self.fixtures.appendingPathComponent("log-v1.expected.jsonl"))
        XCTAssertEqual(String(decoding: lines, as: UTF8.self), String(decoding: expected, as: UTF8.self))
        let stats = try Data(contentsOf: Self.fixtures.appendingPathComponent("log-v1.stats.json"))
        let recorded = try JSONParser.parse(String(decoding: stats, as: UTF8.self))
        guard case .object(let root) = recorded, case .array(let origins)? = root["origins"], case .object(let o)? = origins.first else {
            return XCTFail("unreadable stats fixture")
        }
        XCTAssertEqual(store.stats().first?.headHash, o["headHash"]?.stringValue)
        XCTAssertEqual(store.stats().first?.storedBytes, o["storedBytes"]?.intValue.map(UInt64.init))
        XCTAssertTrue(try LogVerifier(directory: dir, publicKeys: ["fixture": store.publicKey]).verify().isSound)
        XCTAssertEqual(store.stats().first?.blocks, 2)
    }
}
