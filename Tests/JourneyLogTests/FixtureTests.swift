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

    /// Every file of a directory tree with its bytes.
    func contents(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: dir) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir), !isDir.boolValue {
                out[path] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + path))
            }
        }
        return out
    }

    /// A version 1 store opens read-only without a byte written; a writer
    /// migrates it to format 2 (acknowledgement records, public key in the
    /// manifest), after which damage in its old blocks is refused, not cut.
    func testVersion1OpensReadOnlyUntouchedAndAWriterMigratesIt() throws {
        let dir = try copyOfFixture("log-v1")
        let before = try contents(dir)
        let expected = try String(decoding: Data(contentsOf: Self.fixtures.appendingPathComponent("log-v1.expected.jsonl")), as: UTF8.self)
        let reader = try LogStore.openReadOnly(directory: dir)
        var n = 0
        try reader.forEachEvent(origin: "fixture") { _ in n += 1; return true }
        XCTAssertEqual(n, expected.split(separator: "\n").count)
        XCTAssertEqual(try contents(dir), before, "a read-only open writes nothing")

        let writer = try LogStore.open(directory: dir)
        XCTAssertTrue(writer.recoveryNotes.contains { $0.contains("migrated the store from format 1") }, "\(writer.recoveryNotes)")
        writer.close()
        let manifest = try String(contentsOfFile: dir + "/journey.json", encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"version\":2") && manifest.contains("publicKey"), manifest)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/logs/fixture/ack"))
        let seg = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs/fixture").first { $0.hasSuffix(".seg") })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/logs/fixture/" + seg))
        let size = bytes.count
        bytes[size - 40] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: dir + "/logs/fixture/" + seg))
        let reopened = try LogStore.open(directory: dir)
        XCTAssertNotNil(reopened.damagedOrigins["fixture"], "damage in the migrated blocks is refused")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/logs/fixture/" + seg)).count, size)
    }
}
