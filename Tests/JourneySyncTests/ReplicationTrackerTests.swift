import JourneyModel
import JourneySync
import XCTest

/// The replication lag the sync server reports for each pulling peer, on a manual clock.
final class ReplicationTrackerTests: XCTestCase {
    func testLagCountsFromTheLastCatchUpOrTheFirstRequest() {
        let clock = ManualClock(Timestamp(ms: 0))
        let tracker = ReplicationTracker(clock: clock)
        // A peer that has never held everything: its lag counts from its first request, not 0.
        tracker.record(peer: "south", cursors: ["north": 10], heads: ["north": 50])
        clock.advance(milliseconds: 4_000)
        var lag = tracker.lag(heads: ["north": 50])
        XCTAssertEqual(lag.count, 1)
        XCTAssertEqual(lag.first?.events, 40)
        XCTAssertEqual(lag.first?.seconds ?? 0, 4, accuracy: 1e-9)
        // Caught up: 0 events, 0 seconds.
        tracker.record(peer: "south", cursors: ["north": 50], heads: ["north": 50])
        lag = tracker.lag(heads: ["north": 50])
        XCTAssertEqual(lag.first?.events, 0)
        XCTAssertEqual(lag.first?.seconds, 0)
        // This node appends; the peer does not ask again: the lag grows from the catch-up.
        clock.advance(milliseconds: 2_500)
        lag = tracker.lag(heads: ["north": 75])
        XCTAssertEqual(lag.first?.events, 25)
        XCTAssertEqual(lag.first?.seconds ?? 0, 2.5, accuracy: 1e-9)
        // An origin the peer asks about for the first time while behind.
        tracker.record(peer: "south", cursors: [:], heads: ["north": 75, "east": 3])
        clock.advance(milliseconds: 1_000)
        lag = tracker.lag(heads: ["north": 75, "east": 3])
        XCTAssertEqual(lag.map(\.origin), ["east", "north"])
        XCTAssertEqual(lag.first?.events, 3)
        XCTAssertEqual(lag.first?.seconds ?? 0, 1, accuracy: 1e-9)
    }
}
