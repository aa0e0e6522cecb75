#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Erlang A (M/M/N+M): Erlang C with callers who abandon after an
/// exponential patience (mean `patienceSeconds`).
///
/// Computed exactly from the birth–death chain of the number of calls in the
/// system: arrivals at rate λ; with n calls, departures at rate
/// min(n, N)·μ + max(0, n − N)·θ (μ = 1/AHT, θ = 1/patience). Probabilities are
/// kept as ratios to the state-N term, so nothing overflows for large N; the
/// chain is summed until its terms are negligible.
///
/// A caller who finds n ≥ N calls waits behind i = n − N others; each step
/// forward comes at rate Nμ + jθ while their own patience runs at θ. They
/// are served within T when every step is a step forward and the steps take
/// at most T in all (a hypoexponential time, evaluated by uniformisation).
/// Service level counts calls served within T among all calls, so patience
/// → ∞ gives Erlang C's figures.
public struct ErlangA: Sendable {
    /// The same traffic without abandonment.
    public var erlangC: ErlangC
    /// Mean time a caller waits before abandoning, seconds.
    public var patienceSeconds: Double

    /// Traffic of `callsPerPeriod` calls per `periodSeconds`, handled in `ahtSeconds` on average, by callers of mean patience `patienceSeconds`.
    public init(callsPerPeriod: Double, periodSeconds: Double, ahtSeconds: Double, patienceSeconds: Double) {
        erlangC = ErlangC(callsPerPeriod: callsPerPeriod, periodSeconds: periodSeconds, ahtSeconds: ahtSeconds)
        self.patienceSeconds = patienceSeconds
    }

    /// Most queue states summed (bounds the work for an overloaded interval).
    static let waitingStatesMax = 200_000

    var lambda: Double { erlangC.callsPerPeriod / erlangC.periodSeconds }
    var mu: Double { 1 / erlangC.ahtSeconds }
    var theta: Double { 1 / patienceSeconds }

    /// Steady-state probabilities relative to the total: (p(n < N), p(N + i) for i = 0…).
    func distribution(_ agents: Int) -> (below: [Double], waiting: [Double]) {
        let n = max(1, agents)
        // Terms for n < N relative to state N: p(k−1)/p(k) = kμ/λ going down.
        var below = [Double](repeating: 0, count: n)
        var term = 1.0
        for k in stride(from: n, to: 0, by: -1) {
            term *= Double(k) * mu / lambda
            below[k - 1] = term
            if term < 1e-300 { break }
        }
        var waiting: [Double] = [1]
        var sum = 1.0
        term = 1
        var i = 1
        // Terms shrink once λ < Nμ + iθ; stop when they no longer matter. The cap
        // bounds an overloaded system with (almost) endless patience, where
        // nearly every call waits anyway.
        while i < ErlangA.waitingStatesMax {
            let ratio = lambda / (Double(n) * mu + Double(i) * theta)
            term *= ratio
            waiting.append(term)
            sum += term
            if ratio < 1 && term < 1e-16 * sum { break }
            i += 1
        }
        let total = below.reduce(0, +) + waiting.reduce(0, +)
        return (below.map { $0 / total }, waiting.map { $0 / total })
    }

    /// Probability that a call has to wait.
    public func waitProbability(_ agents: Int) -> Double { distribution(agents).waiting.reduce(0, +) }

    /// Probability that a call abandons: θ·E[queue] / λ.
    public func abandonProbability(_ agents: Int) -> Double {
        let w = distribution(agents).waiting
        let queue = w.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        return theta * queue / lambda
    }

    /// Share of all calls answered within `seconds`.
    ///
    /// One transient solution for all queue positions at once: a caller at
    /// position i moves to i − 1 at rate Nμ + iθ (to service from 0) and
    /// abandons at rate θ. Uniformised with Λ = the largest total rate, the
    /// mass that has reached service after k jumps, weighted by Poisson(ΛT),
    /// is the share served within T.
    public func serviceLevel(_ agents: Int, withinSeconds seconds: Double) -> Double {
        let (below, waiting) = distribution(agents)
        let served = below.reduce(0, +)
        guard seconds > 0, !waiting.isEmpty else { return min(1, served) }
        let n = Double(max(1, agents))
        let rates = waiting.indices.map { n * mu + Double($0) * theta }
        let big = (rates.last ?? n * mu) + theta
        let lt = big * seconds
        var v = waiting
        var reached = 0.0, withinT = 0.0, cumulative = 0.0
        var logPoisson = -lt
        let kMax = Int(lt + 12 * lt.squareRoot() + 50)
        var k = 0
        while k <= kMax {
            let weight = logPoisson < -700 ? 0 : exp(logPoisson)
            withinT += weight * reached
            cumulative += weight
            // One jump: advance, abandon (mass leaves), or stay.
            var next = [Double](repeating: 0, count: v.count)
            for i in v.indices where v[i] > 0 {
                let advance = v[i] * rates[i] / big
                if i == 0 { reached += advance } else { next[i - 1] += advance }
                next[i] += v[i] * (1 - (rates[i] + theta) / big)
            }
            v = next
            k += 1
            logPoisson += log(lt) - log(Double(k))
        }
        withinT += (1 - cumulative) * reached
        return min(1, served + withinT)
    }

    /// Mean wait of the calls that are answered, in seconds.
    public func averageSpeedOfAnswer(_ agents: Int) -> Double {
        let (below, waiting) = distribution(agents)
        var served = below.reduce(0, +), waitSum = 0.0
        let n = Double(max(1, agents))
        // Behind i others a caller needs i + 1 steps forward; reach and mean time build up step by step.
        var reach = 1.0, mean = 0.0
        for (i, p) in waiting.enumerated() {
            let r = n * mu + Double(i) * theta
            reach *= r / (r + theta)
            mean += 1 / (r + theta)
            served += p * reach
            waitSum += p * reach * mean
        }
        return served > 0 ? waitSum / served : 0
    }

    /// The fewest agents meeting the service level and the occupancy cap (on
    /// answered calls). Erlang C's answer is an upper bound (abandoning callers
    /// free the queue), so the search walks down from it.
    public func agents(serviceLevel target: Double, withinSeconds seconds: Double, maxOccupancy: Double = 1) -> Int {
        func meets(_ n: Int) -> Bool {
            let answeredLoad = erlangC.load * (1 - abandonProbability(n))
            return answeredLoad / Double(n) <= maxOccupancy && serviceLevel(n, withinSeconds: seconds) >= target
        }
        var n = erlangC.agents(serviceLevel: target, withinSeconds: seconds, maxOccupancy: maxOccupancy)
        while n > 1 && meets(n - 1) { n -= 1 }
        return n
    }
}
