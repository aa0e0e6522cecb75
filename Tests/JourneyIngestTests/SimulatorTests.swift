import Foundation
import JourneyIngest
@testable import JourneySimulation
import JourneyLog
import JourneyModel
import XCTest

final class SimulatorTests: XCTestCase {
    /// A small province: quick in a debug build, big enough for the figures to mean something.
    func config(seed: UInt64 = 11, days: Int = 6, agents: Int = 40, contacts: Int = 1300) -> SimulationConfig {
        var c = SimulationConfig(sites: ["north", "south"], seed: seed, days: days)
        c.agentsPerSite = agents
        c.contactsPerDay = contacts
        c.customersPerSite = 80_000
        return c
    }

    func run(_ c: SimulationConfig) -> [String: [Event]] {
        var out: [String: [Event]] = [:]
        Simulator(config: c).run { site, events in out[site, default: []] += events }
        return out
    }

    func testSameSeedGivesTheSameEventsAndTheSameLog() throws {
        let a = run(config()), b = run(config())
        XCTAssertEqual(EventCodec.encodeLines(a["north"] ?? []), EventCodec.encodeLines(b["north"] ?? []))
        XCTAssertGreaterThan(a["north"]?.count ?? 0, 10_000)
        XCTAssertNotEqual(EventCodec.encodeLines(run(config(seed: 12))["north"] ?? []), EventCodec.encodeLines(a["north"] ?? []))
        // Two stores (with different signing keys) fed the same run hold byte-identical chains.
        var heads: [String] = []
        for _ in 0..<2 {
            let dir = NSTemporaryDirectory() + "journey-sim-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = try LogStore.create(directory: dir, site: "north")
            try Simulator(config: config()).run { site, events in if site == "north" { _ = try store.append(events) } }
            heads.append(store.stats()[0].headHash)
        }
        XCTAssertEqual(heads[0], heads[1])
    }

    /// The events of one seeded run, pinned: a change to how the simulator
    /// builds or orders its output that changes a single byte of it fails
    /// here (a change of the model itself updates the figure, and says so).
    func testTheEventsOfOneSeedAreTheOnesRecorded() throws {
        let out = run(config())
        var digests: [String] = []
        for site in ["north", "south"] {
            let lines = EventCodec.encodeLines(out[site] ?? [])
            digests.append("\(site) \(out[site]?.count ?? 0) \(String(Checksum.fnv1a64(bytes: lines), radix: 16))")
        }
        print("simulated: \(digests)")
        XCTAssertEqual(digests, Self.recordedDigests)
    }

    static let recordedDigests = ["north 69587 f8620fddf68ee4b8", "south 70617 9335ab262b1f6114"]

    /// `permute(by:)` puts the element at `source[j]` at `j`, for any
    /// permutation, moving elements only (checked against a copying map).
    func testPermutingMovesEachElementWhereItsPermutationSays() {
        var rng = SplitMix64(seed: 2026)
        for n in 0..<60 {
            let original = (0..<n).map { "event-\($0)-" + String(repeating: "x", count: $0 % 20) }
            for _ in 0..<20 {
                var source = Array(0..<n)
                for i in stride(from: n - 1, to: 0, by: -1) { source.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                var moved = original
                moved.permute(by: source)
                XCTAssertEqual(moved, source.map { original[$0] }, "n = \(n), source \(source)")
            }
        }
    }

    func testEventsAreValidAndInTimeOrder() throws {
        let events = run(config())["north"] ?? []
        XCTAssertEqual(events.map(\.at), events.map(\.at).sorted())
        XCTAssertEqual(Set(events.map(\.id)).count, events.count, "ids are unique")
        for e in events.prefix(20_000) {
            let line = EventCodec.encode(e)
            XCTAssertEqual(try EventCodec.decode(line), e)
        }
        let kinds = Set(events.map(\.kind))
        for k: EventKind in [.contactStarted, .ivrInput, .contactSelfserved, .queueEntered, .queueAbandoned, .agentOffered, .agentMissed,
                             .contactAnswered, .contactHeld, .contactResumed, .contactTransferred, .contactEnded, .wrapupDone,
                             .surveyAnswered, .agentLogin, .agentLogout, .agentReady, .agentNotReady, .agentAssigned] {
            XCTAssertTrue(kinds.contains(k), "the simulation never produced \(k)")
        }
        let channels = Set(events.compactMap(\.channel))
        XCTAssertEqual(channels, Set(Channel.allCases).subtracting([.social]))
    }

    /// Waits and abandons must come from queueing: fewer agents, longer waits.
    func testFewerAgentsMeanLongerWaitsAndMoreAbandons() {
        func figures(_ agents: Int) -> (abandonRate: Double, meanWaitMs: Double) {
            let events = run(config(agents: agents))["north"] ?? []
            let answered = events.filter { $0.kind == .contactAnswered && $0.channel == .voice }
            let abandoned = events.filter { $0.kind == .queueAbandoned && $0.channel == .voice }.count
            let wait = answered.compactMap { $0.data["waitMs"]?.doubleValue }.reduce(0, +) / Double(max(1, answered.count))
            return (Double(abandoned) / Double(max(1, answered.count + abandoned)), wait)
        }
        let staffed = figures(40), short = figures(28)
        XCTAssertGreaterThan(short.abandonRate, staffed.abandonRate * 1.5, "\(short) vs \(staffed)")
        XCTAssertGreaterThan(short.meanWaitMs, staffed.meanWaitMs * 1.5, "\(short) vs \(staffed)")
    }

    /// Share of handled technical contacts whose customer contacts again within 72 h.
    func repeatShare(_ events: [Event], queue: String, days: Range<Int>, start: Int64) -> Double {
        var startsByCustomer: [String: [Int64]] = [:]
        for e in events where e.kind == .contactStarted { if let c = e.customer { startsByCustomer[c, default: []].append(e.at.ms) } }
        var handled = 0, repeated = 0
        for e in events where e.kind == .wrapupDone && e.queue == queue {
            let day = Int((e.at.ms - start) / LocalDay.lengthMs)
            guard days.contains(day), let c = e.customer else { continue }
            handled += 1
            if startsByCustomer[c, default: []].contains(where: { $0 > e.at.ms && $0 < e.at.ms + 72 * 3_600_000 }) { repeated += 1 }
        }
        return Double(repeated) / Double(max(1, handled))
    }

    /// The fault against a control: the same seed without the fault, which is
    /// identical up to the fault's day, so any difference after it is the fault's.
    func testOverflowFaultRaisesRepeatsAtTheFaultyCentreAfterItsDay() throws {
        let control = config(days: 12, agents: 36)
        var faulty = control
        faulty.scenarios = [try Scenario.parse("overflow-fault:site=north,queue=technical,day=6,after=5", sites: faulty.sites)]
        let withFault = run(faulty)["north"] ?? [], without = run(control)["north"] ?? []
        let start = Int64(control.startDay) * LocalDay.lengthMs
        let dayD = start + 6 * LocalDay.lengthMs
        XCTAssertEqual(EventCodec.encodeLines(withFault.filter { $0.at.ms < dayD - 3_600_000 }),
                       EventCodec.encodeLines(without.filter { $0.at.ms < dayD - 3_600_000 }), "identical before the fault")
        let faultyRepeats = repeatShare(withFault, queue: "technical", days: 6..<9, start: start)
        let controlRepeats = repeatShare(without, queue: "technical", days: 6..<9, start: start)
        XCTAssertGreaterThan(faultyRepeats, controlRepeats + 0.03, "repeats with the fault \(faultyRepeats), without \(controlRepeats)")
        let overflowed = withFault.filter { $0.kind == .contactAnswered && $0.data["route"] == .string("overflow") }
        XCTAssertGreaterThan(overflowed.count, 100)
        XCTAssertTrue(overflowed.allSatisfy { $0.at.ms >= dayD && $0.queue == "technical" })
        // Overflowed contacts are resolved far less often.
        let overflowedIDs = Set(overflowed.compactMap(\.contact))
        let wrapups = withFault.filter { $0.kind == .wrapupDone && overflowedIDs.contains($0.contact ?? "") }
        let resolved = Double(wrapups.filter { $0.data["resolved"] == .bool(true) }.count) / Double(max(1, wrapups.count))
        XCTAssertLessThan(resolved, 0.45)
        // The other centre has no fault.
        XCTAssertFalse((run(faulty)["south"] ?? []).contains { $0.data["route"] == .string("overflow") })
    }

    func testAttritionAgentsDriftThenLeave() throws {
        var c = config(days: 12, agents: 40)
        c.scenarios = [try Scenario.parse("attrition:site=north,agents=3,from=3,leave=8", sites: c.sites)]
        let events = run(c)["north"] ?? []
        let baseline = run(config(days: 12, agents: 40))["north"] ?? []
        let start = Int64(c.startDay) * LocalDay.lengthMs
        // The drifting agents are the ones with growing personal not-ready time.
        let personal = events.filter { $0.kind == .agentNotReady && $0.data["reason"] == .string("personal") }
        let drifting = Set(personal.compactMap(\.agent))
        XCTAssertEqual(drifting.count, 3)
        XCTAssertFalse(baseline.contains { $0.kind == .agentNotReady && $0.data["reason"] == .string("personal") })
        // Their personal time grows towards their last day.
        let first = personal.filter { $0.at.ms < start + 5 * LocalDay.lengthMs }.count
        XCTAssertGreaterThan(personal.count, first)
        // They log in after the drift starts, and never after their last day.
        for agent in drifting {
            let logins = events.filter { $0.kind == .agentLogin && $0.agent == agent }.map(\.at.ms)
            XCTAssertTrue(logins.contains { $0 >= start + 3 * LocalDay.lengthMs }, agent)
            XCTAssertFalse(logins.contains { $0 >= start + 9 * LocalDay.lengthMs }, "\(agent) logged in after leaving")
        }
        // They handle slower than everyone else once drifting.
        func meanTalkMs(_ agents: Set<String>, inverted: Bool) -> Double {
            var answered: [String: Int64] = [:]
            var total = 0.0, n = 0.0
            for e in events where e.at.ms >= start + 6 * LocalDay.lengthMs {
                guard let a = e.agent, agents.contains(a) != inverted, let c = e.contact else { continue }
                if e.kind == .contactAnswered { answered[c] = e.at.ms }
                if e.kind == .contactEnded, let t = answered[c] { total += Double(e.at.ms - t); n += 1 }
            }
            return total / max(1, n)
        }
        XCTAssertGreaterThan(meanTalkMs(drifting, inverted: false), meanTalkMs(drifting, inverted: true) * 1.2)
    }

    func testJourneysCrossCentres() {
        let out = run(config(days: 8))
        let north = Set((out["north"] ?? []).compactMap(\.customer))
        let south = Set((out["south"] ?? []).compactMap(\.customer))
        XCTAssertGreaterThan(north.intersection(south).count, 50, "some customers contact both centres")
    }

    func testScenarioErrorsSayWhatIsAccepted() {
        XCTAssertThrowsError(try Scenario.parse("flood:site=north", sites: ["north"])) { XCTAssertTrue("\($0)".contains("overflow-fault")) }
        XCTAssertThrowsError(try Scenario.parse("overflow-fault:site=west", sites: ["north"]))
        XCTAssertThrowsError(try Scenario.parse("overflow-fault:queue=fax", sites: ["north"]))
        XCTAssertThrowsError(try Scenario.parse("attrition:agents=many", sites: ["north"]))
    }
}
