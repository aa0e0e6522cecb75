import Foundation
import JourneyFuzz
import XCTest

/// Every fuzz target's committed corpus and every crasher the fuzzer ever
/// found (`Fuzz/regressions/TARGET/`), replayed on each test run: a decoder
/// that traps on any of them again fails here, without libFuzzer.
final class FuzzReplayTests: XCTestCase {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    func inputs(_ kind: String, _ target: String) throws -> [URL] {
        let dir = Self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    func testEveryTargetHasASeedCorpus() throws {
        for t in FuzzTarget.all {
            XCTAssertFalse(try inputs("corpus", t.name).isEmpty, "Fuzz/corpus/\(t.name) is empty")
        }
    }

    func testTheCorpusAndEveryRegressionReplayWithoutATrap() throws {
        var replayed = 0
        for t in FuzzTarget.all {
            for url in try inputs("corpus", t.name) + inputs("regressions", t.name) {
                t.run(Array(try Data(contentsOf: url)))
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, FuzzTarget.all.count)
    }

    func testRegressionFoldersNameExistingTargets() throws {
        let dir = Self.fuzzDirectory.appendingPathComponent("regressions")
        guard FileManager.default.fileExists(atPath: dir.path) else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !name.hasPrefix(".") {
            XCTAssertNotNil(FuzzTarget.named(name), "Fuzz/regressions/\(name) names no target")
        }
    }
}
