import Foundation
import JourneyIngest
import JourneySimulation
@testable import JourneyLog
import JourneyModel
import JourneyTestSupport
import XCTest

/// Nothing acknowledged is lost, nothing damaged is served. These run with the
/// shipped defaults (``LogOptions()``: 64 MiB segments, 8,192-event blocks)
/// unless a test needs segments to roll.
final class IntegrityTests: XCTestCase {
    func defaults(_ fs: FaultyFileSystem) -> LogOptions {
        var o = LogOptions()
        o.fileSystem = fs
        return o
    }

    /// `n` events; ids carry the seed, so batches of different seeds never share an id.
    func traffic(_ n: Int, site: String = "north", seed: UInt64 = 11) -> [Event] {
        SyntheticTraffic(site: site, seed: seed).events(count: n).map { e in
            var e = e
            e.id = "s\(seed)-" + e.id
            return e
        }
    }

    func events(_ store: LogStore, _ origin: String) throws -> [Event] {
        var out: [Event] = []
        try store.forEachEvent(origin: origin) { out.append($0); return true }
        return out
    }

    /// Appends `n` events in batches of `batch`, each acknowledged.
    func filledStore(_ fs: FaultyFileSystem, events n: Int, batch: Int = 500, options: LogOptions? = nil) throws -> (LogStore, [Event]) {
        let store = try LogStore.create(directory: "/d", site: "north", options: options ?? defaults(fs))
        let input = traffic(n)
        for start in stride(from: 0, to: n, by: batch) { _ = try store.append(Array(input[start..<min(n, start + batch)])) }
        return (store, input)
    }

    /// A closed store of 3,000 events in small segments (they roll), with its options and segment paths.
    func rolledStore() throws -> (FaultyFileSystem, LogOptions, [Event], [String]) {
        let fs = FaultyFileSystem()
        var o = defaults(fs)
        o.segmentBytesMax = 24 << 10
        o.eventsPerBlock = 200
        let (store, input) = try filledStore(fs, events: 3000, batch: 250, options: o)
        store.close()
        return (fs, o, input, fs.paths.filter { $0.hasSuffix(".seg") })
    }

    // MARK: Item 1: damage inside the acknowledged part is refused, never cut

    /// The reproduction: with the default options every event sits in one
    /// active segment; a flipped byte early in it used to be "cut as a torn
    /// tail", losing every acknowledged event after it.
    func testDamageBeforeTheAcknowledgedPositionIsRefusedWithFileAndOffsetAndNothingIsCut() throws {
        let fs = FaultyFileSystem()
        let (store, _) = try filledStore(fs, events: 20_000)
        store.close()
        let seg = try XCTUnwrap(fs.paths.first { $0.hasSuffix(".seg") })
        let size = fs.size(of: seg)
        for at in [100, size / 3, size - 200] {
            let disk = FaultyFileSystem.copy(of: fs)
            disk.flipBit(seg, byte: at, bit: 2)
            let reopened = try LogStore.open(directory: "/d", options: defaults(disk))
            let damage = try XCTUnwrap(reopened.damagedOrigins["north"], "damage at byte \(at) of \(size) was not noticed")
            XCTAssertEqual(damage.file, seg)
            XCTAssertNotNil(damage.offset)
            XCTAssertLessThanOrEqual(Int(damage.offset ?? .max), at, "the offset names the block holding the damage")
            XCTAssertEqual(disk.size(of: seg), size, "nothing is truncated (damage at \(at))")
            XCTAssertFalse(disk.paths.contains { $0.contains(".torn-") })
            XCTAssertThrowsError(try reopened.append(traffic(1, seed: 99))) { XCTAssertEqual(($0 as? LogError)?.code, .corrupt) }
            XCTAssertThrowsError(try events(reopened, "north"), "reads of a damaged origin are refused")
            XCTAssertThrowsError(try reopened.forEachMergedEvent { _ in true })
            XCTAssertFalse(try LogVerifier(directory: "/d", fileSystem: disk).verify().isSound)
        }
    }

    /// The whole class: damage anywhere in the acknowledged bytes of any
    /// segment — a bit flip, zeros, a cut — is refused; only bytes after the
    /// acknowledged position are ever cut.
    func testEveryDamagedByteOfAcknowledgedDataIsRefused() throws {
        let (fs, o, input, segs) = try rolledStore()
        XCTAssertGreaterThanOrEqual(segs.count, 3)
        var rng = SplitMix64(seed: 5)
        for trial in 0..<60 {
            let disk = FaultyFileSystem.copy(of: fs)
            let seg = segs[Int(rng.next() % UInt64(segs.count))]
            let at = Int(rng.next() % UInt64(disk.size(of: seg)))
            disk.flipBit(seg, byte: at, bit: Int(rng.next() % 8))
            var oo = o
            oo.fileSystem = disk
            let reopened = try LogStore.open(directory: "/d", options: oo)
            XCTAssertNotNil(reopened.damagedOrigins["north"], "trial \(trial): flip at \(seg):\(at) not refused")
            XCTAssertEqual(disk.paths.filter { $0.contains(".torn-") }, [], "trial \(trial): acknowledged bytes were cut")
            XCTAssertEqual(disk.size(of: seg), fs.size(of: seg))
        }
        // Undamaged, everything reads back.
        let clean = try LogStore.open(directory: "/d", options: o)
        XCTAssertEqual(try events(clean, "north").map(\.id), input.map(\.id))
    }

    // MARK: Item 3: a deleted or cut segment is noticed

    func testADeletedOrCutSegmentIsNoticedAndNewAppendsDoNotReuseItsSeqs() throws {
        let (fs, o, _, segs) = try rolledStore()
        for (what, damage) in [("first", { (d: FaultyFileSystem) in d.delete(segs[0]) }),
                               ("middle", { (d: FaultyFileSystem) in d.delete(segs[1]) }),
                               ("last", { (d: FaultyFileSystem) in d.delete(segs[segs.count - 1]) }),
                               ("every", { (d: FaultyFileSystem) in segs.forEach(d.delete) }),
                               ("cut last", { (d: FaultyFileSystem) in d.cut(segs[segs.count - 1], to: d.size(of: segs[segs.count - 1]) / 2) })] {
            let disk = FaultyFileSystem.copy(of: fs)
            damage(disk)
            var oo = o
            oo.fileSystem = disk
            let reopened = try LogStore.open(directory: "/d", options: oo)
            XCTAssertNotNil(reopened.damagedOrigins["north"], "\(what) segment deleted: not noticed")
            XCTAssertThrowsError(try reopened.append(traffic(1, seed: 42)), "\(what): an append would reuse lost seqs")
            XCTAssertFalse(try LogVerifier(directory: "/d", fileSystem: disk).verify().isSound, "verify: \(what)")
        }
    }

    func testAMissingAcknowledgementRecordIsRefused() throws {
        let fs = FaultyFileSystem()
        let (store, _) = try filledStore(fs, events: 1000)
        store.close()
        fs.delete("/d/logs/north/ack")
        let reopened = try LogStore.open(directory: "/d", options: defaults(fs))
        XCTAssertTrue(reopened.damagedOrigins["north"]?.message.contains("acknowledgement record") ?? false)
    }

    /// A torn write after the acknowledged position is still cut, under every tear shape.
    func testATornWriteAfterTheLastAcknowledgedEventIsCutUnderEveryTearShape() throws {
        for kind in FaultyFileSystem.Tear.allCases {
            for seed in UInt64(1)...8 {
                let fs = FaultyFileSystem()
                let (store, input) = try filledStore(fs, events: 2000)
                fs.arm(crashAt: 2)  // the data sync of the next commit
                XCTAssertThrowsError(try store.append(traffic(700, seed: 77)))
                let disk = fs.afterCrash(tear: true, seed: seed, kind: kind)
                let reopened = try LogStore.open(directory: "/d", options: defaults(disk))
                XCTAssertNil(reopened.damagedOrigins["north"], "\(kind) seed \(seed): \(reopened.damagedOrigins)")
                let back = try events(reopened, "north").map(\.id)
                XCTAssertEqual(back.count, input.count, "\(kind) seed \(seed)")
                XCTAssertTrue(back == input.map(\.id), "\(kind) seed \(seed)")
            }
        }
    }

    // MARK: Item 2: init never overwrites

    func testInitNeverOverwritesAKeyOrLogsAndAdoptRestoresTheManifest() throws {
        let fs = FaultyFileSystem()
        let (store, input) = try filledStore(fs, events: 300)
        let publicKey = store.publicKey
        store.close()
        fs.delete("/d/journey.json")
        XCTAssertThrowsError(try LogStore.create(directory: "/d", site: "north", options: defaults(fs))) { error in
            XCTAssertEqual((error as? LogError)?.code, .alreadyExists)
            XCTAssertTrue("\(error)".contains("--adopt"), "\(error)")
        }
        XCTAssertEqual(try SiteKey(rawRepresentation: fs.readFile("/d/keys/site.ed25519")).publicKey, publicKey, "the key is untouched")
        XCTAssertThrowsError(try LogStore.adopt(directory: "/d", site: "south", options: defaults(fs)), "a site whose log this key did not sign")
        let adopted = try LogStore.adopt(directory: "/d", site: "north", options: defaults(fs))
        XCTAssertEqual(adopted.publicKey, publicKey)
        XCTAssertEqual(try events(adopted, "north").map(\.id), input.map(\.id))
    }

    func testAKeyThatIsNotTheSitesRecordedKeyIsRefusedAndALooseModeIsReported() throws {
        let fs = FaultyFileSystem()
        let (store, _) = try filledStore(fs, events: 10)
        store.close()
        try fs.writeFileAtomically("/d/keys/site.ed25519", SiteKey().rawRepresentation, mode: 0o600)
        XCTAssertThrowsError(try LogStore.open(directory: "/d", options: defaults(fs))) {
            XCTAssertEqual(($0 as? LogError)?.code, .badSignature)
        }
        let fs2 = FaultyFileSystem()
        let (s2, _) = try filledStore(fs2, events: 10)
        s2.close()
        try fs2.writeFileAtomically("/d/keys/site.ed25519", try fs2.readFile("/d/keys/site.ed25519"), mode: 0o644)
        XCTAssertTrue(try LogStore.open(directory: "/d", options: defaults(fs2)).recoveryNotes.contains { $0.contains("chmod 600") })
    }

    // MARK: Items 4 and 5: replicas checked against their origin's key

    /// Two nodes: `north` appends, `relay` holds a replica of north.
    func replicaPair() throws -> (north: LogStore, relayFS: FaultyFileSystem, relay: LogStore, input: [Event]) {
        let nfs = FaultyFileSystem()
        let (north, input) = try filledStore(nfs, events: 3000)
        let rfs = FaultyFileSystem()
        let relay = try LogStore.create(directory: "/d", site: "relay", options: defaults(rfs))
        let snap = try XCTUnwrap(north.snapshot(origin: "north"))
        for i in snap.blocks.indices { try relay.appendReplicated(try snap.block(at: i), publicKey: north.publicKey) }
        return (north, rfs, relay, input)
    }

    func testAReplicaBlockRewrittenOnARelayIsRefusedByOpenAndVerify() throws {
        let (north, rfs, relay, _) = try replicaPair()
        relay.close()
        let seg = try XCTUnwrap(rfs.paths.first { $0.hasPrefix("/d/logs/north/") && $0.hasSuffix(".seg") })
        // Rewrite the first block's payload and fix its CRC: the chain hash and signature stay as they were.
        var bytes = rfs.bytes(of: seg)
        let start = 21 + "north".utf8.count
        let total = try Array(bytes[start...]).withUnsafeBytes { try BlockHeader.parse($0).totalBytes }
        bytes[start + total - 20] ^= 0x10
        let crc = Checksum.crc32c(Array(bytes[start..<(start + total - 4)]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[start + total - 4 + i] = $0[i] } }
        rfs.overwrite(seg, at: 0, bytes)
        var o = defaults(rfs)
        o.publicKeys = ["north": north.publicKey]
        let reopened = try LogStore.open(directory: "/d", options: o)
        XCTAssertNotNil(reopened.damagedOrigins["north"])
        XCTAssertThrowsError(try events(reopened, "north"))
        let report = try LogVerifier(directory: "/d", fileSystem: rfs, publicKeys: ["north": north.publicKey, "relay": reopened.publicKey]).verify()
        XCTAssertFalse(report.isSound)
        XCTAssertEqual(report.problems.first?.origin, "north")
        // Without the pinned key, verify names the origin as unverified.
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: rfs).verify().unverified.contains("north"))
    }

    /// Blocks stored under an origin's name but signed by another key (taken
    /// in while no key was pinned): once the real key is pinned, open refuses them.
    func testAReplicaSignedByAnotherKeyIsRefusedAtOpen() throws {
        let impostor = try LogStore.create(directory: "/i", site: "north", options: defaults(FaultyFileSystem()))
        _ = try impostor.append(traffic(500))
        let real = try LogStore.create(directory: "/r", site: "north", options: defaults(FaultyFileSystem()))
        let rfs = FaultyFileSystem()
        let relay = try LogStore.create(directory: "/d", site: "relay", options: defaults(rfs))
        let snap = try XCTUnwrap(impostor.snapshot(origin: "north"))
        for i in snap.blocks.indices { try relay.appendReplicated(try snap.block(at: i), publicKey: nil) }
        relay.close()
        var o = defaults(rfs)
        o.publicKeys = ["north": real.publicKey]
        let reopened = try LogStore.open(directory: "/d", options: o)
        XCTAssertEqual(reopened.damagedOrigins["north"]?.code, .badSignature)
        XCTAssertThrowsError(try events(reopened, "north"))
        o.publicKeys = ["north": impostor.publicKey]
        XCTAssertNil(try LogStore.openReadOnly(directory: "/d", options: o).damagedOrigins["north"], "the signer's own key verifies them")
    }

    /// A peer running an older version (or a hostile one holding the origin's
    /// key) can sign a block whose events no store accepts now: a time outside
    /// the years 0001–9999, a duration past the limit. It is refused like a bad
    /// block, so it spreads no further.
    func testABlockSignedByTheOriginWithAnOutOfRangeEventIsRefusedAtTheReceiver() throws {
        let key = SiteKey()
        for poison in ["time", "wait"] {
            var events = traffic(10, site: "east")
            if poison == "time" { events[4].at = Timestamp(ms: Limits.timeMax.ms + 60_000) }
            else { events[4].data["waitMs"] = .integer(Int64.max) }
            let c = try Block.compress(events[...], level: 1)
            let block = try Block.seal(compressed: c, origin: "east", firstSeq: 1, previousHash: [UInt8](repeating: 0, count: 32), key: key)
            let store = try LogStore.create(directory: "/d-\(poison)", site: "north", options: defaults(FaultyFileSystem()))
            XCTAssertThrowsError(try store.appendReplicated(block, publicKey: key.publicKey), poison) { error in
                XCTAssertEqual((error as? LogError)?.code, .corrupt)
                XCTAssertTrue("\(error)".contains(poison == "time" ? "field 'at'" : "data.waitMs"), "\(error)")
            }
            XCTAssertEqual(store.snapshot(origin: "east")?.lastSeq ?? 0, 0, "nothing stored")
        }
    }

    /// Appending checks the same bounds, whoever built the events.
    func testAppendRefusesEventsOutsideTheBoundsAndStoresNothing() throws {
        let store = try LogStore.create(directory: "/d", site: "north", options: defaults(FaultyFileSystem()))
        var events = traffic(10)
        events[7].at = Timestamp(ms: Limits.timeMin.ms - 1)
        XCTAssertThrowsError(try store.append(events)) { error in
            XCTAssertEqual((error as? LogError)?.code, .invalidEvent)
            XCTAssertTrue("\(error)".contains("event 8"), "\(error)")
        }
        XCTAssertEqual(store.snapshot(origin: "north")?.lastSeq ?? 0, 0)
    }

    func testABlockSignedByTheOriginButUndecodableIsRefusedAtTheReceiver() throws {
        let key = SiteKey()
        let good = traffic(10, site: "east")
        var c = try Block.compress(good[...], level: 1)
        var garbage: [UInt8] = []
        let junk = [UInt8](repeating: 0xEE, count: c.rawBytes)
        try junk.withUnsafeBytes { try Deflate.compress($0, level: 1, into: &garbage) }
        c.payload = garbage
        let block = try Block.seal(compressed: c, origin: "east", firstSeq: 1, previousHash: [UInt8](repeating: 0, count: 32), key: key)
        let store = try LogStore.create(directory: "/d", site: "north", options: defaults(FaultyFileSystem()))
        XCTAssertThrowsError(try store.appendReplicated(block, publicKey: key.publicKey)) { error in
            XCTAssertEqual((error as? LogError)?.code, .corrupt)
            XCTAssertTrue("\(error)".contains("is refused, nothing stored: block payload is truncated or malformed"), "\(error)")
        }
        XCTAssertEqual(store.snapshot(origin: "east")?.lastSeq ?? 0, 0, "nothing stored")
        XCTAssertNoThrow(try store.forEachMergedEvent { _ in true })
    }

    // MARK: Item 6: repair from a peer

    func testRepairRestoresTheOwnLogFromAPeersReplicaByteForByte() throws {
        let (north, _, relay, input) = try replicaPair()
        north.close()
        guard let nfs = north.options.fileSystem as? FaultyFileSystem else { return XCTFail("fault fs expected") }
        let seg = try XCTUnwrap(nfs.paths.first { $0.hasSuffix(".seg") })
        let before = nfs.bytes(of: seg)
        nfs.flipBit(seg, byte: before.count / 2)
        let damaged = try LogStore.open(directory: "/d", options: defaults(nfs))
        let need = try XCTUnwrap(damaged.repairNeeds().first)
        XCTAssertEqual(need.origin, "north")
        XCTAssertEqual(need.acknowledgedSeq, 3000)
        XCTAssertLessThan(need.intactThrough, 3000)
        let repair = try damaged.beginRepair(origin: "north", publicKey: nil)
        let snap = try XCTUnwrap(relay.snapshot(origin: "north"))
        try repair.add(try snap.blocks.indices.map { try snap.block(at: $0) })
        let report = try repair.finish()
        XCTAssertEqual(report.lastSeq, 3000)
        XCTAssertTrue(damaged.damagedOrigins.isEmpty)
        XCTAssertEqual(try events(damaged, "north").map(\.id), input.map(\.id))
        XCTAssertEqual(nfs.bytes(of: seg), before, "the repaired segment is byte-identical")
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: nfs, publicKeys: ["north": damaged.publicKey]).verify().isSound)
        // It appends again, after the repaired seqs.
        XCTAssertEqual(try damaged.append(traffic(1, seed: 1234)).firstSeq, 3001)
        XCTAssertTrue(nfs.paths.contains { $0.contains("north.damaged-1/") }, "the damaged files are kept aside")
    }

    func testRepairRefusesAPeerCopyThatDoesNotReachTheAcknowledgedSeq() throws {
        let (north, _, relay, _) = try replicaPair()
        _ = try north.append(traffic(100, seed: 555))  // acknowledged, but the relay never got it
        north.close()
        guard let nfs = north.options.fileSystem as? FaultyFileSystem else { return XCTFail("fault fs expected") }
        let seg = try XCTUnwrap(nfs.paths.first { $0.hasSuffix(".seg") })
        nfs.flipBit(seg, byte: nfs.size(of: seg) / 2)
        let damaged = try LogStore.open(directory: "/d", options: defaults(nfs))
        let repair = try damaged.beginRepair(origin: "north", publicKey: nil)
        let snap = try XCTUnwrap(relay.snapshot(origin: "north"))
        try repair.add(try snap.blocks.indices.map { try snap.block(at: $0) })
        XCTAssertThrowsError(try repair.finish())
        XCTAssertNotNil(damaged.damagedOrigins["north"], "still refused: nothing was swapped in")
        let reopened = try LogStore.open(directory: "/d", options: defaults(nfs))
        XCTAssertNotNil(reopened.damagedOrigins["north"])
    }

    func testDropAReplicaAndCutAtDamageWhenNoPeerHasIt() throws {
        let (north, rfs, relay, _) = try replicaPair()
        relay.close()
        let seg = try XCTUnwrap(rfs.paths.first { $0.hasPrefix("/d/logs/north/") && $0.hasSuffix(".seg") })
        rfs.flipBit(seg, byte: rfs.size(of: seg) / 2)
        let reopened = try LogStore.open(directory: "/d", options: defaults(rfs))
        XCTAssertNotNil(reopened.damagedOrigins["north"])
        XCTAssertThrowsError(try reopened.drop(origin: "relay"), "the own log cannot be dropped")
        _ = try reopened.drop(origin: "north")
        XCTAssertNil(reopened.snapshot(origin: "north"))
        let snap = try XCTUnwrap(north.snapshot(origin: "north"))
        for i in snap.blocks.indices { try reopened.appendReplicated(try snap.block(at: i), publicKey: north.publicKey) }
        XCTAssertEqual(reopened.snapshot(origin: "north")?.lastSeq, 3000, "fetched again from the start")

        // Own log, no peer: cut at the damage, giving up what follows, on request only.
        let ofs = FaultyFileSystem()
        let (own, _) = try filledStore(ofs, events: 2000)
        own.close()
        let oseg = try XCTUnwrap(ofs.paths.first { $0.hasSuffix(".seg") })
        ofs.flipBit(oseg, byte: ofs.size(of: oseg) / 2)
        let cut = try LogStore.open(directory: "/d", options: defaults(ofs))
        let report = try cut.cutAtDamage(origin: "north")
        XCTAssertLessThan(report.lastSeq, 2000)
        XCTAssertEqual(report.replacedEvents, 2000 - report.lastSeq)
        XCTAssertEqual(try cut.append(traffic(1, seed: 4321)).firstSeq, report.lastSeq + 1)
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: ofs).verify().isSound)
    }

    // MARK: Item 10: read-only file systems

    func testAStoreOnAReadOnlyFileSystemCanBeRead() throws {
        let fs = FaultyFileSystem()
        let (store, input) = try filledStore(fs, events: 500)
        store.close()
        fs.readOnlyMedia = true
        XCTAssertThrowsError(try LogStore.open(directory: "/d", options: defaults(fs)), "the writer needs a writable disk")
        let reader = try LogStore.openReadOnly(directory: "/d", options: defaults(fs))
        XCTAssertEqual(try events(reader, "north").map(\.id), input.map(\.id))
        XCTAssertTrue(try LogVerifier(directory: "/d", fileSystem: fs).verify().isSound)
    }
}
