import Foundation
import JourneyCLI
import JourneyLog
import XCTest

/// `journey demo` end to end, at a small scale.
final class DemoCommandTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-demo-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testDemoSyncsThreeCentresFindsTheFaultAndAuditsThePlan() throws {
        let r = JourneyCLI.run(["demo", "--dir", dir, "--days", "21", "--agents", "24", "--contacts-per-day", "800"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let out = r.stdout
        // Identical heads everywhere, identical KPIs, and an audit that re-derives the plan.
        // Read from the stores the demo leaves, not from the printed table's layout.
        let heads = try ["north", "central", "south"].map { site -> [String: String] in
            let s = try LogStore.openReadOnly(directory: "\(dir)/\(site)")
            return Dictionary(uniqueKeysWithValues: s.stats().map { ($0.site, "\($0.lastSeq):\($0.headHash)") })
        }
        XCTAssertEqual(Set(heads[0].keys), ["north", "central", "south"], "every centre holds every origin")
        XCTAssertTrue(heads[0].values.allSatisfy { !$0.hasPrefix("0:") }, "\(heads[0])")
        XCTAssertEqual(heads[0], heads[1], "north and central hold the same heads")
        XCTAssertEqual(heads[1], heads[2], "central and south hold the same heads")
        XCTAssertTrue(out.contains("identical at north, central and south"), out)
        XCTAssertTrue(out.contains("): identical"), out)
        // The planted fault is found: the mix monitor flags south's overflow route, or it leads the repeat causes.
        let findings = out.split(separator: "\n").filter { $0.hasPrefix("    • ") }
        XCTAssertTrue(findings.contains { $0.contains("south") && $0.contains("overflow") }, findings.joined(separator: "\n"))
        // The stores stay for the user, and a second run refuses a foreign directory but reuses its own with --keep.
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/south/journey.json"))
        let again = JourneyCLI.run(["demo", "--dir", dir, "--days", "21", "--agents", "24", "--contacts-per-day", "800", "--keep"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("opening the centres' stores"), again.stdout)
        let foreign = NSTemporaryDirectory() + "journey-foreign-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: foreign + "/notes.txt"))
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        XCTAssertEqual(JourneyCLI.run(["demo", "--dir", foreign, "--days", "15"]).status, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign + "/notes.txt"))
    }
}
