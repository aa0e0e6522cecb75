import Foundation
import JourneyModel
import XCTest

/// `ByteKey` is equal, hashes and sorts exactly as the keys' UTF-8 bytes do,
/// for native and bridged strings alike, where `String` equates canonically
/// equivalent text.
final class ByteKeyTests: XCTestCase {
    /// Pieces that make canonically equivalent and near-equivalent strings.
    let pieces = ["e", "\u{E9}", "e\u{301}", "\u{301}", "a", "\u{C5}", "A\u{30A}", "\u{212B}", "\u{1F600}", "-", "\u{0}x"]

    func randomKey(_ rng: inout SplitMix64) -> String {
        (0..<Int(rng.next() % 4)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
    }

    func testEqualityHashAndOrderAreThoseOfTheBytes() {
        var rng = SplitMix64(seed: 20261130)
        var keys: [String] = []
        for _ in 0..<3000 { keys.append(randomKey(&rng)) }
        // Bridged strings read their bytes another way (no contiguous UTF-8 buffer).
        let bridged = keys.prefix(500).map { String(NSString(string: $0)) }
        let all = keys + bridged
        XCTAssertEqual(Set(all.map { ByteKey($0) }).count, Set(all.map { Array($0.utf8) }).count)
        XCTAssertLessThan(Set(all).count, Set(all.map { Array($0.utf8) }).count, "the pieces do make canonically equivalent pairs")
        for _ in 0..<5000 {
            let a = all[Int(rng.next() % UInt64(all.count))], b = all[Int(rng.next() % UInt64(all.count))]
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            XCTAssertEqual(ByteKey(a) == ByteKey(b), x == y, "\(x) \(y)")
            XCTAssertEqual(ByteKey(a) < ByteKey(b), x.lexicographicallyPrecedes(y), "\(x) \(y)")
            XCTAssertEqual(a.bytesPrecede(b), x.lexicographicallyPrecedes(y), "\(x) \(y)")
            if x == y { XCTAssertEqual(ByteKey(a).hashValue, ByteKey(b).hashValue) }
        }
        XCTAssertNotEqual(ByteKey("caf\u{E9}"), ByteKey("cafe\u{301}"))
        XCTAssertEqual("caf\u{E9}", "cafe\u{301}", "Swift's String equates them")
    }
}
