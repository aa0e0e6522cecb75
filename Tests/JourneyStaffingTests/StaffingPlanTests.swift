import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyProjections
@testable import JourneyStaffing
import XCTest

/// Plans on simulated multi-centre data, recorded and audited after replication.
final class StaffingPlanTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-plan-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Two centres simulated for 15 days (two Mondays of history before day 15,
    /// a Monday), each store holding its own log plus the other's replica.
    func cluster() throws -> [LogStore] {
        var config = SimulationConfig(sites: ["east", "west"], seed: 11, days: 14)
        config.agentsPerSite = 40
        config.contactsPerDay = 1300
        config.customersPerSite = 20_000
        var options = LogOptions()
        options.durability = .none
        let stores = try config.sites.map { try LogStore.create(directory: "\(root)/\($0)", site: $0, options: options) }
        try Simulator(config: config).run { site, events in _ = try stores[site == "east" ? 0 : 1].append(events) }
        try replicate(from: stores[0], to: stores[1])
        try replicate(from: stores[1], to: stores[0])
        return stores
    }

    func replicate(from a: LogStore, to b: LogStore) throws {
        let after = b.snapshot(origin: a.site)?.lastSeq ?? 0
        guard let snap = a.snapshot(origin: a.site) else { return }
        for i in snap.firstBlock(after: after)..<snap.blocks.count { try b.appendReplicated(try snap.block(at: i), publicKey: a.publicKey) }
    }

    let planDay = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 16))

    func testPlanFromHistoryIsConsistentAndTheSameOnEveryCentre() throws {
        let stores = try cluster()
        var records: [PlanRecord] = []
        for store in stores {
            let engine = try ProjectionEngine(path: "\(root)/\(store.site).sqlite")
            try engine.catchUp(from: store)
            records.append(try PlanRecord(engine: engine, day: planDay, parameters: PlanParameters()))
        }
        // Same facts, same plan, same id, at both centres.
        XCTAssertEqual(records[0].data, records[1].data)
        XCTAssertEqual(records[0].id, records[1].id)
        let plan = records[0].plan
        XCTAssertEqual(plan.historyDays["east"], [planDay - 14, planDay - 7])
        // Every requirement is the Erlang figure for its demand, and demand is the mean of the two Mondays.
        XCTAssertGreaterThan(plan.requirements.count, 2 * 4 * 20)
        for r in plan.requirements {
            let n = r.patienceSeconds.map {
                ErlangA(callsPerPeriod: r.calls, periodSeconds: 1800, ahtSeconds: r.ahtSeconds, patienceSeconds: $0).agents(serviceLevel: 0.8, withinSeconds: 20)
            } ?? ErlangC(callsPerPeriod: r.calls, periodSeconds: 1800, ahtSeconds: r.ahtSeconds).agents(serviceLevel: 0.8, withinSeconds: 20)
            XCTAssertEqual(r.agents, n)
            XCTAssertEqual(r.positions, ErlangC.positions(agents: n, shrinkage: plan.shrinkage[r.site] ?? 0))
        }
        XCTAssertTrue(plan.requirements.contains { $0.patienceSeconds != nil }, "abandons measured: Erlang A used")
        let engine = try ProjectionEngine(path: "\(root)/east.sqlite")
        let mondays = try engine.query(.intervals({ var f = ProjectionQuery.Filter(); f.site = "west"; f.queue = "billing"; f.fromDay = planDay - 14; f.toDay = planDay - 7; return f }()))
        let nine = zip(try mondays.values("start"), try mondays.values("offered"))
            .filter { ["2026-03-02T09:00:00.000Z", "2026-03-09T09:00:00.000Z"].contains($0.0.stringValue ?? "") }.compactMap { $0.1.intValue }
        XCTAssertEqual(nine.count, 2)
        let westNine = try XCTUnwrap(plan.requirements.first { $0.site == "west" && $0.queue == "billing" && Timestamp(ms: $0.start).rfc3339.hasSuffix("T09:00:00.000Z") })
        XCTAssertEqual(westNine.calls, Double(nine.reduce(0, +)) / 2, accuracy: 1e-9)
        // Lending never raises the total shortfall, and loans stay within the share of the lender's agents.
        // (A site may lend and borrow in one interval: a swap of skills between two sites.)
        XCTAssertLessThanOrEqual(plan.totals.shortfallAfter, plan.totals.shortfallBefore)
        for s in plan.sites { XCTAssertLessThanOrEqual(s.lent, Int(0.25 * Double(s.available) + 1e-9)) }
        let byStart = Dictionary(grouping: plan.sites, by: \.start)
        for (_, rows) in byStart {
            XCTAssertLessThanOrEqual(rows.reduce(0) { $0 + $1.shortfallAfter }, rows.reduce(0) { $0 + $1.shortfallBefore })
            XCTAssertEqual(rows.reduce(0) { $0 + $1.lent }, rows.reduce(0) { $0 + $1.borrowed })
        }
    }

    func testForecastShortfallIsCoveredByLendingAndAuditsAfterSync() throws {
        let stores = try cluster()
        let east = try ProjectionEngine(path: "\(root)/east.sqlite")
        try east.catchUp(from: stores[0])
        // East expects 60 % more calls than usual: short, and west has spare agents.
        let usual = try PlanRecord(engine: east, day: planDay, parameters: PlanParameters()).plan
        let rows = usual.requirements.map { r in
            Forecast.Row(site: r.site, queue: r.queue, startMinute: Int((r.start % LocalDay.lengthMs) / 60_000), calls: r.site == "east" ? r.calls * 1.6 : r.calls)
        }
        var p = PlanParameters()
        p.maxLendShare = 0.5
        let record = try PlanRecord(engine: east, day: planDay, parameters: p, forecast: Forecast(rows: rows))
        let plan = record.plan
        XCTAssertGreaterThan(plan.totals.shortfallBefore, 0)
        XCTAssertLessThan(plan.totals.shortfallAfter, plan.totals.shortfallBefore)
        func lent(_ from: String) -> Int { plan.loans.filter { $0.from == from }.reduce(0) { $0 + $1.agents * Int(($1.end - $1.start) / 1_800_000) } }
        XCTAssertGreaterThan(lent("west"), 2 * lent("east"), "west lends to the busy east (east may lend back a few agents in skill swaps)")
        // The lending per interval adds up to what the sites report.
        XCTAssertEqual(plan.loans.reduce(0) { $0 + $1.agents * Int(($1.end - $1.start) / 1_800_000) }, plan.totals.lent)

        // East records it; the events replicate to west, which re-derives the same plan.
        let events = record.events(site: "east", at: Timestamp(ms: planDay * LocalDay.lengthMs - 3_600_000))
        XCTAssertEqual(events.count, 1 + plan.loans.count)
        XCTAssertEqual(try stores[0].append(events).appended, events.count)
        XCTAssertEqual(try stores[0].append(events).duplicates, events.count, "recording twice is a no-op")
        try replicate(from: stores[0], to: stores[1])
        let west = try ProjectionEngine(path: "\(root)/west.sqlite")
        try west.catchUp(from: stores[1])
        let recorded = try XCTUnwrap(try west.recordedActions(kind: .staffingPlanned).first { $0.data["plan"]?.stringValue == record.id })
        XCTAssertEqual(try west.recordedActions(kind: .agentLent).count, plan.loans.count)
        let audit = try PlanAudit(record: recorded.data, store: stores[1], scratchPath: "\(root)/audit.sqlite")
        XCTAssertTrue(audit.identical, "\(audit.differences)")
        XCTAssertEqual(audit.positions, east.positions)

        // A record whose lending was altered is caught, and so is one claiming other positions.
        var altered = recorded.data
        if case .array(var loans) = altered["lending"], !loans.isEmpty {
            loans.removeLast()
            altered["lending"] = .array(loans)
        }
        let tampered = try PlanAudit(record: altered, store: stores[1], scratchPath: "\(root)/audit.sqlite")
        XCTAssertEqual(tampered.differences.map(\.field), ["lending"])
        var ahead = recorded.data
        ahead["positions"] = .object(["east": .integer(Int64(stores[0].snapshot(origin: "east")?.lastSeq ?? 0) + 5), "west": 1])
        XCTAssertThrowsError(try PlanAudit(record: ahead, store: stores[1], scratchPath: "\(root)/audit.sqlite")) { e in
            XCTAssertTrue("\(e)".contains("sync with the centre"), "\(e)")
        }
        var earlier = recorded.data
        earlier["positions"] = .object(["east": .integer(Int64(east.positions["east"] ?? 0) - 20_000), "west": .integer(Int64(east.positions["west"] ?? 0))])
        XCTAssertFalse(try PlanAudit(record: earlier, store: stores[1], scratchPath: "\(root)/audit.sqlite").identical)
    }

    /// An audit with projections already rebuilt to the plan's positions (as
    /// the demo audits at south) recomputes what a replay into a scratch
    /// projection recomputes, and refuses projections at any other positions
    /// or with other KPI parameters rather than compare against them.
    func testAnAuditWithProjectionsRebuiltToThePlansPositionsEqualsAReplay() throws {
        let stores = try cluster()
        let east = try ProjectionEngine(path: "\(root)/east.sqlite")
        try east.catchUp(from: stores[0])
        var p = PlanParameters()
        p.maxLendShare = 0.5
        let record = try PlanRecord(engine: east, day: planDay, parameters: p)
        XCTAssertFalse(record.plan.loans.isEmpty, "a plan with lending to compare")
        XCTAssertEqual(try stores[0].append(record.events(site: "east", at: Timestamp(ms: planDay * LocalDay.lengthMs - 3_600_000))).appended,
                       1 + record.plan.loans.count)
        try replicate(from: stores[0], to: stores[1])
        let received = try XCTUnwrap(try recordedPlans(stores[1]).first { $0["plan"]?.stringValue == record.id })

        // West rebuilt to exactly the recorded positions (the plan's own events come after them).
        let west = try ProjectionEngine(path: "\(root)/west-at-plan.sqlite")
        let applied = try west.rebuild(from: stores[1], limit: .init(positions: east.positions))
        XCTAssertEqual(west.positions, east.positions)
        let given = try PlanAudit(record: received, engine: west)
        let replayed = try PlanAudit(record: received, store: stores[1], scratchPath: "\(root)/audit.sqlite")
        XCTAssertTrue(given.identical, "\(given.differences)")
        XCTAssertEqual(given.method, .givenProjections)
        XCTAssertEqual(replayed.method, .scratchReplay)
        XCTAssertEqual(given.recomputed, replayed.recomputed, "the same plan recomputed both ways")
        XCTAssertEqual(given.positions, replayed.positions)
        XCTAssertEqual(given.eventsReplayed, applied)
        XCTAssertEqual(replayed.eventsReplayed, applied)

        // A record altered after the fact is caught the same way.
        var altered = received
        if case .array(var loans) = altered["lending"], !loans.isEmpty {
            loans.removeLast()
            altered["lending"] = .array(loans)
        }
        XCTAssertEqual(try PlanAudit(record: altered, engine: west).differences.map(\.field), ["lending"])

        // Projections short of any recorded position, or past it, are refused: they are not what the plan saw.
        for (origin, shift) in [("east", 1), ("east", -1), ("west", 1), ("west", -1)] {
            var moved = received
            var at = east.positions
            at[origin] = UInt64(Int64(at[origin] ?? 0) + Int64(shift))
            moved["positions"] = .object(JSONObject(at.sorted { $0.key < $1.key }.map { JSONObject.Member($0.key, .integer(Int64($0.value))) }))
            XCTAssertThrowsError(try PlanAudit(record: moved, engine: west), "\(origin) \(shift)") { e in
                XCTAssertEqual((e as? StaffingError)?.code, .notAtPositions, "\(e)")
                XCTAssertTrue("\(e)".contains("up to seq") && "\(e)".contains("journey audit plan"), "\(e)")
            }
        }
        // An origin the plan did not see, held by the projections, is a position too.
        var unseen = received
        if case .object(var at) = unseen["positions"] {
            at.members.removeAll { $0.key == "west" }
            unseen["positions"] = .object(at)
        }
        XCTAssertThrowsError(try PlanAudit(record: unseen, engine: west)) { e in
            XCTAssertEqual((e as? StaffingError)?.code, .notAtPositions, "\(e)")
        }
        // And so are projections computed with other KPI parameters (checked before the positions).
        var other = KPIParameters()
        other.serviceLevelSeconds = 30
        XCTAssertThrowsError(try PlanAudit(record: received, engine: try ProjectionEngine(path: "\(root)/other-kpi.sqlite", parameters: other))) { e in
            XCTAssertEqual((e as? StaffingError)?.code, .notAtPositions, "\(e)")
            XCTAssertTrue("\(e)".contains("KPI parameters"), "\(e)")
        }
    }

    /// The `staffing.planned` records `store` holds, in log order.
    func recordedPlans(_ store: LogStore) throws -> [JSONObject] {
        var plans: [JSONObject] = []
        for origin in store.origins {
            try store.scan(origin: origin, afterSeq: 0) { e in
                if e.kind == .staffingPlanned { plans.append(e.data) }
                return true
            }
        }
        return plans
    }

    /// Appends `events` to `store` with a later event that moves the data
    /// horizon past both history Mondays (so they are complete days), plans
    /// Monday 2026-03-16, and returns the plan and its east/billing 09:00 row.
    /// The events of `calls` contacts in queue billing at site east on the Mondays 2026-03-02 and 03-09 from
    /// 09:00, one every `spacingMs`; `body(i, at, ev)` gives contact i's events, `ev(kind, ms, agent, data)` makes one.
    func mondayNineOClock(calls: Int, spacingMs: Int64, prefix: String, channel: (Int) -> Channel = { _ in .voice },
                          _ body: (Int, Int64, (EventKind, Int64, String?, JSONObject) -> Event) -> [Event]) -> [Event] {
        var events: [Event] = []
        for monday in [2, 9] {
            let base = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: monday)) * LocalDay.lengthMs + 9 * 3_600_000
            for i in 0..<calls {
                let c = "\(prefix)\(monday)-\(i)", ch = channel(i)
                events += body(i, base + Int64(i) * spacingMs) { kind, ms, agent, data in
                    Event(site: "east", id: "\(c)-\(kind.rawValue)", at: Timestamp(ms: ms), kind: kind, contact: c, channel: ch,
                          queue: "billing", agent: agent, data: data)
                }
            }
        }
        return events
    }

    func planNineOClock(_ store: LogStore, _ events: [Event]) throws -> (StaffingPlan, StaffingPlan.Requirement) {
        let later = Event(site: store.site, id: "later", at: Timestamp(ms: Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 15)) * LocalDay.lengthMs),
                          kind: .agentLogin, agent: "ann")
        _ = try store.append(events + [later])
        let engine = try ProjectionEngine(path: store.directory + ".sqlite")
        try engine.catchUp(from: store)
        let plan = try PlanRecord(engine: engine, day: planDay, parameters: PlanParameters()).plan
        let nine = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 16)) * LocalDay.lengthMs + 9 * 3_600_000
        return (plan, try XCTUnwrap(plan.requirements.first { $0.site == "east" && $0.queue == "billing" && $0.start == nine }))
    }

    /// A plan against a case worked by hand, not by the code under test:
    /// 100 calls in Monday 09:00–09:30 on each of two Mondays, every one
    /// answered at once and handled in 180 s, nobody abandoning. Demand for the
    /// next Monday 09:00 is 100 calls, A = 100 × 180 / 1800 = 10 erlangs, and
    /// Erlang C for 80 % within 20 s (computed outside this code base:
    /// C(N, A) with SL = 1 − C·e^(−(N−A)·20/180)) gives 13 agents → 79.56 %,
    /// 14 agents → 88.84 %: 14 agents. Every other interval: no calls, no agents.
    func testARequirementWorkedByHand() throws {
        let s = try LogStore.create(directory: "\(root)/hand", site: "east")
        let events = mondayNineOClock(calls: 100, spacingMs: 17_000, prefix: "m") { i, at, ev in
            [ev(.contactStarted, at, nil, [:]), ev(.queueEntered, at, nil, [:]), ev(.contactAnswered, at, "ann", ["waitMs": 0]),
             ev(.contactEnded, at + 180_000, "ann", [:])]
        }
        let (plan, r) = try planNineOClock(s, events)
        XCTAssertEqual(r.calls, 100, accuracy: 1e-9)
        XCTAssertEqual(r.ahtSeconds, 180, accuracy: 1e-9)
        XCTAssertNil(r.patienceSeconds, "nobody abandoned: no patience measured, Erlang C")
        XCTAssertEqual(r.agents, 14)
        XCTAssertTrue(plan.requirements.filter { $0.start != r.start }.allSatisfy { $0.agents == 0 }, "no calls, no agents")
    }

    /// Patience comes from the channels where callers can abandon: on each of
    /// two Mondays 09:00, 25 voice callers abandon after 60 s and 25 are
    /// answered after 30 s, while 10 e-mails wait 10 hours in the same queue.
    /// Patience = (50 × 60 + 50 × 30) s / 50 abandons = 90 s (with the e-mails
    /// it would be (4,500 + 720,000) s / 50 = 14,490 s).
    func testPatienceIsMeasuredOnVoiceAndChatOnly() throws {
        let s = try LogStore.create(directory: "\(root)/patience", site: "east")
        let events = mondayNineOClock(calls: 60, spacingMs: 20_000, prefix: "p", channel: { $0 < 50 ? .voice : .email }) { i, at, ev in
            var out = [ev(.contactStarted, at, nil, [:]), ev(.queueEntered, at, nil, [:])]
            if i < 25 {
                out += [ev(.queueAbandoned, at + 60_000, nil, ["waitMs": 60_000, "exit": "abandon"]), ev(.contactEnded, at + 60_000, nil, [:])]
            } else {
                let wait: Int64 = i < 50 ? 30_000 : 36_000_000
                out += [ev(.contactAnswered, at + wait, "ann", ["waitMs": .integer(wait)]), ev(.contactEnded, at + wait + 120_000, "ann", [:])]
            }
            return out
        }
        let (_, r) = try planNineOClock(s, events)
        XCTAssertEqual(r.patienceSeconds ?? 0, 90, accuracy: 1e-9)
    }

    func testForecastFileErrorsNameTheLine() {
        XCTAssertThrowsError(try Forecast.parse(csv: "site,queue,start\nnorth,billing,09:00")) { XCTAssertTrue("\($0)".contains("line 1")) }
        XCTAssertThrowsError(try Forecast.parse(csv: "site,queue,start,calls\nnorth,billing,9h,3")) { XCTAssertTrue("\($0)".contains("line 2")) }
        for bad in ["-1", "1e300", "inf", "nan", "100001"] {
            XCTAssertThrowsError(try Forecast.parse(csv: "site,queue,start,calls\nnorth,billing,09:00,\(bad)"), bad) {
                XCTAssertTrue("\($0)".contains("from 0 to 100000"), "\($0)")
            }
        }
        XCTAssertThrowsError(try Forecast.parse(csv: "site,queue,start,calls\nnorth,billing,09:00,1\nnorth,billing,09:00,2")) { XCTAssertTrue("\($0)".contains("twice")) }
        XCTAssertEqual(try Forecast.parse(csv: "site,queue,start,calls\nnorth,billing,09:30,4.5\n").rows,
                       [Forecast.Row(site: "north", queue: "billing", startMinute: 570, calls: 4.5)])
    }
}
