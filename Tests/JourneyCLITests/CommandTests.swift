import Foundation
import JourneyCLI
import JourneyModel
import XCTest

final class CommandTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = NSTemporaryDirectory() + "journey-cli-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ text: String) throws -> String {
        let path = dir + "-input-\(UUID().uuidString).jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    let good = """
    {"id":"e1","at":"2026-03-02T08:15:00Z","kind":"contact.started","contact":"c1","customer":"cu1","channel":"voice","data":{"direction":"inbound"}}
    {"id":"e2","at":"2026-03-02T08:16:00+01:00","kind":"queue.entered","contact":"c1","customer":"cu1","channel":"voice","queue":"billing"}
    {"at":"2026-03-02T08:17:00Z","kind":"agent.login","agent":"a1"}

    """

    /// Help is help, whether asked of the root or a subcommand (ArgumentParser's
    /// help command throws from its run, and must not be reported as a failure).
    func testHelpIsPrintedNotReportedAsAFailure() async throws {
        for args in [["--help"], ["query", "--help"], ["sync", "--help"], ["insights", "repeats", "--help"]] {
            let r = await JourneyCLI.run(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("USAGE: journey"), "\(args): \(r.stdout)")
            XCTAssertFalse(r.stderr.contains("CommandError"), r.stderr)
        }
        let unknown = await JourneyCLI.run(["querx"])
        XCTAssertEqual(unknown.status, 64, unknown.stderr)
    }

    /// The benchmarks are their own executable: `journey` does not link them,
    /// and `journey bench ARGS` runs the `journey-bench` built beside it.
    func testBenchIsASeparateExecutableThatJourneyBenchRuns() throws {
        let journey = try Subprocess.binary()
        let image = try Data(contentsOf: URL(fileURLWithPath: journey))
        XCTAssertNil(image.range(of: Data("12JourneyBench".utf8)), "the journey executable holds JourneyBench symbols")
        let bench = URL(fileURLWithPath: journey).deletingLastPathComponent().appendingPathComponent("journey-bench").path
        guard FileManager.default.isExecutableFile(atPath: bench) else { throw XCTSkip("journey-bench was not built beside journey") }
        let help = try Subprocess.journey(["bench", "rebuild", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("journey-bench rebuild"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--no-peer"), help.stdout)
    }

    func testInitAppendCatStatsVerify() async throws {
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
        let again = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(again.status, 5, "init on an existing store must refuse")

        let file = try write(good)
        let first = await JourneyCLI.run(["append", "--data", dir, file])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "appended 3, duplicates 0, last seq 3\n")
        let second = await JourneyCLI.run(["append", "--data", dir, file])
        XCTAssertEqual(second.stdout, "appended 0, duplicates 3\n")

        let cat = await JourneyCLI.run(["cat", "--data", dir, "--origin", "north"])
        let lines = cat.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0], #"{"site":"north","seq":1,"id":"e1","at":"2026-03-02T08:15:00.000Z","kind":"contact.started","contact":"c1","customer":"cu1","channel":"voice","data":{"direction":"inbound"}}"#)
        XCTAssertTrue(lines[1].contains(#""at":"2026-03-02T07:16:00.000Z""#), "times are stored in UTC")
        XCTAssertTrue(lines[2].contains(#""id":"h-"#), "a missing id is derived from the content")

        let after = await JourneyCLI.run(["cat", "--data", dir, "--origin", "north", "--after", "2"])
        XCTAssertEqual(after.stdout.split(separator: "\n").count, 1)
        let ranged = await JourneyCLI.run(["cat", "--data", dir, "--since", "2026-03-02T07:30:00Z", "--until", "2026-03-02T08:16:00Z"])
        XCTAssertEqual(ranged.stdout.split(separator: "\n").count, 1, ranged.stdout)
        let catOutcome = await JourneyCLI.run(["cat", "--data", dir, "--after", "2"])
        XCTAssertEqual(catOutcome.status, 64, "--after needs --origin")

        let stats = await JourneyCLI.run(["stats", "--data", dir, "--json"])
        let parsed = try JSONParser.parse(stats.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        guard case .object(let root) = parsed, case .array(let origins)? = root["origins"], case .object(let o)? = origins.first else {
            return XCTFail("stats JSON has the wrong shape: \(stats.stdout)")
        }
        XCTAssertEqual(o.members.map(\.key), ["site", "events", "lastSeq", "storedBytes", "rawBytes", "headHash", "acknowledgedSeq", "damage"])
        XCTAssertEqual(o["acknowledgedSeq"], .integer(3))
        XCTAssertEqual(o["damage"], .null)
        XCTAssertEqual(o["events"], .integer(3))
        XCTAssertEqual(o["headHash"]?.stringValue?.count, 64)

        let verify = await JourneyCLI.run(["verify", "--data", dir])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("sound"))
    }

    func testBadLinesAreAllReportedAndNothingIsStored() async throws {
        let initOutcome2 = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome2.status, 0)
        let file = try write(good + """
        {"id":"b1","at":"not a time","kind":"agent.login","agent":"a1"}
        {"site":"south","id":"b2","at":"2026-03-02T08:17:00Z","kind":"agent.login","agent":"a1"}
        {"id":"b3","at":"2026-03-02T08:17:00Z","kind":"contact.started","contact":"c9","channel":"pigeon"}

        """)
        let r = await JourneyCLI.run(["append", "--data", dir, file])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("line 4: field 'at'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("line 5: field 'site'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("line 6: field 'channel'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing was stored"), r.stderr)
        let catOutcome2 = await JourneyCLI.run(["cat", "--data", dir])
        XCTAssertEqual(catOutcome2.stdout, "")
    }

    func testVerifyNamesFileAndOffsetOfDamage() async throws {
        let initOutcome3 = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome3.status, 0)
        let appendOutcome = await JourneyCLI.run(["append", "--data", dir, try write(good)])
        XCTAssertEqual(appendOutcome.status, 0)
        let seg = dir + "/logs/north/00000000000000000001.seg"
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: seg))
        bytes[bytes.count - 30] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: seg))
        let r = await JourneyCLI.run(["verify", "--data", dir])
        XCTAssertEqual(r.status, 4)
        XCTAssertTrue(r.stderr.contains(seg), r.stderr)
        XCTAssertTrue(r.stderr.contains("at byte 26"), r.stderr)
        XCTAssertTrue(r.stdout.contains("DAMAGED"))
    }

    func testCommandsOnAMissingStoreSayHowToCreateOne() async {
        let r = await JourneyCLI.run(["stats", "--data", dir])
        XCTAssertEqual(r.status, 5)
        XCTAssertTrue(r.stderr.contains("journey init --data"), r.stderr)
    }
}

final class StaffingCommandTests: XCTestCase {
    func testErlangCalculatorJSON() async throws {
        let r = await JourneyCLI.run(["staffing", "erlang", "--calls", "100", "--period", "30", "--aht", "180", "--target", "0.8",
                                "--within", "20", "--shrinkage", "0.3", "--patience", "120", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard case .object(let o) = try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { return XCTFail() }
        XCTAssertEqual(o["agents"], .integer(14))
        XCTAssertEqual(o["positions"], .integer(20))
        XCTAssertEqual(o["serviceLevel"], .number("0.8884"))
        XCTAssertEqual(o["asa"], .number("7.84"))
        XCTAssertEqual(o["occupancy"], .number("0.7143"))
        XCTAssertNotNil(o["waitProbability"])
        XCTAssertNotNil(o["abandonProbability"])
        guard case .object(let a)? = o["erlangA"] else { return XCTFail("no Erlang A figures") }
        XCTAssertLessThanOrEqual(a["agents"]?.intValue ?? 99, 14)
        let staffingOutcome = await JourneyCLI.run(["staffing", "erlang", "--calls", "100", "--aht", "180", "--target", "80"])
        XCTAssertEqual(staffingOutcome.status, 64)
    }
}
