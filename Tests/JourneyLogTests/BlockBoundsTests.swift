import JourneyLog
import JourneyModel
import JourneyTestSupport
import XCTest

/// Whatever a store accepts, its reader accepts: the writer checks every
/// bound the block reader enforces (events, distinct strings, uncompressed
/// and compressed bytes, nesting), and splits a run rather than write a block
/// that would be refused on the way back.
final class BlockBoundsTests: XCTestCase {
    func testEveryEventTheStoreAcceptsReadsBackFromItsBlocks() throws {
        var rng = SplitMix64(seed: 2026)
        var accepted = 0, refused = 0
        for round in 0..<12 {
            var batch: [Event] = []
            for e in RandomValues.events(&rng, round: round, count: round % 3 == 1 ? 1_500 : 400) {
                do throws(ModelError) {
                    try e.validate()
                    batch.append(e)
                    accepted += 1
                } catch {
                    refused += 1
                }
            }
            let back = try Block.throughBlocks(batch, origin: "north")
            XCTAssertEqual(back.count, batch.count, "round \(round)")
            for (i, e) in batch.enumerated() where i < back.count {
                var expected = e
                expected.seq = back[i].seq
                XCTAssertTrue(back[i] == expected, "round \(round), event \(i) changed in its block")
            }
            XCTAssertEqual(back.map(\.seq), Array(1...UInt64(max(1, batch.count))).prefix(batch.count).map { $0 }, "round \(round)")
        }
        XCTAssertGreaterThan(accepted, 3_000)
        XCTAssertGreaterThan(refused, 0, "some events nested past the bound, and were refused")
    }
}
