import Foundation
import JourneyCLI
import JourneyModel
import JourneyTestSupport
import XCTest

final class ProjectionCommandTests: XCTestCase {
    var dir = ""
    override func setUp() async {
        dir = NSTemporaryDirectory() + "journey-cli-proj-\(UUID().uuidString)"
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
        let sim = await JourneyCLI.run(["simulate", "--data", dir, "--days", "3", "--seed", "3", "--agents", "20", "--contacts-per-day", "500"])
        XCTAssertEqual(sim.status, 0, sim.stderr)
    }
    override func tearDown() { removeTestFiles(prefixedBy: dir) }

    func json(_ args: [String]) async throws -> JSONObject {
        let r = await JourneyCLI.run(args + ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard case .object(let o) = try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            XCTFail("not a JSON object: \(r.stdout)"); throw ShapeError()
        }
        return o
    }

    /// `--json` carries every figure unrounded with the counts it is computed
    /// from, so a consumer can check it and re-aggregate: a day's service level,
    /// ASA and AHT from its intervals equal the site's for that day exactly, and
    /// the agents' FCR counts add up to the site's. Tables leave the counts out.
    func testMachineOutputIsExactAndReaggregates() async throws {
        let day = "2026-03-03"
        func rows(_ args: [String]) async throws -> [JSONObject] {
            guard case .array(let rows)? = try await json(args + ["--data", dir, "--day", day, "--limit", "100000"])["rows"] else { throw ShapeError() }
            return rows.compactMap { if case .object(let o) = $0 { return o } else { return nil } }
        }
        func n(_ o: JSONObject, _ k: String) throws -> Double { try XCTUnwrap(o[k]?.doubleValue, "\(k) in \(o)") }
        let intervals = try await rows(["query", "intervals"])
        let sites = try await rows(["query", "sites"])
        let site = try XCTUnwrap(sites.first)
        XCTAssertGreaterThan(intervals.count, 10)
        var inSL = 0.0, answered = 0.0, abandoned = 0.0, waitMs = 0.0, handled = 0.0, handleMs = 0.0
        for i in intervals {
            inSL += try n(i, "answeredInSL"); answered += try n(i, "answered"); abandoned += try n(i, "abandoned")
            waitMs += try n(i, "waitMsAnswered"); handled += try n(i, "handled"); handleMs += try n(i, "handleMs")
            // Each row's figure is its counts' ratio, to the last digit.
            if let sl = i["serviceLevel"]?.doubleValue { XCTAssertEqual(sl, try n(i, "answeredInSL") / (try n(i, "answered") + n(i, "abandoned"))) }
        }
        XCTAssertEqual(try n(site, "serviceLevel"), inSL / (answered + abandoned))
        XCTAssertEqual(try n(site, "asa"), waitMs / 1000 / answered)
        XCTAssertEqual(try n(site, "aht"), handleMs / 1000 / handled)
        XCTAssertEqual(try n(site, "answeredInSL"), inSL)
        let agents = try await rows(["query", "agents"])
        XCTAssertEqual(try agents.reduce(0) { $0 + (try n($1, "fcrElapsed")) }, try n(site, "fcrElapsed"))
        XCTAssertEqual(try agents.reduce(0) { $0 + (try n($1, "fcrOK")) }, try n(site, "fcrOK"))
        if let fcr = site["fcr"]?.doubleValue { XCTAssertEqual(fcr, try n(site, "fcrOK") / n(site, "fcrElapsed")) }
        // Unrounded: some figure carries more than four decimals.
        XCTAssertTrue(intervals.contains { ($0["asa"].map { JSONWriter.string($0) } ?? "").split(separator: ".").last.map { $0.count > 4 } ?? false })
        // The table shows the figures, not the counts; CSV has both.
        let table = await JourneyCLI.run(["query", "sites", "--data", dir]).stdout
        XCTAssertFalse(table.contains("answeredInSL"), table)
        XCTAssertTrue(table.contains("serviceLevel"), table)
        let queryOutcome = await JourneyCLI.run(["query", "sites", "--data", dir, "--csv"])
        XCTAssertTrue(queryOutcome.stdout.contains("answeredInSL,waitMsAnswered"))
    }

    /// `--limit` holds for every row query, and a cut is said; an unknown
    /// site, queue, team or agent is an error instead of an empty answer.
    func testLimitHoldsForEveryQueryAndAnUnknownSiteIsNamed() async throws {
        for (kind, limit) in [("intervals", 3), ("teams", 1), ("agents", 2), ("contacts", 4)] {
            let r = await JourneyCLI.run(["query", kind, "--data", dir, "--csv", "--limit", String(limit)])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout.split(separator: "\n").count, 1 + limit, "\(kind) --limit \(limit): \(r.stdout)")
            XCTAssertTrue(r.stderr.contains("the first \(limit) rows are shown"), "\(kind): \(r.stderr)")
        }
        // A filter naming what the store does not hold is an error listing what it holds, in queries and insights alike.
        for (args, message) in [(["query", "sites", "--site", "nowhere"], "no site 'nowhere' in this store's projections; sites: north"),
                                (["query", "intervals", "--queue", "biling"], "no queue 'biling' in this store's projections; queues: billing, "),
                                (["query", "agents", "--team", "north-t99"], "no team 'north-t99' in this store's projections; teams: north-t00, "),
                                (["query", "contacts", "--agent", "north-a9999"], "no agent 'north-a9999' in this store's projections; agents: north-a000, "),
                                (["insights", "repeats", "--site", "nowhere"], "no site 'nowhere'"),
                                (["coach", "--below", "0.7", "--site", "nowhere"], "no site 'nowhere'")] {
            let r = await JourneyCLI.run(args + ["--data", dir])
            XCTAssertEqual(r.status, 3, "\(args): \(r.stdout)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        let queryOutcome2 = await JourneyCLI.run(["query", "agents", "--data", dir, "--team", "north-t00", "--limit", "1"])
        XCTAssertEqual(queryOutcome2.status, 0)
        // In a table every number of a column has the same decimals.
        let table = await JourneyCLI.run(["query", "agents", "--data", dir]).stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let header = try XCTUnwrap(table.first)
        for name in ["aht", "fcr", "repeatRate", "occupancy"] {
            let i = try XCTUnwrap(header.firstIndex(of: name), name)
            let decimals = Set(table.dropFirst(2).filter { $0.count == header.count }.map { row in row[i].split(separator: ".").dropFirst().first?.count ?? 0 })
            XCTAssertEqual(decimals.count, 1, "\(name): \(decimals)")
        }
        // A node without a sync config still has a status: its own heads.
        let status = await JourneyCLI.run(["status", "--data", dir])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("north"), status.stdout)
        XCTAssertTrue(status.stderr.contains("no peers configured"), status.stderr)
    }

    func testQueriesCatchUpAndCarryTheirPositions() async throws {
        let sites = try await json(["query", "sites", "--data", dir])
        guard case .object(let positions)? = sites["positions"], case .array(let rows)? = sites["rows"] else { return XCTFail("shape") }
        let stats = try await json(["stats", "--data", dir])
        guard case .array(let origins)? = stats["origins"], case .object(let north)? = origins.first else { return XCTFail("stats") }
        XCTAssertEqual(positions["north"], north["lastSeq"])
        XCTAssertEqual(rows.count, 1)
        for kind in ["intervals", "agents", "teams", "customers", "contacts"] {
            let r = await JourneyCLI.run(["query", kind, "--data", dir, "--limit", "5"])
            XCTAssertEqual(r.status, 0, "\(kind): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("positions north="), r.stdout)
        }
        let weekly = await JourneyCLI.run(["query", "teams", "--data", dir, "--by", "day", "--csv"])
        XCTAssertTrue(weekly.stdout.hasPrefix("team,site,day,agents,handled"), weekly.stdout)
        XCTAssertEqual(weekly.stdout.split(separator: "\n").count, 1 + 2 * 3, "2 teams × 3 days")
        let csv = await JourneyCLI.run(["query", "intervals", "--data", dir, "--csv", "--limit", "3"])
        XCTAssertTrue(csv.stdout.hasPrefix("site,queue,start,offered,answered,abandoned,shortAbandoned,serviceLevel,asa,aht"), csv.stdout)
        let queryOutcome3 = await JourneyCLI.run(["query", "journey", "--data", dir])
        XCTAssertEqual(queryOutcome3.status, 64, "journey needs --customer")
        let queryOutcome4 = await JourneyCLI.run(["query", "agents", "--data", dir, "--sort", "speed"])
        XCTAssertEqual(queryOutcome4.status, 64)
    }

    func testRebuildEqualsIncrementalAndReplayByPositions() async throws {
        let before = await JourneyCLI.run(["query", "agents", "--data", dir, "--json"]).stdout
        let r = await JourneyCLI.run(["rebuild", "--data", dir])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("rebuilt projections from"), r.stdout)
        let queryOutcome5 = await JourneyCLI.run(["query", "agents", "--data", dir, "--json"])
        XCTAssertEqual(queryOutcome5.stdout, before)
        // Replay up to seq 1000 into a separate file, then query it.
        let out = dir + "-replay.sqlite"
        let replay = await JourneyCLI.run(["replay", "--data", dir, "--out", out, "--positions", "north=1000"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let replayed = try await json(["query", "sites", "--data", dir, "--db", out])
        guard case .object(let positions)? = replayed["positions"] else { return XCTFail("positions") }
        XCTAssertEqual(positions["north"], .integer(1000))
        let replayOutcome = await JourneyCLI.run(["replay", "--data", dir, "--out", out])
        XCTAssertEqual(replayOutcome.status, 64, "needs --as-of or --positions")
    }

    func testKPIParametersComeFromTheDataDirectory() async throws {
        try #"{"serviceLevelSeconds": 600}"#.write(toFile: dir + "/kpi.json", atomically: true, encoding: .utf8)
        let lenient = try await json(["query", "sites", "--data", dir])
        guard case .array(let rows)? = lenient["rows"], case .object(let site)? = rows.first else { return XCTFail("rows") }
        try #"{"serviceLevelSeconds": 1}"#.write(toFile: dir + "/kpi.json", atomically: true, encoding: .utf8)
        let strict = try await json(["query", "sites", "--data", dir])
        guard case .array(let rows2)? = strict["rows"], case .object(let site2)? = rows2.first else { return XCTFail("rows") }
        XCTAssertGreaterThan(site["serviceLevel"]?.doubleValue ?? 0, site2["serviceLevel"]?.doubleValue ?? 1,
                             "changing the threshold rebuilds the projection with the new definition")
        try #"{"serviceLevel": 20}"#.write(toFile: dir + "/kpi.json", atomically: true, encoding: .utf8)
        let bad = await JourneyCLI.run(["query", "sites", "--data", dir])
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("unknown key 'serviceLevel'"), bad.stderr)
    }
}
