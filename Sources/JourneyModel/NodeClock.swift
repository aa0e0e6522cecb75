#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where a node's time comes from: wall time for the stamps on what it records,
/// monotonic time for durations and deadlines. Code that needs either takes a
/// clock instead of asking the system, so a test can fix time or step it
/// (``ManualClock``) and a recorded action is stamped with the time its caller chose.
public protocol NodeClock: Sendable {
    /// Wall-clock time now: the stamp of a recorded action (a plan, a coaching session).
    func now() -> Timestamp
    /// Monotonic seconds from an arbitrary origin: only differences mean anything.
    func monotonicSeconds() -> Double
}

/// The system's clocks: `CLOCK_REALTIME` for stamps, `CLOCK_MONOTONIC` for durations.
public struct SystemClock: NodeClock {
    /// The system's clocks.
    public init() {}

    /// The system's wall-clock time.
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(ms: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    /// The system's monotonic time, in seconds.
    public func monotonicSeconds() -> Double { Self.monotonicSeconds() }

    /// Monotonic seconds, without an instance: for timings inside the engines.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A clock that moves only when told: both its wall and monotonic time start
/// where the test sets them and advance together by ``advance(milliseconds:)``.
public final class ManualClock: NodeClock, Sendable {
    private let state: Mutex<(wallMs: Int64, elapsedMs: Int64)>

    /// A clock standing at `start`.
    public init(_ start: Timestamp) { state = Mutex((start.ms, 0)) }

    /// Where the clock stands.
    public func now() -> Timestamp { state.withLock { Timestamp(ms: $0.wallMs) } }

    /// Seconds advanced since the clock was made.
    public func monotonicSeconds() -> Double { state.withLock { Double($0.elapsedMs) / 1000 } }

    /// Moves both clocks forward by `milliseconds` (which must not be negative).
    public func advance(milliseconds: Int64) {
        precondition(milliseconds >= 0, "a clock does not go back")
        state.withLock {
            $0.wallMs += milliseconds
            $0.elapsedMs += milliseconds
        }
    }
}
