import JourneyLog
import JourneyModel
import Synchronization

/// Where each peer that pulls from this node stood at its last request,
/// origin by origin: how far behind this node it is, in events and in
/// seconds since it was last caught up (`/metrics`, the console's
/// replication page). Kept by ``SyncServer`` in memory.
public final class ReplicationTracker: Sendable {
    /// One peer's position in one origin.
    public struct Position: Sendable, Equatable {
        /// The last seq the peer held at its last request.
        public var cursor: UInt64
        /// When the peer last asked while holding everything this node had, or
        /// (if it never did) when it first asked (monotonic seconds): the lag in
        /// seconds counts from here.
        public var caughtUpAt: Double
    }

    private let positions = Mutex<[String: [String: Position]]>([:])
    private let clock: any NodeClock

    /// A tracker timed by `clock`.
    public init(clock: any NodeClock = SystemClock()) { self.clock = clock }

    /// Records a request of `peer` holding `cursors`, for the origins it may read, with this node's `heads` at that moment.
    public func record(peer: String, cursors: [String: UInt64], heads: [String: UInt64]) {
        let now = clock.monotonicSeconds()
        positions.withLock { all in
            var mine = all[peer] ?? [:]
            for (origin, head) in heads {
                let cursor = cursors[origin] ?? 0
                var p = mine[origin] ?? Position(cursor: cursor, caughtUpAt: now)
                p.cursor = cursor
                if cursor >= head { p.caughtUpAt = now }
                mine[origin] = p
            }
            all[peer] = mine
        }
    }

    /// Per peer and origin: events this node holds that the peer has not pulled
    /// (given this node's `heads` now), and seconds since it was last caught up
    /// — or since its first request, if it never was (0 when it is).
    public func lag(heads: [String: UInt64]) -> [(peer: String, origin: String, events: UInt64, seconds: Double)] {
        let now = clock.monotonicSeconds()
        return positions.withLock { all in
            all.keys.sorted().flatMap { peer in
                (all[peer] ?? [:]).keys.sorted().map { origin in
                    let p = all[peer]?[origin] ?? Position(cursor: 0, caughtUpAt: now)
                    let head = heads[origin] ?? 0
                    let behind = head > p.cursor ? head - p.cursor : 0
                    return (peer, origin, behind, behind == 0 ? 0 : max(0, now - p.caughtUpAt))
                }
            }
        }
    }
}
