import Foundation
@testable import JourneyLog
import XCTest

/// The in-process wake-up of long polls: never misses an append made after
/// the generation was read, ends at its timeout, and ends when cancelled.
final class AppendSignalTests: XCTestCase {
    func testAnAppendAfterTheReadGenerationIsNeverMissed() async {
        let s = AppendSignal()
        let g = s.generation
        s.signal()  // between the look and the wait
        await s.wait(after: g, timeout: .seconds(3600))  // returns at once: the generation moved
        XCTAssertEqual(s.generation, g + 1)
    }

    func testWaitersAreWokenBySignal() async throws {
        let s = AppendSignal()
        let g = s.generation
        let waiters = (0..<8).map { _ in Task { await s.wait(after: g, timeout: .seconds(3600)) } }
        try await Task.sleep(for: .milliseconds(100))
        s.signal()
        for w in waiters { await w.value }  // a missed wake-up would hang here (the test runner's timeout)
    }

    func testTimeoutAndCancellationEndTheWait() async {
        let s = AppendSignal()
        await s.wait(after: s.generation, timeout: .milliseconds(10))
        let waiting = Task { await s.wait(after: s.generation, timeout: .seconds(3600)) }
        waiting.cancel()
        await waiting.value
    }
}
