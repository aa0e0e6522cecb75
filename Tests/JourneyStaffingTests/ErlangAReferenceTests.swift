import JourneyModel
@testable import JourneyStaffing
import XCTest

/// Erlang A checked against methods that share no code with it: the closed
/// form of Garnett, Mandelbaum and Reiman (2002) through the incomplete gamma
/// function, and a seeded simulation of the M/M/N+M queue call by call.
final class ErlangAReferenceTests: XCTestCase {
    /// A(x, y) = (x e^y / y^x) γ(x, y), with γ the lower incomplete gamma function,
    /// from its series γ(x, y) = y^x e^{-y} Σ_k y^k / (x (x+1) … (x+k)).
    static func gmrA(_ x: Double, _ y: Double) -> Double {
        var term = 1.0, sum = 1.0
        var k = 1.0
        while k < 1_000_000 {
            term *= y / (x + k)
            sum += term
            if x + k > y && term < 1e-17 * sum { break }
            k += 1
        }
        return sum
    }

    /// Erlang B blocking for `n` servers and offered load `a`.
    static func erlangB(_ n: Int, _ a: Double) -> Double {
        var b = 1.0
        for k in stride(from: 1, through: n, by: 1) { b = a * b / (Double(k) + a * b) }
        return b
    }

    /// (P(wait > 0), P(abandon)) by the closed form.
    static func closedForm(lambda: Double, mu: Double, theta: Double, n: Int) -> (wait: Double, abandon: Double) {
        let a = gmrA(Double(n) * mu / theta, lambda / theta)
        let e = erlangB(n, lambda / mu)
        let wait = a * e / (1 + (a - 1) * e)
        let rho = lambda / (Double(n) * mu)
        let abandonGivenWait = 1 / (rho * a) + 1 - 1 / rho
        return (wait, abandonGivenWait * wait)
    }

    let cases: [(calls: Double, aht: Double, patience: Double, agents: [Int])] = [
        (120, 240, 180, [14, 16, 18, 20]),      // a modest voice queue
        (600, 300, 120, [95, 100, 105, 110]),    // a big one, partly overloaded
        (40, 600, 900, [12, 14, 16]),            // long handle, patient callers
        (300, 180, 30, [25, 28, 31]),            // impatient callers, under-staffed
    ]

    func testWaitAndAbandonProbabilitiesEqualTheClosedForm() {
        for c in cases {
            let model = ErlangA(callsPerPeriod: c.calls, periodSeconds: 1800, ahtSeconds: c.aht, patienceSeconds: c.patience)
            for n in c.agents {
                let ref = Self.closedForm(lambda: c.calls / 1800, mu: 1 / c.aht, theta: 1 / c.patience, n: n)
                XCTAssertEqual(model.waitProbability(n), ref.wait, accuracy: 1e-9 * max(1, ref.wait), "\(c) N=\(n) P(wait)")
                XCTAssertEqual(model.abandonProbability(n), ref.abandon, accuracy: 1e-9, "\(c) N=\(n) P(abandon)")
            }
        }
    }

    /// Service level, ASA and abandonment against a seeded call-by-call
    /// simulation (FCFS, each call takes the first server free before its
    /// patience runs out, or abandons).
    func testServiceLevelAndSpeedOfAnswerAgreeWithASimulationOfTheQueue() {
        for c in cases {
            let n = c.agents[c.agents.count / 2]
            let model = ErlangA(callsPerPeriod: c.calls, periodSeconds: 1800, ahtSeconds: c.aht, patienceSeconds: c.patience)
            let sim = Self.simulate(lambda: c.calls / 1800, aht: c.aht, patience: c.patience, servers: n, calls: 400_000, seed: 7)
            // Within 4 standard errors of the simulation (batch means: successive calls are correlated).
            XCTAssertEqual(model.serviceLevel(n, withinSeconds: 20), sim.servedWithin20.mean, accuracy: 4 * sim.servedWithin20.error + 1e-3,
                           "\(c) N=\(n) SL")
            XCTAssertEqual(model.abandonProbability(n), sim.abandoned.mean, accuracy: 4 * sim.abandoned.error + 1e-3, "\(c) N=\(n) abandon")
            XCTAssertEqual(model.averageSpeedOfAnswer(n), sim.asa.mean, accuracy: 4 * sim.asa.error + 0.05, "\(c) N=\(n) ASA")
            XCTAssertLessThan(sim.servedWithin20.error, 0.01, "the simulation is long enough to tell")
        }
    }

    /// A simulated figure: its mean and standard error by batch means.
    struct Estimate {
        var mean: Double
        var error: Double
        init(_ batches: [Double]) {
            let m = batches.reduce(0, +) / Double(batches.count)
            let variance = batches.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(batches.count - 1)
            mean = m
            error = (variance / Double(batches.count)).squareRoot()
        }
    }

    static func simulate(lambda: Double, aht: Double, patience: Double, servers: Int, calls: Int, seed: UInt64)
        -> (servedWithin20: Estimate, abandoned: Estimate, asa: Estimate) {
        var rng = SplitMix64(seed: seed)
        func exponential(_ mean: Double) -> Double {
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            return -mean * log(1 - u)
        }
        var free = [Double](repeating: 0, count: servers)  // a binary min-heap of the times servers become free
        func siftDown(_ i: Int) {
            var i = i
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < free.count && free[l] < free[m] { m = l }
                if r < free.count && free[r] < free[m] { m = r }
                if m == i { return }
                free.swapAt(i, m)
                i = m
            }
        }
        var t = 0.0, within = 0, abandoned = 0, served = 0
        var waitSum = 0.0
        let batchCount = 20, perBatch = calls / 20
        var sl: [Double] = [], ab: [Double] = [], asa: [Double] = []
        // Warm up for a tenth of the calls before counting.
        let warmUp = calls / 10
        for k in 0..<(warmUp + batchCount * perBatch) {
            if k > warmUp && (k - warmUp) % perBatch == 0 {
                sl.append(Double(within) / Double(perBatch))
                ab.append(Double(abandoned) / Double(perBatch))
                asa.append(waitSum / Double(max(1, served)))
                within = 0; abandoned = 0; served = 0; waitSum = 0
            }
            t += exponential(1 / lambda)
            let start = max(t, free[0])
            let patienceDraw = exponential(patience)
            let service = exponential(aht)
            let counted = k >= warmUp
            if start - t <= patienceDraw {
                free[0] = start + service
                siftDown(0)
                if counted {
                    served += 1
                    waitSum += start - t
                    if start - t <= 20 { within += 1 }
                }
            } else if counted {
                abandoned += 1
            }
        }
        sl.append(Double(within) / Double(perBatch))
        ab.append(Double(abandoned) / Double(perBatch))
        asa.append(waitSum / Double(max(1, served)))
        return (Estimate(sl), Estimate(ab), Estimate(asa))
    }
}
