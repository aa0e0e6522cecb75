import JourneyLog
import JourneyModel
import JourneySimulation
import XCTest

/// Whatever a store accepts, its reader accepts: the writer checks every
/// bound the block reader enforces (events, distinct strings, uncompressed
/// and compressed bytes, nesting), and splits a run rather than write a block
/// that would be refused on the way back.
final class BlockBoundsTests: XCTestCase {
    /// A random value: scalars of every kind, text of every width, and arrays and objects up to `depth` deep.
    func value(_ rng: inout SplitMix64, depth: Int, wide: Bool) -> JSONValue {
        let pick = depth > 0 ? rng.next() % 8 : rng.next() % 6
        switch pick {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .integer(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))
        case 3: return .number(["1.5", "-0", "2e10", "-3.25E-7"][Int(rng.next() % 4)])
        case 4, 5: return .string(text(&rng, wide: wide))
        case 6: return .array((0..<Int(rng.next() % 4)).map { _ in value(&rng, depth: depth - 1, wide: wide) })
        default:
            return .object(JSONObject((0..<Int(rng.next() % 4)).map { _ in
                JSONObject.Member(text(&rng, wide: false), value(&rng, depth: depth - 1, wide: wide))
            }))
        }
    }

    /// Text of 0–40 characters (ASCII, accented in both spellings, CJK, emoji), or with `wide` up to 3,000 random ones.
    func text(_ rng: inout SplitMix64, wide: Bool) -> String {
        let pieces = ["a", "Z", "7", "-", "é", "e\u{301}", "東", "🙂", " ", "\""]
        let n = wide ? Int(rng.next() % 3_000) : Int(rng.next() % 40)
        return String((0..<n).map { _ in
            wide ? Character(Unicode.Scalar(UInt8(33 + rng.next() % 90))) : Character(pieces[Int(rng.next() % UInt64(pieces.count))])
        })
    }

    func testEveryEventTheStoreAcceptsReadsBackFromItsBlocks() throws {
        var rng = SplitMix64(seed: 2026)
        let base = SyntheticTraffic(site: "north", seed: 3).events(count: 1)[0]
        var accepted = 0, refused = 0
        for round in 0..<12 {
            // Some rounds carry many distinct or barely compressible strings, some nest to the bound.
            let wide = round % 3 == 1
            let deep = round % 3 == 2 ? JSONParser.depthMax + 2 : 6
            var batch: [Event] = []
            for i in 0..<(wide ? 1_500 : 400) {
                var e = base
                e.id = "r\(round)-\(i)-" + text(&rng, wide: false)
                e.data = JSONObject((0..<Int(rng.next() % 12)).map { _ in
                    JSONObject.Member(text(&rng, wide: false), value(&rng, depth: Int(rng.next() % UInt64(deep)), wide: wide))
                })
                if rng.next() % 4 == 0 { e.extra = ["x-" + text(&rng, wide: false): value(&rng, depth: Int(rng.next() % UInt64(deep)), wide: wide)] }
                if round % 3 == 2, rng.next() % 4 == 0 {
                    // A chain around the bound: 58–67 levels of arrays and objects mixed.
                    var chain = value(&rng, depth: 0, wide: false)
                    for _ in 0..<(58 + Int(rng.next() % 10)) { chain = rng.next() % 2 == 0 ? .array([chain]) : .object(["k": chain]) }
                    e.data.members.append(JSONObject.Member("chain", chain))
                }
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
