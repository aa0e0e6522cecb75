import Foundation
@testable import JourneyLog
import JourneyModel
import JourneySimulation
import JourneyTestSupport
import XCTest

/// The id index beyond its memory bound: entries spilled to sorted runs on
/// disk (and runs merged) are found as the in-memory table finds them, for
/// any hashes (zero, repeated past a page, colliding in their low bits); a
/// store whose ids spill finds every duplicate a store holding them all in
/// memory finds; a scratch file that fails refuses the append instead of
/// letting a duplicate in.
final class SpillingIDIndexTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-spill-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// The property, against a dictionary, on the real file system and the
    /// in-memory one: every operation answers as the dictionary does, while
    /// the entries move to disk, spill after spill.
    func testEveryEntryIsFoundInMemoryAndOnDisk() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 41)
        var spills = 0
        for round in 0..<24 {
            let fs: any FileSystem = round % 2 == 0 ? POSIXFileSystem() : FaultyFileSystem()
            if round % 2 == 1 { try fs.createDirectory(root) }
            // A small table (its spill sorts in one piece) or a larger one (sorted by buckets first).
            let index = SpillingIDIndex(fileSystem: fs, directory: root, memoryEntries: round % 4 < 2 ? 1024 : 5_000)
            // A hint of what to expect, or none (the filter is then made again as the disk grows).
            if round % 3 == 0 { index.reserve(Int(rng.next() % 20_000)) }
            var reference: [UInt64: [UInt64]] = [:]
            var onDisk = 0
            let n = index.memoryEntries < 5_000 ? 2_000 + Int(rng.next() % 12_000) : 14_000 + Int(rng.next() % 8_000)
            for i in 0..<n {
                // Hashes from a small pool (repeats), one hash given many times (more than a page
                // of the run), equal low bits (long probe runs), 0, and random ones.
                let drawn: UInt64 = switch rng.next() % 6 {
                case 0: 0
                case 1: rng.next() % 500
                case 2: (rng.next() % 64) << 40
                case 3: 0xABCD
                default: rng.next()
                }
                let h = drawn == 0 ? 1 : drawn
                if rng.next() % 5 == 0 || drawn == 0xABCD {
                    try index.insert(drawn, seq: UInt64(i))
                    reference[h, default: []].append(UInt64(i))
                } else if try index.insertIfAbsent(drawn, seq: UInt64(i)) {
                    XCTAssertNil(reference[h], "round \(round), step \(i): added under a hash it already held")
                    reference[h] = [UInt64(i)]
                } else {
                    XCTAssertNotNil(reference[h], "round \(round), step \(i): refused a hash it did not hold")
                }
                if index.countOnDisk > onDisk { spills += 1 }
                onDisk = index.countOnDisk
            }
            XCTAssertGreaterThan(onDisk, 0, "round \(round): the entries spilled")
            XCTAssertEqual(index.count, reference.values.reduce(0) { $0 + $1.count }, "round \(round)")
            for (h, seqs) in reference {
                XCTAssertEqual(try index.candidates(h).sorted(), seqs.sorted(), "round \(round), hash \(h)")
                XCTAssertTrue(try index.contains(h))
            }
            for _ in 0..<500 {
                let absent = rng.next() | (1 << 63)
                guard reference[absent] == nil else { continue }
                XCTAssertEqual(try index.candidates(absent), [], "round \(round)")
            }
            XCTAssertGreaterThan(reference[0xABCD]?.count ?? 0, IDRun.entriesPerPage, "round \(round): one hash fills more than a page")
            index.release()
            XCTAssertEqual(index.count, 0)
            XCTAssertEqual(try index.candidates(0xABCD), [])
        }
        XCTAssertGreaterThan(spills, 48, "the run on disk was merged with the table again and again")
        let left = try FileManager.default.contentsOfDirectory(atPath: root)
        XCTAssertEqual(left, [], "no scratch file outlives its index")
    }

    /// The conflict index (an import's check) names exactly the hashes a
    /// dictionary of value sets gives several values, whatever spilled and
    /// was merged, and leaves no scratch file behind.
    func testTheConflictIndexNamesEveryHashGivenSeveralValues() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 77)
        var merged = 0
        for round in 0..<12 {
            let fs: any FileSystem = round % 2 == 0 ? POSIXFileSystem() : FaultyFileSystem()
            if round % 2 == 1 { try fs.createDirectory(root) }
            let index = IDConflictIndex(fileSystem: fs, directory: root, memoryEntries: round % 3 == 0 ? 5_000 : 1_024)
            if round % 4 == 0 { index.reserve(Int(rng.next() % 40_000)) }
            var reference: [UInt64: Set<UInt64>] = [:]
            var runs = 0
            for _ in 0..<(round % 4 == 3 ? 900 : 5_000 + Int(rng.next() % 40_000)) {
                let h: UInt64 = switch rng.next() % 5 {
                case 0: 0
                case 1: rng.next() % 300  // repeated, some with several values
                case 2: (rng.next() % 64) << 40
                default: rng.next()
                }
                let v = rng.next() % 20 == 0 ? rng.next() % 3 : 7  // mostly one value per hash
                try index.add(h, value: v)
                reference[h == 0 ? 1 : h, default: []].insert(v)
                if index.runCount < runs { merged += 1 }
                runs = index.runCount
            }
            var expected = Set(reference.filter { $0.value.count > 1 }.keys)
            if expected.contains(1) { expected.insert(0) }
            // Every fourth round stays in memory (answered without a merge).
            XCTAssertEqual(runs > 0, round % 4 != 3, "round \(round): the pairs spilled, or not")
            XCTAssertEqual(try index.hashesWithSeveralValues(), expected, "round \(round)")
            XCTAssertFalse(expected.isEmpty)
        }
        XCTAssertGreaterThan(merged, 0, "runs were merged")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [], "no scratch file outlives its index")
    }

    /// The spill's sort (by buckets of the top byte, then each bucket) gives
    /// what one sort of the whole gives, for any hashes: spread, all in one
    /// bucket, repeated with other values.
    func testTheSpillSortEqualsOneSortOfTheWhole() {
        var rng = SplitMix64(seed: 8)
        for n in [0, 1, 4_096, 4_097, 10_000, 150_000] {
            for kind in 0..<4 {
                var entries = (0..<n).map { i -> IDEntry in
                    let h: UInt64 = switch kind {
                    case 0: rng.next() | 1
                    case 1: rng.next() % 1_000 + 1  // one bucket
                    case 2: (rng.next() % 3 + 1) << 56 | rng.next() % 16  // three buckets, many repeats
                    default: i % 2 == 0 ? rng.next() | 1 : UInt64(i) << 40 | 1
                    }
                    return IDEntry(hash: h, value: rng.next() % 5)
                }
                let expected = entries.sorted { ($0.hash, $0.value) < ($1.hash, $1.value) }
                entries.withUnsafeMutableBufferPointer { IDIndex.sort($0) }
                XCTAssertEqual(entries, expected, "n \(n), kind \(kind)")
            }
        }
    }

    /// The filter never rules out a hash it was given, and rules out most of
    /// the others: at ten bits an entry, under 2 % of absent hashes pass
    /// (about 1 % is expected of a split-block filter).
    func testTheFilterHasNoFalseNegativesAndFewFalsePositives() {
        var rng = SplitMix64(seed: 5)
        for size in [1, 10, 1_000, 100_000] {
            var filter = BloomFilter(entries: size)
            // FNV-1a-like hashes whose low bits are not spread, and random ones.
            let given = (0..<size).map { i in i % 2 == 0 ? UInt64(i) << 20 : rng.next() }
            for h in given { filter.insert(h) }
            for h in given { XCTAssertTrue(filter.mayContain(h), "size \(size)") }
            guard size >= 1_000 else { continue }
            let tries = 200_000
            let passed = (0..<tries).filter { _ in filter.mayContain(rng.next() | 1) }.count
            XCTAssertLessThan(Double(passed) / Double(tries), 0.02, "size \(size): \(passed) of \(tries) absent hashes passed")
        }
    }

    /// A store whose own ids spill (a bound of 1,024 in memory) stores and
    /// skips exactly what a store holding every id in memory does: appends
    /// again, overlapping, after a reopen, and with duplicates within a call.
    func testAStoreWhoseIDsSpillFindsEveryDuplicate() throws {
        let traffic = SyntheticTraffic(site: "north", seed: 12).events(count: 9_000)
        func outcomes(memory: Int) throws -> [String] {
            let fs = FaultyFileSystem()
            var o = LogOptions()
            o.fileSystem = fs
            o.eventsPerBlock = 256
            o.idsInMemoryMax = memory
            var store = try LogStore.create(directory: "/s", site: "north", options: o)
            var seen: [String] = []
            func append(_ events: ArraySlice<Event>) throws {
                let r = try store.append(Array(events))
                seen.append("appended \(r.appended) duplicates \(r.duplicates) first \(r.firstSeq ?? 0) last \(r.lastSeq ?? 0)")
            }
            for start in stride(from: 0, to: 6_000, by: 700) { try append(traffic[start..<min(6_000, start + 700)]) }
            try append(traffic[0..<6_000])
            try append(traffic[5_000..<7_000])
            // Duplicates within one call, of stored and of new events.
            try append(traffic[6_900..<7_100] + traffic[7_000..<7_100] + traffic[10..<20])
            store = try LogStore.open(directory: "/s", options: o)
            try append(traffic[0..<9_000])
            store.releaseIDIndex()
            try append(traffic[8_000..<9_000])
            XCTAssertEqual(fs.paths.filter { $0.contains("scratch") }.isEmpty, memory >= 9_000, "the spilled index's runs are on disk")
            store.releaseIDIndex()
            XCTAssertEqual(fs.paths.filter { $0.contains("scratch") }, [], "no scratch file outlives its index")
            return seen
        }
        let spilled = try outcomes(memory: 1024)
        XCTAssertEqual(spilled, try outcomes(memory: SpillingIDIndex.defaultMemoryEntries))
        XCTAssertEqual(spilled.last, "appended 0 duplicates 1000 first 0 last 0")
        XCTAssertEqual(spilled[spilled.count - 2], "appended 1900 duplicates 7100 first 7101 last 9000")
    }

    /// Reproduction: a spilled index that cannot read its scratch file must
    /// not call an id new (a duplicate would be stored). The append is
    /// refused with an I/O error, and the next one loads the index afresh
    /// from the log and finds the duplicates.
    func testAScratchFileThatFailsRefusesTheAppendAndTheNextLoadsAfresh() throws {
        let fs = FaultyFileSystem()
        var o = LogOptions()
        o.fileSystem = fs
        o.eventsPerBlock = 256
        o.idsInMemoryMax = 1024
        let store = try LogStore.create(directory: "/s", site: "north", options: o)
        let traffic = SyntheticTraffic(site: "north", seed: 3).events(count: 4_000)
        XCTAssertEqual(try store.append(Array(traffic[0..<3_000])).appended, 3_000)
        let scratch = fs.paths.filter { $0.contains(".journey-scratch-") }
        XCTAssertFalse(scratch.isEmpty, "the ids spilled")
        for p in scratch { try fs.remove(p) }
        XCTAssertThrowsError(try store.append(Array(traffic[0..<3_000]))) { e in
            XCTAssertEqual((e as? LogError)?.code, .io, "\(e)")
        }
        XCTAssertEqual(store.lastSeq(of: "north"), 3_000, "nothing of the refused call was stored")
        let again = try store.append(Array(traffic[2_000..<4_000]))
        XCTAssertEqual(again.duplicates, 1_000)
        XCTAssertEqual(again.appended, 1_000)
        XCTAssertEqual(try store.append(traffic).duplicates, 4_000)
    }

    /// A spill that cannot write (a full disk) refuses the append too.
    func testASpillThatCannotWriteRefusesTheAppend() throws {
        let fs = FaultyFileSystem()
        var o = LogOptions()
        o.fileSystem = fs
        o.idsInMemoryMax = 1024
        let store = try LogStore.create(directory: "/s", site: "north", options: o)
        let traffic = SyntheticTraffic(site: "north", seed: 4).events(count: 3_000)
        XCTAssertEqual(try store.append(Array(traffic[0..<1_000])).appended, 1_000)
        fs.arm(failAt: 1)  // the scratch file's creation
        XCTAssertThrowsError(try store.append(Array(traffic[1_000..<3_000]))) { e in
            XCTAssertEqual((e as? LogError)?.code, .io, "\(e)")
        }
        XCTAssertEqual(store.lastSeq(of: "north"), 1_000)
        XCTAssertEqual(try store.append(traffic).appended, 2_000)
        XCTAssertEqual(try store.append(traffic).duplicates, 3_000)
    }
}
