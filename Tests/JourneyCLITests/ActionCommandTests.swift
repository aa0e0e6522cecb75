import Foundation
import JourneyCLI
import JourneyModel
import XCTest

/// The commands that analyse and record actions: insights, coach --schedule,
/// staffing plan --commit and audit plan.
final class ActionCommandTests: XCTestCase {
    var dir = ""
    override func setUp() async {
        dir = NSTemporaryDirectory() + "journey-cli-actions-\(UUID().uuidString)"
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
        let sim = await JourneyCLI.run(["simulate", "--data", dir, "--days", "15", "--seed", "5", "--agents", "24", "--contacts-per-day", "700"])
        XCTAssertEqual(sim.status, 0, sim.stderr)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func json(_ args: [String]) async throws -> JSONObject {
        let r = await JourneyCLI.run(args + ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard case .object(let o) = try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { XCTFail("not a JSON object: \(r.stdout)"); throw ShapeError() }
        return o
    }

    func testInsightsReportFindingsRowsAndPositions() async throws {
        for kind in ["repeats", "mix", "teams", "attrition"] {
            let o = try await json(["insights", kind, "--data", dir])
            guard case .array(let findings)? = o["findings"], case .object(let positions)? = o["positions"], case .array? = o["rows"] else {
                return XCTFail("\(kind): shape \(o)")
            }
            XCTAssertFalse(findings.isEmpty, kind)
            XCTAssertNotNil(positions["north"]?.intValue, kind)
            // Every report adds a "no …" finding when it has none: check the findings say something.
            if kind == "repeats" {
                XCTAssertFalse(findings.first?.stringValue?.hasPrefix("no ") ?? true, "simulated repeats have causes: \(findings)")
            }
        }
        // The window changes what counts as a repeat: a 48 h window finds fewer repeats than a 7-day one.
        func repeats(_ window: String) async throws -> Int64 {
            let o = try await json(["insights", "repeats", "--data", dir, "--window", window, "--dimension", "queue"])
            guard case .array(let rows)? = o["rows"] else { XCTFail("shape"); throw ShapeError() }
            // The queue rows (the same queues, whatever the window) count each queue's repeats.
            let queues = rows.compactMap { row -> JSONObject? in
                guard case .object(let r) = row, r["dimension"]?.stringValue == "queue" else { return nil }
                return r
            }
            XCTAssertFalse(queues.isEmpty, "queue rows for window \(window)")
            return try queues.reduce(0) { $0 + (try XCTUnwrap($1["repeats"]?.intValue, "a repeats column")) }
        }
        let short = try await repeats("48h"), long = try await repeats("168h")
        XCTAssertGreaterThan(short, 0)
        XCTAssertLessThan(short, long, "48 h finds fewer repeats than 168 h")
        let insightsOutcome = await JourneyCLI.run(["insights", "repeats", "--data", dir, "--dimension", "colour"])
        XCTAssertEqual(insightsOutcome.status, 3)
    }

    func testCoachScheduleRecordsCoachingOnce() async throws {
        let listed = try await json(["coach", "--data", dir, "--below", "0.99", "--min-contacts", "10"])
        guard case .array(let rows)? = listed["rows"] else { return XCTFail("rows") }
        XCTAssertGreaterThan(rows.count, 0)
        // The sessions are stamped by the clock the caller injects, not the system's.
        let stamp = try XCTUnwrap(Timestamp(rfc3339: "2026-04-01T09:30:00Z"))
        let first = await JourneyCLI.run(["coach", "--data", dir, "--below", "0.99", "--min-contacts", "10", "--schedule"], clock: ManualClock(stamp))
        XCTAssertEqual(first.status, 0, first.stderr)
        let scheduled = await JourneyCLI.run(["cat", "--data", dir]).stdout.split(separator: "\n").filter { $0.contains("\"coaching.scheduled\"") }
        XCTAssertEqual(scheduled.count, rows.count)
        XCTAssertTrue(scheduled.allSatisfy { $0.contains("\"at\":\"\(stamp.rfc3339)\"") }, "\(scheduled.first ?? "")")
        // Fifteen days from 03-02, horizon on 03-16: the days whose 72 h windows have closed are 03-02…03-12.
        XCTAssertTrue(first.stderr.contains("judged over 2026-03-02…2026-03-12 in "), "coach says what it did: \(first.stderr)")
        XCTAssertTrue(first.stdout.contains("Coaching: adjusted FCR below 99 %, 2026-03-02…2026-03-12"), first.stdout)
        XCTAssertTrue(first.stdout.contains("scheduled coaching for \(rows.count) agent(s)"), first.stdout)
        let again = await JourneyCLI.run(["coach", "--data", dir, "--below", "0.99", "--min-contacts", "10", "--schedule"])
        XCTAssertTrue(again.stdout.contains("scheduled coaching for 0 agent(s) of north (\(rows.count) already scheduled"), again.stdout)
        let agents = try await json(["query", "agents", "--data", dir])
        guard case .array(let all)? = agents["rows"] else { return XCTFail("agents") }
        let coached = all.filter { row in if case .object(let o) = row { return (o["coaching"]?.intValue ?? 0) > 0 } else { return false } }
        XCTAssertEqual(coached.count, rows.count)
    }

    /// Appending more than one chunk reports progress on standard error, and its
    /// last line is the whole input: the store's events, read back with `cat`
    /// and appended to a new store.
    func testAppendingALargeFileReportsProgress() async throws {
        let cat = await JourneyCLI.run(["cat", "--data", dir])
        XCTAssertEqual(cat.status, 0, cat.stderr)
        let lines = cat.stdout.split(separator: "\n").count
        XCTAssertGreaterThan(lines, 65_536, "more than one chunk")
        let file = dir + "/all.jsonl"
        try cat.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let other = dir + "-copy"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let initOutcome2 = await JourneyCLI.run(["init", "--data", other, "--site", "north"])
        XCTAssertEqual(initOutcome2.status, 0)
        let append = await JourneyCLI.run(["append", "--data", other, file])
        XCTAssertEqual(append.status, 0, append.stderr)
        XCTAssertTrue(append.stdout.hasPrefix("appended \(lines), duplicates 0"), append.stdout)
        let progress = append.stderr.split(separator: "\n").filter { $0.hasPrefix("append: stored ") }
        XCTAssertEqual(progress.last?.hasPrefix("append: stored \(lines) of \(lines) events (100%), "), true, append.stderr)
    }

    /// Every drill-down `insights repeats` prints runs as printed (it names
    /// the store) and returns exactly the contacts its row counts (with
    /// `--repeated`, exactly its repeats); each has the cause: a reason's
    /// contacts that reason, a route's that route, a hand-off's that first
    /// channel and a repeat, a queue's that queue.
    func testEveryDrillDownRunsAsPrintedAndNarrowsToItsCause() async throws {
        let o = try await json(["insights", "repeats", "--data", dir, "--min-contacts", "5", "--limit", "40"])
        guard case .array(let rows)? = o["rows"], !rows.isEmpty else { return XCTFail("no causes ranked: \(o)") }
        var dimensions = Set<String>()
        for row in rows {
            guard case .object(let r) = row, let dimension = r["dimension"]?.stringValue, let value = r["value"]?.stringValue,
                  let drill = r["drill"]?.stringValue else { return XCTFail("row \(row)") }
            XCTAssertTrue(drill.contains("--data \(dir)"), drill)
            let args = drill.split(separator: " ").map(String.init).dropFirst().map { $0.hasPrefix("'") ? String($0.dropFirst().dropLast()) : $0 }
            let out = try await json(Array(args) + ["--limit", "100000"])
            guard case .array(let contacts)? = out["rows"] else { return XCTFail(drill) }
            XCTAssertFalse(contacts.isEmpty, "\(drill) finds no contact")
            // Exactly the contacts the row counts: its contacts, or for hand-offs and cross-site moves its repeats.
            let counted = dimension == "handoff" || dimension == "cross-site" ? r["repeats"] : r["contacts"]
            XCTAssertEqual(.integer(Int64(contacts.count)), counted, drill)
            if dimension != "handoff" && dimension != "cross-site" {
                guard case .array(let repeated)? = try await json(Array(args) + ["--repeated", "--limit", "100000"])["rows"] else { return XCTFail(drill) }
                XCTAssertEqual(.integer(Int64(repeated.count)), r["repeats"], drill + " --repeated")
            }
            dimensions.insert(dimension)
            for c in contacts {
                guard case .object(let x) = c else { continue }
                switch dimension {
                case "reason": XCTAssertEqual(x["reason"]?.stringValue, value, drill)
                case "route": XCTAssertEqual(x["route"]?.stringValue, value, drill)
                case "queue": XCTAssertEqual(x["queue"]?.stringValue, value, drill)
                case "handoff", "cross-site":
                    if dimension == "handoff" { XCTAssertEqual(x["channel"]?.stringValue, value.components(separatedBy: "→").first, drill) }
                    XCTAssertEqual(x["repeated"], .bool(true), drill)
                default: break
                }
            }
        }
        XCTAssertTrue(dimensions.isSuperset(of: ["reason", "queue", "agent"]), "the simulated data has these causes: \(dimensions)")
    }

    func testPlanCommitThenAuditIsIdentical() async throws {
        let plan = try await json(["staffing", "plan", "--data", dir])
        let id = try XCTUnwrap(plan["plan"]?.stringValue)
        XCTAssertEqual(plan["date"], .string("2026-03-17"), "the day after the last simulated day")
        let commit = await JourneyCLI.run(["staffing", "plan", "--data", dir, "--commit"])
        XCTAssertEqual(commit.status, 0, commit.stderr)
        XCTAssertTrue(commit.stdout.contains("Staffing plan \(id)"), commit.stdout)
        XCTAssertTrue(commit.stdout.contains("recorded: "), commit.stdout)
        XCTAssertTrue(commit.stdout.contains("shortfall is counted per interval and skill"), commit.stdout)
        XCTAssertTrue(commit.stdout.contains("from voice and chat waits only"), commit.stdout)
        // Each queue's model: the simulated callers abandon on every queue, so Erlang A with each queue's patience.
        let models = commit.stdout.split(separator: "\n").drop { !$0.hasPrefix("model and patience per queue:") }.dropFirst().first ?? ""
        XCTAssertTrue(models.hasPrefix("  north: "), commit.stdout)
        for queue in ["billing", "complaints", "sales", "technical"] {
            XCTAssertNotNil(models.range(of: queue + #" A \d+ s"#, options: .regularExpression), String(models))
        }
        // Committing again, after the first commit moved this centre's position, stores nothing.
        let again = await JourneyCLI.run(["staffing", "plan", "--data", dir, "--commit"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("Staffing plan \(id)"), again.stdout)
        XCTAssertTrue(again.stdout.contains("already recorded"), again.stdout)
        let list = await JourneyCLI.run(["audit", "plan", "--data", dir])
        XCTAssertTrue(list.stdout.contains(id), list.stdout)
        let audit = await JourneyCLI.run(["audit", "plan", id, "--data", dir])
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertTrue(audit.stdout.contains("identical"), audit.stdout)
        XCTAssertTrue(audit.stderr.contains("audit: replaying the log to plan \(id)"), "a long replay says what it is doing: \(audit.stderr)")
        let auditOutcome = await JourneyCLI.run(["audit", "plan", "plan-2026-01-01-000000000000", "--data", dir])
        XCTAssertEqual(auditOutcome.status, 3)
        // kpi.json changing after the plan was recorded leaves the audit identical: it replays with the
        // KPI parameters the plan recorded.
        try #"{"intervalMinutes":15,"shortAbandonSeconds":10}"#.write(toFile: dir + "/kpi.json", atomically: true, encoding: .utf8)
        let afterKPI = await JourneyCLI.run(["audit", "plan", id, "--data", dir])
        XCTAssertEqual(afterKPI.status, 0, afterKPI.stdout + afterKPI.stderr)
        XCTAssertTrue(afterKPI.stdout.contains("identical"), afterKPI.stdout)
        // A recorded plan whose figures were edited (appended under a new id) is reported with the
        // field that differs, exit 1.
        let cat = await JourneyCLI.run(["cat", "--data", dir])
        guard let line = cat.stdout.split(separator: "\n").first(where: { $0.contains(#""kind":"staffing.planned""#) && $0.contains(#""id":"\#(id)""#) })
        else { throw ShapeError() }
        var edited = try EventCodec.decode(String(line))
        edited.seq = 0
        edited.id = id + "-edited"
        edited.data["plan"] = .string(edited.id)
        guard case .object(var totals)? = edited.data["totals"] else { throw ShapeError() }
        totals["lent"] = .integer((totals["lent"]?.intValue ?? 0) + 1000)
        edited.data["totals"] = .object(totals)
        let file = dir + "-edited.jsonl"
        try (EventCodec.encode(edited) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let appendOutcome = await JourneyCLI.run(["append", "--data", dir, file])
        XCTAssertEqual(appendOutcome.status, 0)
        let tampered = await JourneyCLI.run(["audit", "plan", edited.id, "--data", dir])
        XCTAssertEqual(tampered.status, 1, tampered.stdout + tampered.stderr)
        XCTAssertTrue(tampered.stdout.contains("totals"), tampered.stdout)
        XCTAssertFalse(tampered.stdout.contains("identical"), tampered.stdout)
        // A plan with more history than exists is refused with a reason.
        let early = await JourneyCLI.run(["staffing", "plan", "--data", dir, "--date", "2026-03-03"])
        XCTAssertEqual(early.status, 3)
        XCTAssertTrue(early.stderr.contains("no history for the same weekday"), early.stderr)
    }
}

/// Thrown after a failed shape check, so the test stops (and fails) instead of being skipped.
struct ShapeError: Error {}
