import JourneyLog
import JourneyModel
import JourneySimulation
import JourneyTestSupport
import XCTest

/// A large append call with `bothCores` is checked and compressed as two
/// halves on two threads. What it stores and refuses is what one thread would: blocks cut
/// at the same seqs, and the first bad event named whichever half it is in.
final class BothCoresAppendTests: XCTestCase {
    func store(_ per: Int) throws -> LogStore {
        var o = LogOptions()
        o.fileSystem = FaultyFileSystem()
        o.durability = .none
        o.eventsPerBlock = per
        return try LogStore.create(directory: "/d", site: "north", options: o)
    }

    func testBlocksAreCutWhereOneThreadWouldCutThem() throws {
        var rng = SplitMix64(seed: 11)
        let traffic = SyntheticTraffic(site: "north", seed: 4).events(count: 3_000)
        var start = 0
        let store = try store(64)
        var expectedStarts: [UInt64] = []
        while start < traffic.count {
            // Calls of every size around the split: one block, two, odd counts, many blocks.
            let n = min(traffic.count - start, [1, 63, 64, 65, 127, 128, 129, 200, 777][Int(rng.next() % 9)])
            let r = try store.append(Array(traffic[start..<(start + n)]), bothCores: true)
            XCTAssertEqual(r.appended, n)
            var seq = UInt64(start + 1)
            while seq <= UInt64(start + n) {
                expectedStarts.append(seq)
                seq += 64
            }
            start += n
        }
        let snapshot = try XCTUnwrap(store.snapshot(origin: "north"))
        XCTAssertEqual(snapshot.blocks.map(\.firstSeq), expectedStarts, "each call's blocks start every 64 events from its first")
        var back: [Event] = []
        try store.forEachEvent(origin: "north") { back.append($0); return true }
        XCTAssertEqual(back.count, traffic.count)
        for (i, e) in back.enumerated() {
            var expected = traffic[i]
            expected.seq = UInt64(i + 1)
            XCTAssertTrue(e == expected, "event \(i + 1) changed")
        }
    }

    func testTheFirstBadEventIsNamedWhicheverHalfItIsIn() throws {
        let traffic = SyntheticTraffic(site: "north", seed: 5).events(count: 1_000)
        let store = try store(64)
        for bad in [[3], [700], [600, 20], [999], [0, 999], [500, 501]] {
            var batch = traffic
            for b in bad { batch[b].site = b % 2 == 0 ? "east" : batch[b].site; if b % 2 == 1 { batch[b].kind = EventKind("NOT A KIND") } }
            XCTAssertThrowsError(try store.append(batch, bothCores: true)) { error in
                XCTAssertTrue("\(error)".contains("event \((bad.min() ?? 0) + 1) "), "bad \(bad): \(error)")
            }
        }
        XCTAssertEqual(store.snapshot(origin: "north")?.lastSeq ?? 0, 0, "nothing of a refused call is stored")
    }
}
