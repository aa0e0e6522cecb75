import JourneyStaffing
import XCTest

final class ErlangTests: XCTestCase {
    /// The published worked example: 100 calls in 30 minutes, AHT 180 s, 80 % within 20 s.
    func testPublishedErlangCExample() {
        let e = ErlangC(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180)
        XCTAssertEqual(e.load, 10, accuracy: 1e-12)
        let n = e.agents(serviceLevel: 0.8, withinSeconds: 20)
        XCTAssertEqual(n, 14)
        XCTAssertEqual(e.serviceLevel(14, withinSeconds: 20), 0.8884, accuracy: 5e-5)
        XCTAssertEqual(e.averageSpeedOfAnswer(14), 7.84, accuracy: 0.005)
        XCTAssertEqual(e.occupancy(14), 0.714, accuracy: 5e-4)
        XCTAssertLessThan(e.serviceLevel(13, withinSeconds: 20), 0.8, "13 agents are not enough")
        XCTAssertEqual(ErlangC.positions(agents: 14, shrinkage: 0.3), 20)
    }

    func testHandCheckedCases() {
        // One agent, load 0.5: Pw = A = 0.5; ASA = Pw·AHT/(N−A) = 0.5·60/0.5 = 60 s.
        let single = ErlangC(callsPerPeriod: 30, periodSeconds: 3600, ahtSeconds: 60)
        XCTAssertEqual(single.waitProbability(1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(single.averageSpeedOfAnswer(1), 60, accuracy: 1e-9)
        // Two agents, load 1: B(2) = 0.2, C = 2·0.2/(2 − 0.8) = 1/3.
        let two = ErlangC(callsPerPeriod: 60, periodSeconds: 3600, ahtSeconds: 60)
        XCTAssertEqual(two.waitProbability(2), 1.0 / 3, accuracy: 1e-12)
        // The occupancy cap binds before the service level.
        XCTAssertEqual(ErlangC(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180).agents(serviceLevel: 0.5, withinSeconds: 20, maxOccupancy: 0.6), 17)
        // Not enough agents: everyone waits, nobody within the threshold.
        XCTAssertEqual(two.waitProbability(1), 1)
        XCTAssertEqual(two.serviceLevel(1, withinSeconds: 20), 0)
    }

    func testStableForThousandsOfCallsPerInterval() {
        let e = ErlangC(callsPerPeriod: 30_000, periodSeconds: 1800, ahtSeconds: 300)
        let n = e.agents(serviceLevel: 0.8, withinSeconds: 20)
        XCTAssertGreaterThan(n, 5000)
        XCTAssertLessThan(n, 5100)
        XCTAssertTrue(e.serviceLevel(n, withinSeconds: 20).isFinite)
        XCTAssertGreaterThanOrEqual(e.serviceLevel(n, withinSeconds: 20), 0.8)
    }

    /// Patience → ∞: Erlang A gives Erlang C's figures.
    func testErlangATendsToErlangCWithEndlessPatience() {
        let a = ErlangA(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180, patienceSeconds: 1e9)
        let c = ErlangC(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180)
        for n in [11, 12, 14, 16] {
            XCTAssertEqual(a.waitProbability(n), c.waitProbability(n), accuracy: 1e-4, "agents \(n)")
            XCTAssertEqual(a.serviceLevel(n, withinSeconds: 20), c.serviceLevel(n, withinSeconds: 20), accuracy: 1e-3, "agents \(n)")
            XCTAssertLessThan(a.abandonProbability(n), 1e-4)
        }
        XCTAssertEqual(a.agents(serviceLevel: 0.8, withinSeconds: 20), 14)
    }

    /// Patience = AHT: every call leaves at the same rate waiting or served, so
    /// the number in the system is Poisson(A) as in M/M/∞; P(wait) = P(X ≥ N).
    func testErlangAWithPatienceEqualToAHTIsTheInfiniteServerWaitProbability() {
        let a = ErlangA(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180, patienceSeconds: 180)
        for n in [5, 8, 10, 13] {
            var term = exp(-10.0), below = 0.0
            for k in 0..<n {
                below += term
                term *= 10 / Double(k + 1)
            }
            XCTAssertEqual(a.waitProbability(n), 1 - below, accuracy: 1e-9, "agents \(n)")
        }
    }

    func testErlangANeedsFewerAgentsThanErlangCAndAbandonsFall() {
        let a = ErlangA(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180, patienceSeconds: 120)
        XCTAssertLessThanOrEqual(a.agents(serviceLevel: 0.8, withinSeconds: 20), 14)
        XCTAssertGreaterThan(a.abandonProbability(10), a.abandonProbability(14))
        XCTAssertGreaterThan(a.abandonProbability(10), 0.01)
        XCTAssertLessThan(a.averageSpeedOfAnswer(14), 7.84)
    }
}
