import JourneyLog
import JourneyModel
import JourneySimulation
import JourneyTestSupport
import XCTest

/// The id index finds every entry it was given, whatever it was sized for
/// and however it grew (step by step, or reserved at once), for any hashes:
/// zero, repeated, colliding in their low bits.
final class IDIndexTests: XCTestCase {
    func testEveryEntryIsFoundWhateverTheIndexWasSizedFor() {
        var rng = SplitMix64(seed: 31)
        for round in 0..<30 {
            var index = IDIndex(capacity: Int(rng.next() % 3_000))
            var reference: [UInt64: [UInt64]] = [:]
            let n = Int(rng.next() % 20_000)
            for i in 0..<n {
                // Hashes from a small pool (repeats), with equal low bits (long probe runs), and 0.
                let drawn: UInt64 = switch rng.next() % 4 {
                case 0: 0
                case 1: rng.next() % 500
                case 2: (rng.next() % 64) << 40
                default: rng.next()
                }
                // The index keeps hash 0 as 1 (0 marks an empty slot): one key, as a collision is.
                let h = drawn == 0 ? 1 : drawn
                if rng.next() % 7 == 0 {
                    index.insert(drawn, seq: UInt64(i))
                    reference[h, default: []].append(UInt64(i))
                } else if index.insertIfAbsent(drawn, seq: UInt64(i)) {
                    XCTAssertNil(reference[h], "round \(round): added under a hash it already held")
                    reference[h] = [UInt64(i)]
                } else {
                    XCTAssertNotNil(reference[h], "round \(round): refused a hash it did not hold")
                }
                if rng.next() % 2_000 == 0 {
                    let before = index.count
                    index.reserve(index.count + Int(rng.next() % 50_000))
                    XCTAssertEqual(index.count, before, "reserving adds or drops nothing")
                }
            }
            XCTAssertEqual(index.count, reference.values.reduce(0) { $0 + $1.count }, "round \(round)")
            for (h, seqs) in reference {
                XCTAssertEqual(index.candidates(h).sorted(), seqs.sorted(), "round \(round), hash \(h)")
                XCTAssertTrue(index.contains(h))
            }
            XCTAssertFalse(index.contains(UInt64.max - 1) && reference[UInt64.max - 1] == nil)
        }
    }

    /// A store's reserved index still knows every stored id, and the events
    /// of an append in flight: reserving is not releasing.
    func testAStoreWhoseIndexIsReservedStillFindsEveryDuplicate() throws {
        var o = LogOptions()
        o.fileSystem = FaultyFileSystem()
        o.eventsPerBlock = 64
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        let traffic = SyntheticTraffic(site: "north", seed: 9).events(count: 300)
        XCTAssertEqual(try store.append(Array(traffic[0..<200])).appended, 200)
        try store.reserveIDs(forAppending: 100_000)
        let again = try store.append(Array(traffic[100..<300]))
        XCTAssertEqual(again.duplicates, 100)
        XCTAssertEqual(again.appended, 100)
        store.releaseIDIndex()
        try store.reserveIDs(forAppending: 10)
        XCTAssertEqual(try store.append(traffic).duplicates, 300, "loaded again from the log, then reserved")
    }
}
