import Foundation
@testable import JourneyNode
import Synchronization
import XCTest

/// The demo's appends run behind its simulation: in order, never more than
/// `depth` pieces unfinished, and nothing after the first failure.
final class AppendBehindTests: XCTestCase {
    struct Refused: Error, Equatable { var piece: Int }

    func testPiecesRunInOrderWithAtMostDepthUnfinished() throws {
        for depth in [1, 2, 3] {
            let behind = AppendBehind(depth: depth)
            let log = Mutex<(ran: [Int], finished: Int)>(([], 0))
            for i in 0..<200 {
                try behind.submit {
                    // Uneven pieces, so the submitter is sometimes ahead and sometimes waiting.
                    if i % 7 == 0 { usleep(300) }
                    log.withLock { $0.ran.append(i); $0.finished += 1 }
                }
                let unfinished = i + 1 - log.withLock { $0.finished }
                XCTAssertLessThanOrEqual(unfinished, depth, "depth \(depth), after submitting piece \(i)")
            }
            try behind.finish()
            XCTAssertEqual(log.withLock { $0.ran }, Array(0..<200), "depth \(depth)")
        }
    }

    func testNothingRunsAfterTheFirstFailureAndItIsThrown() throws {
        let behind = AppendBehind(depth: 2)
        let ran = Mutex<[Int]>([])
        var refusedAtSubmit: Int?
        for i in 0..<50 {
            do {
                try behind.submit {
                    if i == 10 || i == 12 { throw Refused(piece: i) }
                    ran.withLock { $0.append(i) }
                }
            } catch {
                XCTAssertEqual(error as? Refused, Refused(piece: 10))
                refusedAtSubmit = i
                break
            }
        }
        XCTAssertNotNil(refusedAtSubmit, "a later submit throws the failure")
        XCTAssertThrowsError(try behind.finish()) { XCTAssertEqual($0 as? Refused, Refused(piece: 10)) }
        XCTAssertEqual(ran.withLock { $0 }, Array(0..<10), "the pieces before the failure ran, none after")
    }
}
