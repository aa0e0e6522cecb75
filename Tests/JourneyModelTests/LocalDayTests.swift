import JourneyModel
import XCTest

/// The calendar date type: its text, its arithmetic, and its agreement with
/// the timestamps' own calendar for instants before and after 1970.
final class LocalDayTests: XCTestCase {
    func testTextRoundTripsAndRefusesWhatIsNotADate() {
        XCTAssertEqual(LocalDay("2026-03-02")?.text, "2026-03-02")
        XCTAssertEqual(LocalDay("1970-01-01")?.number, 0)
        XCTAssertEqual(LocalDay("1969-12-31")?.number, -1)
        XCTAssertEqual(LocalDay(year: 2024, month: 2, day: 29).text, "2024-02-29")
        for bad in ["2026-02-29", "2026-13-01", "2026-3-2", "", "2026-03-02T00:00:00Z", "yesterday"] {
            XCTAssertNil(LocalDay(bad), bad)
        }
    }

    func testADayHoldsExactlyTheInstantsOfItsDateInEveryYearAndSign() {
        var rng = SplitMix64(seed: 7)
        let span = UInt64(Limits.timeMax.ms - Limits.timeMin.ms)
        for _ in 0..<20_000 {
            let ms = Limits.timeMin.ms + Int64(rng.next() % span)
            let day = LocalDay.utc(of: Timestamp(ms: ms))
            XCTAssertLessThanOrEqual(day.localStartMs, ms)
            XCTAssertLessThan(ms, day.advanced(by: 1).localStartMs)
            XCTAssertEqual(LocalDay.timeOfDayMs(localMs: ms), ms - day.localStartMs)
            XCTAssertEqual(day.text, String(Timestamp(ms: ms).rfc3339.prefix(10)), "\(ms)")
            XCTAssertEqual(LocalDay(day.text), day)
        }
    }

    func testDaysCoveringADurationRoundUp() {
        XCTAssertEqual(LocalDay.covering(ms: 0), 0)
        XCTAssertEqual(LocalDay.covering(ms: 1), 1)
        XCTAssertEqual(LocalDay.covering(ms: 72 * LocalDay.hourMs), 3)
        XCTAssertEqual(LocalDay.covering(ms: 72 * LocalDay.hourMs + 1), 4)
    }

    func testFloorDivisionIsExactBelowZero() {
        for (a, b, q) in [(Int64(-1), Int64(10), Int64(-1)), (-10, 10, -1), (-11, 10, -2), (0, 10, 0), (9, 10, 0), (10, 10, 1)] {
            XCTAssertEqual(LocalDay.floorDiv(a, b), q, "\(a) / \(b)")
        }
    }
}
