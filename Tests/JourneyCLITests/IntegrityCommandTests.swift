#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyCLI
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyProjections
import XCTest

/// The integrity reproductions through the command line, and projections
/// under a killed rebuild and concurrent readers (real processes).
final class IntegrityCommandTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-cli-integrity-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func journeyBinary() throws -> String { try Subprocess.binary() }

    /// Runs `journey args` and kills it with SIGKILL after `afterMs`; true when it was still running then.
    func runKilled(_ binary: String, _ args: [String], afterMs: Int) throws -> Bool {
        try Subprocess.runKilled(binary, args, afterMs: afterMs)
    }

    func simulate(days: Int = 3, contacts: Int = 500) async {
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
        let sim = await JourneyCLI.run(["simulate", "--data", dir, "--days", String(days), "--seed", "5", "--agents", "20",
                                  "--contacts-per-day", String(contacts)])
        XCTAssertEqual(sim.status, 0, sim.stderr)
    }

    func testInitOverAStoreWhoseManifestWasLostIsRefusedAndAdoptRestoresIt() async throws {
        await simulate(days: 1, contacts: 50)
        let key = try Data(contentsOf: URL(fileURLWithPath: dir + "/keys/site.ed25519"))
        try FileManager.default.removeItem(atPath: dir + "/journey.json")
        let stats = await JourneyCLI.run(["stats", "--data", dir])
        XCTAssertEqual(stats.status, 5)
        let again = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(again.status, 5, again.stderr)
        XCTAssertTrue(again.stderr.contains("journey init --data \(dir) --site SITE --adopt"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/keys/site.ed25519")), key, "the key was not replaced")
        let adopt = await JourneyCLI.run(["init", "--data", dir, "--site", "north", "--adopt"])
        XCTAssertEqual(adopt.status, 0, adopt.stderr)
        let verifyOutcome = await JourneyCLI.run(["verify", "--data", dir])
        XCTAssertEqual(verifyOutcome.status, 0)
    }

    /// The reproduction: a flipped byte early in the only (active) segment
    /// used to be cut as a torn tail by the next append.
    func testDamageInTheActiveSegmentIsRefusedByEveryCommandAndNothingIsCut() async throws {
        await simulate(days: 2, contacts: 300)
        let seg = dir + "/logs/north/00000000000000000001.seg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: seg))
        let size = bytes.count
        bytes[1000] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: seg))
        let line = #"{"id":"x","at":"2026-03-03T08:00:00Z","kind":"note.x"}"# + "\n"
        let input = dir + "-one.jsonl"
        try line.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        for args in [["stats"], ["append", input], ["cat"], ["query", "sites"], ["verify"], ["rebuild"]] {
            let r = await JourneyCLI.run([args[0], "--data", dir] + args.dropFirst())
            XCTAssertEqual(r.status, 4, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(seg), "\(args) names the file: \(r.stderr)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: seg)).count, size, "nothing was cut")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs/north").contains { $0.contains(".torn-") })
        // With no peer holding the log, the operator can choose to give up what follows the damage.
        let cut = await JourneyCLI.run(["repair", "--data", dir, "--accept-loss", "north"])
        XCTAssertEqual(cut.status, 0, cut.stderr)
        XCTAssertTrue(cut.stdout.contains("given up"), cut.stdout)
        let verifyOutcome2 = await JourneyCLI.run(["verify", "--data", dir])
        XCTAssertEqual(verifyOutcome2.status, 0)
    }

    /// `journey append --durability always` killed with SIGKILL at several
    /// points: the store opens and verifies, what it holds is a prefix of the
    /// input in order made of whole append calls (an append is all or
    /// nothing), and appending the file again stores exactly the rest.
    func testAnAppendKilledAtAnyPointLeavesAWholePrefix() async throws {
        let binary = try journeyBinary()
        let initOutcome2 = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome2.status, 0)
        let total = 400_000
        var text = ""
        text.reserveCapacity(total * 80)
        for i in 0..<total {
            text += #"{"id":"k\#(i)","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{"n":\#(i)}}"# + "\n"
        }
        let file = dir + "-events.jsonl"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var killedMidway = 0, previous = 0
        for delayMs in [200, 700, 1500, 3000] {
            if try runKilled(binary, ["append", "--data", dir, "--durability", "always", file], afterMs: delayMs) { killedMidway += 1 }
            let verifyOutcome3 = await JourneyCLI.run(["verify", "--data", dir])
            XCTAssertEqual(verifyOutcome3.status, 0, "killed after \(delayMs) ms: the store verifies")
            let store = try LogStore.openReadOnly(directory: dir)
            var ids: [String] = []
            try store.forEachEvent(origin: "north") { ids.append($0.id); return true }
            store.close()
            XCTAssertEqual(ids, (0..<ids.count).map { "k\($0)" }, "killed after \(delayMs) ms: a prefix, in order, no gap")
            XCTAssertGreaterThanOrEqual(ids.count, previous, "nothing acknowledged before is lost")
            XCTAssertTrue(ids.count == total || ids.count % JSONLAppend.eventsPerStoreCall == 0, "whole append calls only (\(ids.count))")
            previous = ids.count
        }
        XCTAssertGreaterThan(killedMidway, 0, "some kill must land while the append runs")
        let rest = await JourneyCLI.run(["append", "--data", dir, file])
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertTrue(rest.stdout.contains("appended \(total - previous), duplicates \(previous)"), rest.stdout)
    }

    /// A rebuild killed with SIGKILL at several points: the next query
    /// finishes the projection (indexes back) and answers as a clean rebuild does.
    func testAKilledRebuildIsFinishedByTheNextQueryWithItsIndexes() async throws {
        let binary = try journeyBinary()
        await simulate(days: 4, contacts: 800)
        let rebuildOutcome = await JourneyCLI.run(["rebuild", "--data", dir])
        XCTAssertEqual(rebuildOutcome.status, 0)
        let clean = await JourneyCLI.run(["query", "intervals", "--data", dir, "--json", "--limit", "100000"])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let sqlite = dir + "/projections.sqlite"
        var killedMidway = 0
        for delayMs in [150, 400, 800, 1500] {
            if try runKilled(binary, ["rebuild", "--data", dir], afterMs: delayMs) { killedMidway += 1 }
            let after = await JourneyCLI.run(["query", "intervals", "--data", dir, "--json", "--limit", "100000"])
            XCTAssertEqual(after.status, 0, after.stderr)
            XCTAssertEqual(after.stdout, clean.stdout, "killed after \(delayMs) ms: the next query answers as a clean rebuild")
            XCTAssertEqual(try ProjectionEngine(path: sqlite).missingIndexes(), [], "killed after \(delayMs) ms")
        }
        XCTAssertGreaterThan(killedMidway, 0, "some kill must land while the rebuild runs")
    }

    /// Queries while a rebuild runs in another process: none fails with "locked".
    func testQueriesBesideARebuildWaitAndNeverFail() async throws {
        let binary = try journeyBinary()
        await simulate(days: 4, contacts: 800)
        let rebuildOutcome2 = await JourneyCLI.run(["rebuild", "--data", dir])
        XCTAssertEqual(rebuildOutcome2.status, 0)
        let expected = await JourneyCLI.run(["query", "sites", "--data", dir, "--json"])
        let expectedAgents = await JourneyCLI.run(["query", "agents", "--data", dir, "--json", "--limit", "1000"])
        XCTAssertEqual(expectedAgents.status, 0, expectedAgents.stderr)
        func start(_ args: [String]) throws -> (Process, Pipe, Pipe) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            return (p, out, err)
        }
        let rebuild = try start(["rebuild", "--data", dir])
        usleep(100_000)
        let queries = try (0..<3).map { _ in try start(["query", "sites", "--data", dir, "--json"]) }
        for (p, out, err) in queries + [rebuild] {
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, stderr)
            XCTAssertFalse(stderr.contains("locked"), stderr)
            if p !== rebuild.0 { XCTAssertEqual(stdout, expected.stdout) }
        }
        // Afterwards the file holds each event once: nothing was applied twice by two processes.
        let queryOutcome = await JourneyCLI.run(["query", "sites", "--data", dir, "--json"])
        XCTAssertEqual(queryOutcome.stdout, expected.stdout)
        let queryOutcome2 = await JourneyCLI.run(["query", "agents", "--data", dir, "--json", "--limit", "1000"])
        XCTAssertEqual(queryOutcome2.stdout, expectedAgents.stdout,
                       "agent time is summed, so events applied twice would show here")
    }
}
