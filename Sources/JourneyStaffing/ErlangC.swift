#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Erlang C (M/M/N): calls arrive at random, wait as long as it takes, and
/// are served by N agents with exponential handle times.
///
/// With offered load A = arrivals × AHT (in erlangs) and N > A agents:
///
/// - the probability a call waits, Pw = C(N, A), computed from the Erlang B
///   recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which stays stable for
///   thousands of agents (no factorials or powers);
/// - service level SL(T) = 1 − Pw·e^(−(N−A)·T/AHT);
/// - ASA = Pw·AHT / (N − A); occupancy = A / N.
///
/// ```swift
/// let e = ErlangC(callsPerPeriod: 100, periodSeconds: 1800, ahtSeconds: 180)
/// let n = e.agents(serviceLevel: 0.8, withinSeconds: 20)   // 14
/// ```
public struct ErlangC: Sendable {
    /// Calls offered per period.
    public var callsPerPeriod: Double
    /// The period, seconds.
    public var periodSeconds: Double
    /// Average handle time, seconds.
    public var ahtSeconds: Double

    /// Traffic of `callsPerPeriod` calls per `periodSeconds`, handled in `ahtSeconds` on average.
    public init(callsPerPeriod: Double, periodSeconds: Double, ahtSeconds: Double) {
        self.callsPerPeriod = callsPerPeriod
        self.periodSeconds = periodSeconds
        self.ahtSeconds = ahtSeconds
    }

    /// The bounds of what can be planned, in one place: the calculations take
    /// time in proportion to the agents needed and the jumps within the
    /// threshold, so values past these are refused where they are given
    /// (command options, forecast files, recorded plans, measured history).
    public enum Bounds {
        /// Largest offered load of one queue and interval, in erlangs.
        public static let loadMax = 10_000.0
        /// Handle times shorter than this are not real contacts, in seconds.
        public static let ahtSecondsMin = 1.0
        /// Longest service-level threshold, in seconds.
        public static let withinSecondsMax = 3_600.0
        /// Lowest occupancy cap (agents at most ten times the load).
        public static let occupancyMin = 0.1
        /// Shortest and longest mean patience, in seconds.
        public static let patienceSeconds: ClosedRange<Double> = 1...86_400
    }

    /// Offered load in erlangs.
    public var load: Double { callsPerPeriod * ahtSeconds / periodSeconds }

    /// Erlang B blocking probability for `agents`.
    public func erlangB(_ agents: Int) -> Double {
        var b = 1.0
        if agents <= 0 { return 1 }
        for n in 1...agents { b = load * b / (Double(n) + load * b) }
        return b
    }

    /// Probability that a call waits (Erlang C); 1 when the agents cannot keep up.
    public func waitProbability(_ agents: Int) -> Double {
        let a = load, n = Double(agents)
        guard n > a else { return 1 }
        let b = erlangB(agents)
        return n * b / (n - a * (1 - b))
    }

    /// Share of calls answered within `seconds`.
    public func serviceLevel(_ agents: Int, withinSeconds seconds: Double) -> Double {
        let a = load, n = Double(agents)
        guard n > a else { return 0 }
        return max(0, 1 - waitProbability(agents) * exp(-(n - a) * seconds / ahtSeconds))
    }

    /// Mean wait of all calls, in seconds (infinite when the agents cannot keep up).
    public func averageSpeedOfAnswer(_ agents: Int) -> Double {
        let a = load, n = Double(agents)
        guard n > a else { return .infinity }
        return waitProbability(agents) * ahtSeconds / (n - a)
    }

    /// Share of time `agents` agents are busy with this traffic (at most 1).
    public func occupancy(_ agents: Int) -> Double { agents > 0 ? min(1, load / Double(agents)) : 1 }

    /// The fewest agents meeting the service level and the occupancy cap.
    public func agents(serviceLevel target: Double, withinSeconds seconds: Double, maxOccupancy: Double = 1) -> Int {
        // Within the bounds (load ≤ Bounds.loadMax, cap ≥ Bounds.occupancyMin) n stays below 100,001.
        var n = max(1, Int(load.rounded(.down)) + 1)
        n = max(n, Int((load / maxOccupancy).rounded(.up)))
        while occupancy(n) > maxOccupancy { n += 1 }
        while serviceLevel(n, withinSeconds: seconds) < target { n += 1 }
        return n
    }

    /// Positions to roster so that `agents` are available after shrinkage (breaks, absence, training).
    public static func positions(agents: Int, shrinkage: Double) -> Int {
        Int((Double(agents) / (1 - shrinkage) - 1e-9).rounded(.up))
    }
}
