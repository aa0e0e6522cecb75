import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyTestSupport
import XCTest

final class LogStoreTests: XCTestCase {
    func options(_ fs: FaultyFileSystem, durability: Durability = .batch) -> LogOptions {
        var o = LogOptions()
        o.fileSystem = fs
        o.durability = durability
        o.eventsPerBlock = 64
        o.segmentBytesMax = 16 << 10
        return o
    }

    func traffic(_ n: Int, site: String = "north", seed: UInt64 = 7) -> [Event] {
        SyntheticTraffic(site: site, seed: seed).events(count: n)
    }

    func allEvents(_ store: LogStore, origin: String? = nil) throws -> [Event] {
        var out: [Event] = []
        try store.forEachEvent(origin: origin ?? store.site) { out.append($0); return true }
        return out
    }

    func testAppendAssignsSeqsAndReadsBackLosslessly() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
        let input = traffic(1000)
        let r = try store.append(input)
        XCTAssertEqual(r.appended, 1000)
        XCTAssertEqual(r.firstSeq, 1)
        XCTAssertEqual(r.lastSeq, 1000)
        let back = try allEvents(store)
        XCTAssertEqual(back.count, 1000)
        for (i, e) in back.enumerated() {
            var expected = input[i]
            expected.seq = UInt64(i + 1)
            XCTAssertEqual(e, expected)
        }
        XCTAssertGreaterThan(store.stats()[0].segments, 1, "the small segment limit must have rolled segments")
        // Reopen: same events, same head.
        let head = store.stats()[0].headHash
        let again = try LogStore.open(directory: "/d", options: options(fs))
        XCTAssertEqual(try allEvents(again), back)
        XCTAssertEqual(again.stats()[0].headHash, head)
        XCTAssertTrue(again.recoveryNotes.isEmpty)
    }

    /// The scan decodes the next block on the second core while the caller
    /// takes the current one's events: whatever the start seq, time range
    /// and stop point, it delivers exactly what reading block by block does,
    /// in order, and nothing after the caller stops.
    func testReadAheadDeliversWhatABlockByBlockReadDoes() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs, durability: .none))
        _ = try store.append(traffic(2_000))
        let snap = try XCTUnwrap(store.snapshot(origin: "north"))
        XCTAssertGreaterThan(snap.blocks.count, 20)
        var sequential: [Event] = []
        for i in snap.blocks.indices { sequential += try snap.block(at: i).events() }
        var rng = SplitMix64(seed: 11)
        let times = sequential.map(\.at).sorted()
        for trial in 0..<300 {
            let after = UInt64(rng.next() % 2_100)
            let since = rng.next() % 3 == 0 ? times[Int(rng.next() % UInt64(times.count))] : nil
            let until = rng.next() % 3 == 0 ? times[Int(rng.next() % UInt64(times.count))] : nil
            let stopAt = rng.next() % 2 == 0 ? Int(rng.next() % 300) + 1 : nil
            var got: [UInt64] = []
            try store.forEachEvent(origin: "north", afterSeq: after, since: since, until: until) { e in
                got.append(e.seq)
                return stopAt.map { got.count < $0 } ?? true
            }
            var expected = sequential.filter { e in
                e.seq > after && (since.map { e.at >= $0 } ?? true) && (until.map { e.at < $0 } ?? true)
            }.map(\.seq)
            if let stopAt { expected = Array(expected.prefix(stopAt)) }
            XCTAssertEqual(got, expected, "trial \(trial): after \(after), since \(String(describing: since)), until \(String(describing: until)), stop \(String(describing: stopAt))")
        }
    }

    /// A damaged block stops a scan in order: every event of the blocks
    /// before it is delivered, then its error is thrown, wherever it stands
    /// among the blocks decoded ahead (both threads decode them).
    func testADamagedBlockIsThrownAfterEveryEventBeforeIt() throws {
        for damaged in [0, 1, 2, 5, 6, 7] {
            let fs = FaultyFileSystem()
            let store = try LogStore.create(directory: "/d", site: "north", options: options(fs, durability: .none))
            _ = try store.append(traffic(1_000))
            let snap = try XCTUnwrap(store.snapshot(origin: "north"))
            XCTAssertGreaterThan(snap.blocks.count, 8)
            let seg = try XCTUnwrap(fs.paths.first { $0.hasSuffix(".seg") })
            let loc = snap.blocks[damaged]
            fs.flipBit(seg, byte: Int(loc.offset) + loc.totalBytes / 2, bit: 3)
            var got: [UInt64] = []
            XCTAssertThrowsError(try store.forEachEvent(origin: "north") { e in got.append(e.seq); return true }, "block \(damaged)")
            XCTAssertEqual(got, Array(1...max(1, loc.firstSeq - 1)).filter { $0 < loc.firstSeq }, "block \(damaged): the events before it, in order")
        }
    }

    /// Events each within every limit can carry so many distinct strings
    /// that a block of the default size would hold more than its decoder
    /// accepts: every block the store writes must read back, and the store
    /// must open again.
    func testABlockOfManyDistinctStringsReadsBack() throws {
        let fs = FaultyFileSystem()
        var o = options(fs, durability: .none)
        o.eventsPerBlock = LogOptions().eventsPerBlock
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        let base = traffic(1)[0]
        // 2,600 members of 19 bytes each: about 50 KB, under the 64 KB an event may have.
        let input = (0..<460).map { i -> Event in
            var e = base
            e.id = "many-\(i)"
            e.data = JSONObject((0..<2_600).map { m in
                JSONObject.Member("k\(String(1000 + m))", .string("v\(String(100 + i)).\(String(1000 + m))"))
            })
            return e
        }
        for e in input.prefix(3) { XCTAssertNoThrow(try e.validate()) }
        XCTAssertEqual(try store.append(input).appended, input.count)
        let back = try allEvents(store)
        XCTAssertTrue(back.map(\.id) == input.map(\.id), "\(back.count) of \(input.count) events read back")
        XCTAssertEqual(back.last?.data, input.last?.data)
        let again = try LogStore.open(directory: "/d", options: o)
        XCTAssertTrue(again.recoveryNotes.isEmpty, "\(again.recoveryNotes)")
        XCTAssertEqual(try allEvents(again).count, input.count)
        let report = try LogVerifier(directory: "/d", fileSystem: fs).verify()
        XCTAssertTrue(report.isSound, "\(report.problems)")
    }

    /// Events each within every limit whose text barely compresses: a block
    /// of the default size would exceed the compressed bytes a block may
    /// have. The store splits the run instead of failing its write (which
    /// took the store out of service until reopened, at every retry).
    func testABatchOfIncompressibleEventsIsSplitNotRefusedAtTheWrite() throws {
        let fs = FaultyFileSystem()
        var o = options(fs, durability: .none)
        o.eventsPerBlock = LogOptions().eventsPerBlock
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        // 800 events of 60,000 barely compressible characters: about 36 MB compressed in one block
        // of the default size, over the 32 MB a block may have.
        let input = BulkyEvents.incompressible(800, like: traffic(1)[0], seed: 5)
        XCTAssertNoThrow(try input[0].validate())
        XCTAssertEqual(try store.append(input).appended, input.count)
        let back = try allEvents(store)
        XCTAssertTrue(back.map(\.id) == input.map(\.id), "\(back.count) of \(input.count) events read back")
        XCTAssertEqual(back.last?.data, input.last?.data)
        let report = try LogVerifier(directory: "/d", fileSystem: fs).verify()
        XCTAssertTrue(report.isSound, "\(report.problems)")
        XCTAssertGreaterThan(store.snapshot(origin: "north")?.blocks.count ?? 0, 1)
    }

    /// An event made in code (an importer) can nest `data` or `extra`
    /// deeper than any JSON line may: validation refuses it, naming the
    /// field, and what it accepts the store reads back and a JSON line
    /// carries — never a block its reader refuses.
    func testDeeplyNestedValuesAreRefusedOrReadBack() throws {
        let base = traffic(1)[0]
        for depth in [1, 60, 61, 62, 63, 64, 65, 70, 10_000] {
            for array in [false, true] {
                for inExtra in [false, true] {
                    let fs = FaultyFileSystem()
                    let store = try LogStore.create(directory: "/d", site: "north", options: options(fs, durability: .none))
                    var value: JSONValue = .integer(1)
                    for _ in 0..<depth { value = array ? .array([value]) : .object(["x": value]) }
                    var e = base
                    if inExtra { e.extra = ["deep": value] } else { e.data = ["deep": value] }
                    let what = "\(depth) levels of \(array ? "arrays" : "objects") in \(inExtra ? "extra" : "data")"
                    // `data` is itself one level of the line, beside the members of `extra`.
                    let fits = depth <= JSONParser.depthMax - (inExtra ? 1 : 2)
                    do {
                        _ = try store.append([e])
                    } catch {
                        XCTAssertFalse(fits, "\(what) is refused: \(error)")
                        XCTAssertEqual((error as? LogError)?.code, .invalidEvent, "\(what): \(error)")
                        XCTAssertTrue("\(error)".contains(inExtra ? "deep" : "data"), "\(what): the field is named: \(error)")
                        continue
                    }
                    XCTAssertTrue(fits, "\(what) is accepted")
                    let back = try allEvents(store).first
                    XCTAssertTrue(back?.data == e.data && back?.extra == e.extra, what)
                    XCTAssertNoThrow(try EventCodec.decode(EventCodec.encode(e)), "\(what): its line decodes")
                }
            }
        }
    }

    func testDuplicateIDIsANoOpWithinACallAndAcrossRestart() throws {
        let fs = FaultyFileSystem()
        let input = traffic(300)
        do {
            let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
            let r = try store.append(input + [input[5]])
            XCTAssertEqual(r.appended, 300)
            XCTAssertEqual(r.duplicates, 1)
        }
        let store = try LogStore.open(directory: "/d", options: options(fs))
        let r = try store.append(Array(input[100..<200]))
        XCTAssertEqual(r.appended, 0)
        XCTAssertEqual(r.duplicates, 100)
        XCTAssertEqual(r.duplicateIDs.first, input[100].id)
        var fresh = input[0]
        fresh.id = "brand-new"
        XCTAssertEqual(try store.append([fresh]).firstSeq, 301)
        XCTAssertEqual(try allEvents(store).count, 301)
    }

    func testEventsOfAnotherSiteAreRefusedWhole() throws {
        let store = try LogStore.create(directory: "/d", site: "north", options: options(FaultyFileSystem()))
        var batch = traffic(10)
        batch[4].site = "south"
        XCTAssertThrowsError(try store.append(batch)) { XCTAssertEqual(($0 as? LogError)?.code, .invalidEvent) }
        XCTAssertEqual(try allEvents(store).count, 0)
    }

    /// Crash at every write and sync of an append sequence, with the unsynced
    /// bytes dropped or torn: every acknowledged event is back exactly once and
    /// intact, and the store opens with no manual step.
    func testCrashAtEveryFaultPointKeepsEveryAcknowledgedEvent() throws {
        let batches = stride(from: 0, to: 600, by: 75).map { Array(traffic(600)[$0..<($0 + 75)]) }
        for durability in [Durability.batch, .always] {
            // Count the fault points of a clean run.
            let probe = FaultyFileSystem()
            let probeStore = try LogStore.create(directory: "/d", site: "north", options: options(probe, durability: durability))
            probe.arm(crashAt: Int.max)
            for b in batches { _ = try probeStore.append(b) }
            let points = probe.faultPoints
            XCTAssertGreaterThan(points, 20)
            for crashAt in 1...points {
                for tear in [nil] + FaultyFileSystem.Tear.allCases.map(Optional.some) {
                    let fs = FaultyFileSystem()
                    let store = try LogStore.create(directory: "/d", site: "north", options: options(fs, durability: durability))
                    fs.arm(crashAt: crashAt)
                    var acknowledged: [Event] = []
                    for b in batches {
                        guard (try? store.append(b)) != nil else { break }
                        acknowledged += b
                    }
                    XCTAssertTrue(fs.crashed)
                    let disk = fs.afterCrash(tear: tear != nil, seed: UInt64(crashAt), kind: tear ?? .prefix)
                    let reopened: LogStore
                    do {
                        reopened = try LogStore.open(directory: "/d", options: options(disk, durability: durability))
                    } catch {
                        XCTFail("crash at \(crashAt) (tear \(String(describing: tear))): store did not reopen: \(error)")
                        continue
                    }
                    XCTAssertTrue(reopened.damagedOrigins.isEmpty, "crash at \(crashAt) (tear \(String(describing: tear))): \(reopened.damagedOrigins)")
                    let stored = try allEvents(reopened)
                    XCTAssertEqual(Set(stored.map(\.id)).count, stored.count, "duplicate after crash at \(crashAt)")
                    XCTAssertEqual(stored.map(\.seq), Array(1...UInt64(max(stored.count, 1))).prefix(stored.count).map { $0 })
                    guard stored.count >= acknowledged.count else {
                        XCTFail("lost acknowledged events after crash at \(crashAt) (tear \(tear)): \(stored.count) < \(acknowledged.count)")
                        continue
                    }
                    for (i, e) in acknowledged.enumerated() {
                        var expected = e
                        expected.seq = UInt64(i + 1)
                        XCTAssertEqual(stored[i], expected, "event \(i) differs after crash at \(crashAt)")
                    }
                    // The reopened store takes appends again, and a retry of the whole run is exactly-once.
                    for b in batches { _ = try reopened.append(b) }
                    XCTAssertEqual(try allEvents(reopened).count, 600)
                }
            }
        }
    }

    func testTornTailIsTruncatedAndReported() throws {
        let fs = FaultyFileSystem()
        var o = options(fs)
        o.segmentBytesMax = 1 << 30
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        _ = try store.append(traffic(500))
        let seg = try XCTUnwrap(fs.paths.first { $0.hasSuffix(".seg") })
        let goodSize = fs.size(of: seg)
        // A crash in the middle of the next block's write: half a block on disk.
        fs.arm(crashAt: 2)
        let more = SyntheticTraffic(site: "north", seed: 99).events(count: 200)
        XCTAssertThrowsError(try store.append(more))
        let disk = fs.afterCrash(tear: true, tearBytes: 700)
        XCTAssertEqual(disk.size(of: seg), goodSize + 700, "the torn write leaves part of a block")
        let again = try LogStore.open(directory: "/d", options: { var x = o; x.fileSystem = disk; return x }())
        XCTAssertEqual(try allEvents(again).count, 500)
        XCTAssertEqual(again.recoveryNotes.count, 1)
        XCTAssertTrue(again.recoveryNotes[0].contains("torn tail"), again.recoveryNotes[0])
        XCTAssertEqual(disk.size(of: seg), goodSize)
        XCTAssertTrue(disk.paths.contains { $0.contains(".torn-\(goodSize)") }, "the cut bytes are kept")
    }

    func testBitFlipInSealedSegmentIsRefusedByOpenAndVerify() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
        _ = try store.append(traffic(2000))
        let segs = fs.paths.filter { $0.hasSuffix(".seg") }
        XCTAssertGreaterThan(segs.count, 2)
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: fs).verify().isSound)
        let sealed = segs[1]
        let sealedSize = fs.size(of: sealed)
        fs.flipBit(sealed, byte: fs.size(of: sealed) / 2, bit: 3)
        let reopened = try LogStore.open(directory: "/d", options: options(fs))
        let e = reopened.damagedOrigins["north"]
        XCTAssertEqual(e?.code, .corrupt)
        XCTAssertEqual(e?.file, sealed)
        XCTAssertNotNil(e?.offset)
        let report = try LogVerifier(directory: "/d", fileSystem: fs).verify()
        XCTAssertFalse(report.isSound)
        XCTAssertEqual(report.problems.first?.file, sealed)
        XCTAssertEqual(fs.size(of: sealed), sealedSize, "corruption is never truncated")
    }

    /// With the shipped defaults (no shrunken torn-tail window): damage in
    /// the acknowledged part of the active segment is refused, never cut.
    func testDamageDeepInTheActiveSegmentIsNotTakenForATornTail() throws {
        let fs = FaultyFileSystem()
        var o = LogOptions()
        o.fileSystem = fs
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        _ = try store.append(traffic(3000))
        let seg = try XCTUnwrap(fs.paths.first { $0.hasSuffix(".seg") })
        let size = fs.size(of: seg)
        fs.flipBit(seg, byte: 200)
        let reopened = try LogStore.open(directory: "/d", options: o)
        let e = try XCTUnwrap(reopened.damagedOrigins["north"])
        XCTAssertEqual(e.code, .corrupt)
        XCTAssertTrue("\(e)".contains("not a torn write"), "\(e)")
        XCTAssertEqual(fs.size(of: seg), size, "corruption is never truncated")
    }

    func testVerifyDetectsAlteredBlockWithRecomputedCRC() throws {
        // An attacker who rewrites a payload byte and fixes the CRC is caught by the chain hash.
        let fs = FaultyFileSystem()
        var o = options(fs)
        o.segmentBytesMax = 1 << 30
        let store = try LogStore.create(directory: "/d", site: "north", options: o)
        _ = try store.append(traffic(200))
        let seg = try XCTUnwrap(fs.paths.first { $0.hasSuffix(".seg") })
        var bytes = try fs.readFile(seg)
        let headerBytes = 21 + 5
        let blockStart = headerBytes
        let tail = Array(bytes[blockStart...])
        let total = try tail.withUnsafeBytes { try BlockHeader.parse($0).totalBytes }
        let end = blockStart + total
        XCTAssertNoThrow(try Block(parsing: Array(bytes[blockStart..<end])))
        bytes[end - 10] ^= 0x40
        let crc = Checksum.crc32c(Array(bytes[blockStart..<(end - 4)]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[end - 4 + i] = $0[i] } }
        try fs.writeFileAtomically(seg, bytes, mode: 0o644)
        let report = try LogVerifier(directory: "/d", fileSystem: fs, publicKeys: ["north": store.publicKey]).verify()
        XCTAssertFalse(report.isSound)
        XCTAssertTrue(report.problems[0].message.contains("chain hash"), report.problems[0].message)
    }

    func testSignaturesVerifyAgainstThePinnedKeyOnly() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
        _ = try store.append(traffic(300))
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: fs, publicKeys: ["north": store.publicKey]).verify().isSound)
        let other = SiteKey().publicKey
        let report = try LogVerifier(directory: "/d", fileSystem: fs, publicKeys: ["north": other]).verify()
        XCTAssertTrue(report.problems.first?.message.contains("signature") ?? false)
    }

    func testTimeRangeAndMergedReads() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
        let input = traffic(2000)
        _ = try store.append(input)
        let since = input[500].at, until = input[1500].at
        var ranged: [Event] = []
        try store.forEachEvent(origin: "north", since: since, until: until) { ranged.append($0); return true }
        let expected = input.filter { $0.at >= since && $0.at < until }
        XCTAssertEqual(ranged.map(\.id), expected.map(\.id))
        var after: [UInt64] = []
        try store.forEachEvent(origin: "north", afterSeq: 1990) { after.append($0.seq); return true }
        XCTAssertEqual(after, Array(1991...2000))
        var merged: [Event] = []
        try store.forEachMergedEvent { merged.append($0); return true }
        XCTAssertEqual(merged.count, 2000)
        XCTAssertEqual(merged.map(\.at), merged.map(\.at).sorted())
    }

    func testConcurrentAppendersShareCommitsAndLoseNothing() throws {
        let dir = NSTemporaryDirectory() + "journey-concurrent-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try LogStore.create(directory: dir, site: "north")
        let all = traffic(8000)
        let chunks = stride(from: 0, to: 8000, by: 100).map { Array(all[$0..<($0 + 100)]) }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for (k, c) in chunks.enumerated() where k % 4 == worker { _ = try? store.append(c) }
        }
        let stored = try allEvents(store)
        XCTAssertEqual(stored.count, 8000)
        XCTAssertEqual(Set(stored.map(\.id)), Set(all.map(\.id)))
        XCTAssertEqual(stored.map(\.seq), Array(1...8000))
        XCTAssertTrue(try LogVerifier(directory: dir, publicKeys: ["north": store.publicKey]).verify().isSound)
    }

    /// Releasing the id index never lets a duplicate in: while an append's
    /// events are on their way to disk they are only in the index, so a
    /// release then must wait. Appender A's write is held at the disk; the
    /// index is released; appender B sends A's events again: all duplicates.
    func testReleasingTheIDIndexWhileAnAppendIsInFlightLetsNoDuplicateIn() throws {
        let fs = FaultyFileSystem()
        let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
        let all = traffic(200)
        XCTAssertEqual(try store.append(Array(all[0..<100])).appended, 100)
        fs.holdWrites()
        let a = DispatchSemaphore(value: 0), b = DispatchSemaphore(value: 0)
        let results = AtomicSum()
        DispatchQueue.global().async {
            results.add((try? store.append(Array(all[100..<200])))?.appended ?? -1000)
            a.signal()
        }
        while fs.writesWaiting == 0 { usleep(1000) }
        store.releaseIDIndex()
        DispatchQueue.global().async {
            results.add(1000 * ((try? store.append(Array(all[100..<200])))?.duplicates ?? -1))
            b.signal()
        }
        // B finds every event in the index and returns without writing (had the release emptied
        // the index, B would store them again once the disk moves on).
        let bReturned = b.wait(timeout: .now() + 5) == .success
        fs.releaseWrites()
        a.wait()
        if !bReturned { b.wait() }
        XCTAssertTrue(bReturned, "B returned while A's write was held: it wrote nothing")
        XCTAssertEqual(results.total, 100 + 1000 * 100, "A appended 100, B found 100 duplicates")
        let stored = try allEvents(store)
        XCTAssertEqual(stored.map(\.id), all.map(\.id))
        XCTAssertEqual(stored.map(\.seq), Array(1...200))
        // Once nothing is in flight the release happens; the next append loads the index again.
        store.releaseIDIndex()
        XCTAssertEqual(try store.append(Array(all[10..<20])).duplicates, 10)
        XCTAssertEqual(try allEvents(store).count, 200)
    }

    /// A crash at every point of `init`: afterwards the directory is either
    /// not yet a store (init runs again), or a store that opens, or a key
    /// without a manifest that `adopt` turns into one — never a second key.
    func testCrashAtEveryPointOfCreate() throws {
        let probe = FaultyFileSystem()
        probe.arm(crashAt: Int.max)
        _ = try LogStore.create(directory: "/d", site: "north", options: options(probe))
        let points = probe.faultPoints
        XCTAssertGreaterThan(points, 4)
        for crashAt in 1...points {
            for tear in [false, true] {
                let fs = FaultyFileSystem()
                fs.arm(crashAt: crashAt)
                XCTAssertThrowsError(try LogStore.create(directory: "/d", site: "north", options: options(fs)))
                let disk = fs.afterCrash(tear: tear, seed: UInt64(crashAt))
                let store: LogStore
                if let opened = try? LogStore.open(directory: "/d", options: options(disk)) {
                    store = opened
                } else if disk.exists("/d/keys/site.ed25519") {
                    store = try LogStore.adopt(directory: "/d", site: "north", options: options(disk))
                } else {
                    store = try LogStore.create(directory: "/d", site: "north", options: options(disk))
                }
                XCTAssertEqual(try store.append(traffic(10)).appended, 10, "crash at \(crashAt)")
                XCTAssertTrue(store.damagedOrigins.isEmpty)
            }
        }
    }

    /// A crash at every point of storing replicated blocks: the replica
    /// reopens undamaged with a prefix of the blocks, and pulling again
    /// completes it.
    func testCrashAtEveryPointOfReplication() throws {
        let source = try LogStore.create(directory: "/s", site: "east", options: options(FaultyFileSystem()))
        for start in stride(from: 0, to: 600, by: 100) {
            _ = try source.append(Array(SyntheticTraffic(site: "east", seed: 3).events(count: 600)[start..<(start + 100)]))
        }
        let snap = try XCTUnwrap(source.snapshot(origin: "east"))
        let blocks = try snap.blocks.indices.map { try snap.block(at: $0) }
        let probe = FaultyFileSystem()
        let probeStore = try LogStore.create(directory: "/d", site: "north", options: options(probe))
        probe.arm(crashAt: Int.max)
        for b in blocks { try probeStore.appendReplicated(b, publicKey: source.publicKey) }
        for crashAt in 1...probe.faultPoints {
            for tear in FaultyFileSystem.Tear.allCases {
                let fs = FaultyFileSystem()
                let replica = try LogStore.create(directory: "/d", site: "north", options: options(fs))
                fs.arm(crashAt: crashAt)
                for b in blocks { guard (try? replica.appendReplicated(b, publicKey: source.publicKey)) != nil else { break } }
                var o = options(fs.afterCrash(tear: true, seed: UInt64(crashAt), kind: tear))
                o.publicKeys = ["east": source.publicKey]
                let reopened = try LogStore.open(directory: "/d", options: o)
                XCTAssertTrue(reopened.damagedOrigins.isEmpty, "crash at \(crashAt) (\(tear)): \(reopened.damagedOrigins)")
                let held = reopened.snapshot(origin: "east")?.lastSeq ?? 0
                for b in blocks where b.header.firstSeq > held { try reopened.appendReplicated(b, publicKey: source.publicKey) }
                XCTAssertEqual(reopened.snapshot(origin: "east")?.headHash, snap.headHash, "crash at \(crashAt) (\(tear))")
            }
        }
    }

    /// A write that fails without a crash (a full disk) poisons the store:
    /// that append and every later one fail until it is reopened, and the
    /// reopened store holds every acknowledged event.
    func testAFailedWritePoisonsTheStoreUntilReopened() throws {
        // The write and sync calls of the second append, counted on a clean run.
        let probe = FaultyFileSystem()
        let probeStore = try LogStore.create(directory: "/d", site: "north", options: options(probe))
        _ = try probeStore.append(traffic(100))
        probe.arm(crashAt: Int.max)
        _ = try probeStore.append(Array(traffic(300)[100..<300]))
        let points = probe.faultPoints
        XCTAssertGreaterThanOrEqual(points, 5, "data write and sync, two record copies and their sync")
        for failAt in 1...points {
            let fs = FaultyFileSystem()
            let store = try LogStore.create(directory: "/d", site: "north", options: options(fs))
            let first = traffic(100)
            _ = try store.append(first)
            fs.arm(failAt: failAt)
            let second = Array(traffic(300)[100..<300])
            XCTAssertThrowsError(try store.append(second), "fail at \(failAt)")
            XCTAssertThrowsError(try store.append(Array(traffic(400)[300..<400]))) { error in
                XCTAssertEqual((error as? LogError)?.code, .poisoned, "fail at \(failAt): \(error)")
            }
            let reopened = try LogStore.open(directory: "/d", options: options(fs))
            XCTAssertTrue(reopened.damagedOrigins.isEmpty, "fail at \(failAt): \(reopened.damagedOrigins)")
            let held = try allEvents(reopened).map(\.id)
            XCTAssertEqual(Array(held.prefix(100)), first.map(\.id), "fail at \(failAt)")
            _ = try reopened.append(second)
            XCTAssertEqual(try allEvents(reopened).count, 300)
        }
    }
}

/// A sum several threads add to.
final class AtomicSum: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0
    var total: Int { lock.lock(); defer { lock.unlock() }; return sum }
    func add(_ n: Int) { lock.lock(); sum += n; lock.unlock() }
}
