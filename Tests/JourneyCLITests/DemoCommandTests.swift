import Foundation
import JourneyCLI
import JourneyLog
import JourneyModel
import XCTest

/// `journey demo` end to end, at a small scale.
final class DemoCommandTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-demo-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testDemoSyncsThreeCentresFindsTheFaultAndAuditsThePlan() async throws {
        let port = try XCTUnwrap(Subprocess.freePorts(3), "three free loopback ports")
        let r = await JourneyCLI.run(["demo", "--dir", dir, "--days", "21", "--agents", "24", "--contacts-per-day", "800", "--port", String(port)])
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
        // Every command the demo suggests works on the stores it leaves, as printed.
        let suggested = out.split(separator: "\n").drop { !$0.contains("try:") }.dropFirst()
            .prefix { $0.hasPrefix("  journey ") }.map { $0.dropFirst(2).split(separator: " ").dropFirst().map(String.init) }
        XCTAssertGreaterThanOrEqual(suggested.count, 8, out)
        for args in suggested {
            let run = await JourneyCLI.run(args)
            XCTAssertEqual(run.status, 0, "journey \(args.joined(separator: " ")): \(run.stderr)")
            XCTAssertFalse(run.stdout.isEmpty, "journey \(args.joined(separator: " "))")
        }
        // The drill-downs in the demo's findings run as printed too.
        let drills = out.split(separator: "\n").compactMap { line in line.range(of: "drill: ").map { String(line[$0.upperBound...]) } }
        XCTAssertFalse(drills.isEmpty, out)
        for drill in drills {
            let run = await JourneyCLI.run(drill.split(separator: " ").dropFirst().map(String.init))
            XCTAssertEqual(run.status, 0, "\(drill): \(run.stderr)")
        }
        let status = await JourneyCLI.run(["status", "--data", "\(dir)/north", "--json"])
        XCTAssertTrue(status.stdout.contains(#""peer":"central""#), "status names the peers of north's sync.json: \(status.stdout)")
        let verify = await JourneyCLI.run(["verify", "--data", "\(dir)/south"])
        XCTAssertFalse(verify.stderr.contains("unverified"), "every origin's key is pinned in sync.json: \(verify.stderr)")
        try await assertReadmeTourRuns(demoOutput: out)
        // And the stores are nodes: north serves as its sync.json says, south pulls from it with its own token.
        try await assertNodesWork(port: port, demoOutput: out)
        // The stores stay for the user, and a second run refuses a foreign directory but reuses its own with --keep.
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/south/journey.json"))
        let again = await JourneyCLI.run(["demo", "--dir", dir, "--days", "21", "--agents", "24", "--contacts-per-day", "800", "--keep", "--port", String(port)])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("opening the centres' stores"), again.stdout)
        // Stores that already hold a plan and coaching: the rebuilds still agree, and the new plan audits identical.
        XCTAssertTrue(again.stdout.contains("identical at north, central and south"), again.stdout)
        XCTAssertTrue(again.stdout.contains("): identical"), again.stdout)
        let foreign = NSTemporaryDirectory() + "journey-foreign-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: foreign + "/notes.txt"))
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        let demoOutcome = await JourneyCLI.run(["demo", "--dir", foreign, "--days", "15"])
        XCTAssertEqual(demoOutcome.status, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign + "/notes.txt"))
    }

    /// `journey serve --data DIR/north` (as the demo's last lines say) serves on
    /// the port in north's sync.json, and `journey sync --data DIR/south --peer
    /// URL` pulls from it: an event appended at north reaches south.
    func assertNodesWork(port: Int, demoOutput: String) async throws {
        XCTAssertTrue(demoOutput.contains("journey serve --data \(dir)/north"), demoOutput)
        XCTAssertTrue(demoOutput.contains("journey sync --data \(dir)/south --peer http://127.0.0.1:\(port)"), demoOutput)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/north/sync.json")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600, "sync.json holds tokens")
        let line = #"{"id":"after-demo","at":"2026-03-30T08:00:00.000Z","kind":"agent.login","agent":"north-a000","data":{}}"#
        try (line + "\n").write(toFile: dir + "/one.jsonl", atomically: true, encoding: .utf8)
        let appendOutcome = await JourneyCLI.run(["append", "--data", "\(dir)/north", dir + "/one.jsonl"])
        XCTAssertEqual(appendOutcome.status, 0)
        let server = try Subprocess.start(["serve", "--data", "\(dir)/north"], log: dir + "/serve.log")
        defer { server.terminate(); server.waitUntilExit() }
        // Wait until it answers (a readiness probe, not a timing): status reaches north once it listens.
        var reachable = false
        for _ in 0..<100 where !reachable {
            let status = await JourneyCLI.run(["status", "--data", "\(dir)/south", "--json"])
            if status.status == 0, case .object(let o)? = try? JSONParser.parse(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
               case .object(let unreachable)? = o["unreachable"] {
                reachable = unreachable["north"] == nil
            }
            if !reachable { usleep(100_000) }
        }
        XCTAssertTrue(reachable, (try? String(contentsOfFile: dir + "/serve.log", encoding: .utf8)) ?? "")
        let sync = await JourneyCLI.run(["sync", "--data", "\(dir)/south", "--peer", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stdout.hasPrefix("north: stored 1 events in 1 blocks (north +1)"), sync.stdout)
    }

    /// Written into a pipe, the demo's lines arrive as its steps happen, not
    /// all at its end: the first step's line is read while the demo still runs.
    func testTheDemoReportsEachStepAsItHappensIntoAPipe() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Subprocess.binary())
        let port = try XCTUnwrap(Subprocess.freePorts(3))
        p.arguments = ["demo", "--dir", dir, "--days", "15", "--agents", "10", "--contacts-per-day", "150", "--port", String(port)]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("[2/7]") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // end of output
            seen.append(chunk)
        }
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: seen + rest, as: UTF8.self))
        XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains("[2/7]"))
        XCTAssertFalse(String(decoding: seen, as: UTF8.self).contains("Done in"),
                       "the step lines came as they happened, not all at the end: \(String(decoding: seen, as: UTF8.self))")
    }

    /// Every `$ journey …` command of the README's tour runs on this demo's
    /// stores (paths and plan id substituted) and prints output of the shape
    /// shown (same first word of its first line); the store-free Erlang
    /// example prints exactly what the README shows.
    func assertReadmeTourRuns(demoOutput: String) async throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: repo.appendingPathComponent("README.md"), encoding: .utf8)
        guard let tourStart = readme.range(of: "## A tour, with real output"), let tourEnd = readme.range(of: "## Configuration") else {
            return XCTFail("the README has no tour")
        }
        let lines = readme[tourStart.upperBound..<tourEnd.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let planID = try XCTUnwrap(demoOutput.range(of: #"plan-\d{4}-\d{2}-\d{2}-[0-9a-f]+"#, options: .regularExpression).map { String(demoOutput[$0]) })
        var ran = 0
        for (i, line) in lines.enumerated() where line.hasPrefix("$ journey ") {
            let shown = lines[(i + 1)...].prefix { !$0.hasPrefix("$ ") && !$0.hasPrefix("```") }
                .filter { !$0.hasPrefix("coach: ") && !$0.hasPrefix("audit: ") }
            let args = line.dropFirst("$ journey ".count).split(separator: " ").map { word -> String in
                let w = String(word).replacingOccurrences(of: "./journey-demo", with: dir)
                return w.range(of: #"^plan-\d{4}-\d{2}-\d{2}-[0-9a-f]+$"#, options: .regularExpression) != nil ? planID : w
            }
            let r = await JourneyCLI.run(args)
            XCTAssertEqual(r.status, 0, "\(line): \(r.stderr)")
            func firstWord(_ s: String?) -> String? { s?.split(separator: " ").first.map(String.init) }
            XCTAssertEqual(firstWord(r.stdout.split(separator: "\n").first.map(String.init)), firstWord(shown.first), line)
            if args.first == "staffing" {
                let printed: [String] = r.stdout.trimmingCharacters(in: .newlines).components(separatedBy: "\n")
                XCTAssertEqual(printed, Array(shown), "the README's Erlang example is exact")
            }
            ran += 1
        }
        XCTAssertGreaterThanOrEqual(ran, 5, "the tour's commands")
    }
}
