import JourneyModel
import XCTest

/// The progress line of every long run: its wording, and at most one line a second except the last.
final class ProgressLineTests: XCTestCase {
    func testWordingRateAndTimeLeft() {
        XCTAssertEqual(ProgressLine.text(verb: "applied", unit: "events", done: 250_000, total: 1_000_000, elapsedSeconds: 2.5),
                       "applied 250000 of 1000000 events (25%), 100000 events/s, about 8 s left")
        XCTAssertEqual(ProgressLine.text(verb: "stored", unit: "events", done: 12, total: 10, elapsedSeconds: 0),
                       "stored 12 of 10 events (100%), 12000 events/s, about 0 s left", "more than expected (a peer appended meanwhile) stays at 100 %")
    }

    func testOneLineASecondAndAlwaysTheLast() {
        var p = ProgressLine(verb: "pulled")
        var shown: [UInt64] = []
        for (done, at) in [(10, 0.1), (20, 0.5), (30, 1.2), (40, 1.9), (50, 2.3), (60, 2.4)] as [(UInt64, Double)] {
            if p.line(done: done, total: 60, elapsedSeconds: at) != nil { shown.append(done) }
        }
        XCTAssertEqual(shown, [10, 30, 50, 60])
        XCTAssertNil(p.line(done: 60, total: 60, elapsedSeconds: 2.5), "the last line comes once")
    }
}
