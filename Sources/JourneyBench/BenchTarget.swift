/// A benchmark figure's target: the bound a measurement must meet and how
/// reports print it. Every target lives here, once.
public struct BenchTarget: Sendable {
    /// The bound on the measured value.
    public enum Bound: Sendable {
        case atLeast(Double)
        case atMost(Double)
        case below(Double)
    }

    /// The bound.
    public var bound: Bound
    /// The target as reports print it.
    public var text: String

    /// A target `bound`, shown as `text`.
    public init(_ bound: Bound, _ text: String) {
        self.bound = bound
        self.text = text
    }

    /// True when `value` is a measurement (finite) within the bound.
    public func met(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        switch bound {
        case .atLeast(let x): return value >= x
        case .atMost(let x): return value <= x
        case .below(let x): return value < x
        }
    }

    /// `yes` or `no`, for tables.
    public func verdict(_ value: Double) -> String { met(value) ? "yes" : "no" }
}

extension BenchTarget {
    /// Appending generated events with group-commit fsync.
    public static let appendRate = BenchTarget(.atLeast(1_000_000), "≥ 1,000,000 events/s")
    /// That append against batched SQLite (WAL) in the same run.
    public static let appendOverSQLite = BenchTarget(.atLeast(3), "≥ 3×")
    /// Stored bytes over the canonical JSONL of the same events.
    public static let storedOverJSONL = BenchTarget(.atMost(0.1), "≤ 0.1")
    /// Stored bytes over gzip -6 of that JSONL.
    public static let storedOverGzip = BenchTarget(.below(1), "< 1")
    /// `journey append FILE` of canonical JSONL, durable, end to end.
    public static let fileAppendRate = BenchTarget(.atLeast(500_000), "≥ 500,000 events/s")
    /// Peak RSS of that append, whatever the input size (bytes).
    public static let fileAppendPeakRSS = BenchTarget(.below(256_000_000), "< 256 MB")
    /// Reading, inflating and decoding the whole log.
    public static let scanRate = BenchTarget(.atLeast(4_000_000), "≥ 4,000,000 events/s")
    /// A full rebuild of every projection.
    public static let rebuildRate = BenchTarget(.atLeast(1_000_000), "≥ 1,000,000 events/s")
    /// DuckDB's time over the rebuild's, on the same events and figures.
    public static let rebuildOverDuckDB = BenchTarget(.atLeast(3), "≥ 3× faster than DuckDB")
    /// Catch-up time after all of the history over that after half of it, for the same new events.
    public static let catchUpHistoryRatio = BenchTarget(.atMost(1.25), "≤ 1.25× (cost ∝ new events, not history)")
    /// A replay into a new file over a bulk rebuild, events per second.
    public static let replayOverRebuild = BenchTarget(.atLeast(0.8), "≥ 0.8× rebuild speed")
    /// The console's screen-pop, p99 latency with 50 concurrent clients on loopback, ms.
    public static let screenPopP99Ms = BenchTarget(.below(10), "< 10 ms p99 (50 clients)")
    /// `journey demo` at its default size, wall seconds after the build.
    public static let demoSeconds = BenchTarget(.below(60), "< 60 s")
    /// Its peak RSS (bytes).
    public static let demoPeakRSS = BenchTarget(.below(512_000_000), "< 512 MB")
    /// Peak RSS of a benchmark at 10M events (bytes).
    public static let peakRSS = BenchTarget(.below(512_000_000), "< 512 MB")
    /// Median latency of a projection query (ms).
    public static let queryMs = BenchTarget(.below(100), "< 100 ms at 10M events")
    /// Catching up a follower over loopback HTTP.
    public static let catchUpRate = BenchTarget(.atLeast(1_000_000), "≥ 1,000,000 events/s")
    /// Live replication lag p99 at 20k events/s on loopback (ms).
    public static let lagP99Ms = BenchTarget(.below(10), "< 10 ms")
    /// Projecting into PostgreSQL (the node's rebuild and the full copy), events per second.
    public static let postgresProjectRate = BenchTarget(.atLeast(300_000), "≥ 300,000 events/s")
    /// The PostgreSQL projection's lag behind the log in follow mode, p99.
    public static let postgresFollowLagMs = BenchTarget(.below(1000), "< 1 s")
}
