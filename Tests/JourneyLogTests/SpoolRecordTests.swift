import JourneyLog
import JourneyModel
import JourneyTestSupport
import XCTest

/// The scratch records an append keeps its checked events in between its
/// two passes: every event a store accepts comes back the same, with its
/// tag, however the run has to be split; a damaged, cut or foreign record is
/// refused with an error, never decoded into other events and never a trap.
final class SpoolRecordTests: XCTestCase {
    /// Splits `bytes` into records at their headers' lengths.
    func records(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        var at = 0
        while at < bytes.count {
            let body = try SpoolRecord.bodyBytes(header: Array(bytes[at..<(at + SpoolRecord.headerBytes)]))
            out.append(Array(bytes[at..<(at + SpoolRecord.headerBytes + body)]))
            at += SpoolRecord.headerBytes + body
        }
        return out
    }

    func testEveryEventTheStoreAcceptsComesBackWithItsTag() throws {
        var rng = SplitMix64(seed: 77)
        var splitRounds = 0
        for round in 0..<10 {
            // The last round holds more events than one payload may.
            let events = round == 9
                ? (0..<(BlockHeader.eventsMax + 100)).map { i in Event(site: "north", id: "n\(i)", at: Timestamp(ms: Int64(i)), kind: EventKind("note.added")) }
                : RandomValues.events(&rng, round: round, count: round % 3 == 1 ? 1_500 : 400).filter { (try? $0.validate()) != nil }
            let tags = events.indices.map { UInt64($0) * 3 + 1 }
            var bytes: [UInt8] = []
            try SpoolRecord.encode(events[...], tags: tags[...], origin: "north", into: &bytes)
            var back: [Event] = [], backTags: [UInt64] = []
            let split = try records(bytes)
            if split.count > 1 { splitRounds += 1 }
            for r in split {
                let (e, t) = try SpoolRecord.decode(r, origin: "north")
                back += e
                backTags += t
            }
            XCTAssertEqual(backTags, tags, "round \(round)")
            XCTAssertEqual(back.count, events.count, "round \(round)")
            for (i, e) in events.enumerated() where i < back.count {
                XCTAssertTrue(back[i] == e, "round \(round), event \(i) changed in the spool")
                XCTAssertTrue(back[i].isSameFact(as: e), "round \(round), event \(i) changed in the spool")
            }
        }
        XCTAssertGreaterThan(splitRounds, 0, "a run of more events than a payload holds is split")
    }

    func testADamagedCutOrForeignRecordIsRefused() throws {
        var rng = SplitMix64(seed: 5)
        let events = RandomValues.events(&rng, round: 0, count: 60).filter { (try? $0.validate()) != nil }
        var bytes: [UInt8] = []
        try SpoolRecord.encode(events[...], tags: events.indices.map { UInt64($0) }[...], origin: "north", into: &bytes)
        XCTAssertEqual(try records(bytes).count, 1)
        // Every single byte changed: the header's bounds or the CRC refuse it.
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= UInt8(1 + rng.next() % 255)
            XCTAssertThrowsError(try SpoolRecord.decode(damaged, origin: "north"), "byte \(i)")
        }
        // Cut anywhere, or one byte too long.
        for n in [0, 3, SpoolRecord.headerBytes - 1, SpoolRecord.headerBytes, bytes.count / 2, bytes.count - 1] {
            XCTAssertThrowsError(try SpoolRecord.decode(Array(bytes.prefix(n)), origin: "north"), "cut at \(n)")
        }
        XCTAssertThrowsError(try SpoolRecord.decode(bytes + [0], origin: "north"))
        // A header claiming more than any record holds.
        var huge = bytes
        huge.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertThrowsError(try SpoolRecord.bodyBytes(header: Array(huge.prefix(SpoolRecord.headerBytes))))
        // Events of another site, or tags that do not match the events, are not written.
        var other = events[0]
        other.site = "east"
        var out: [UInt8] = []
        XCTAssertThrowsError(try SpoolRecord.encode([events[0], other][...], tags: [1, 2][...], origin: "north", into: &out))
        XCTAssertThrowsError(try SpoolRecord.encode(events[...], tags: [1][...], origin: "north", into: &out))
        XCTAssertEqual(out, [])
    }
}
