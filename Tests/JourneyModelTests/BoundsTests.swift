import Foundation
import JourneyModel
import XCTest

/// The bounds of ``Limits``: times whose text exists, durations whose sums
/// cannot overflow, and validation that refuses everything else by name.
final class BoundsTests: XCTestCase {
    func testTheTimeBoundsAreTheFirstAndLastInstantsOfFourDigitYears() {
        XCTAssertEqual(Timestamp(rfc3339: "0001-01-01T00:00:00Z"), Limits.timeMin)
        XCTAssertEqual(Timestamp(rfc3339: "9999-12-31T23:59:59.999Z"), Limits.timeMax)
        XCTAssertEqual(Limits.timeMin.rfc3339, "0001-01-01T00:00:00.000Z")
        XCTAssertEqual(Limits.timeMax.rfc3339, "9999-12-31T23:59:59.999Z")
    }

    /// The reproductions: an offset that pushes a four-digit local time out
    /// of the years 0001–9999 in UTC used to be stored and then trap every reader.
    func testTimesPushedOutOfRangeByTheirOffsetAreRefusedByName() {
        for text in ["0000-01-01T00:00:00+00:01", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "0000-06-01T00:00:00Z"] {
            let line = #"{"site":"north","id":"y1","at":"\#(text)","kind":"note.x"}"#
            XCTAssertThrowsError(try EventCodec.decode(line), text) { error in
                XCTAssertEqual((error as? ModelError)?.field, "at", "\(text): \(error)")
            }
            // Without an id (derived later) the same.
            let noID = #"{"site":"north","at":"\#(text)","kind":"note.x"}"#
            XCTAssertThrowsError(try EventCodec.decode(noID, options: .init(allowMissingID: true)), text)
        }
    }

    /// Property: every instant within the bounds, written in any zone offset
    /// the parser accepts, parses to the same instant and comes back in
    /// canonical form exactly; any instant outside is refused by validation.
    func testEveryTimeWithinTheBoundsRoundTripsInEveryOffset() throws {
        var rng = SplitMix64(seed: 13)
        let span = UInt64(Limits.timeMax.ms - Limits.timeMin.ms)
        for i in 0..<20_000 {
            // Uniform instants, plus the edges and their neighbours.
            let edge: [Int64] = [Limits.timeMin.ms, Limits.timeMin.ms + 1, Limits.timeMax.ms, Limits.timeMax.ms - 1, 0, -1]
            let ms = i < edge.count ? edge[i] : Limits.timeMin.ms + Int64(rng.next() % (span + 1))
            let offsetMinutes = Int(rng.next() % (2 * 1439 + 1)) - 1439
            let local = ms + Int64(offsetMinutes) * 60_000
            let t = Timestamp(ms: ms)
            let canonical = t.rfc3339
            XCTAssertEqual(Timestamp(rfc3339: canonical)?.ms, ms, canonical)
            // The same instant as local time with the offset, when that local time has a four-digit year.
            guard local >= Limits.timeMin.ms, local <= Limits.timeMax.ms else { continue }
            var text = Timestamp(ms: local).rfc3339
            text.removeLast()  // the Z
            let sign = offsetMinutes < 0 ? "-" : "+"
            let a = abs(offsetMinutes)
            text += sign + String(format: "%02d:%02d", a / 60, a % 60)
            XCTAssertEqual(Timestamp(rfc3339: text)?.ms, ms, text)
        }
    }

    func testOutOfRangeTimesAreWrittenWithoutTrappingAndRefusedByValidation() {
        for ms in [Int64.min, Int64.max, Limits.timeMin.ms - 1, Limits.timeMax.ms + 1, 10_000_000_000_000_000] {
            let text = Timestamp(ms: ms).rfc3339  // must not trap
            XCTAssertNil(Timestamp(rfc3339: text), "\(ms) → \(text) must not parse back as another instant")
            let e = Event(site: "north", id: "x", at: Timestamp(ms: ms), kind: EventKind("note.x"))
            XCTAssertThrowsError(try e.validate()) { XCTAssertEqual(($0 as? ModelError)?.field, "at") }
        }
    }

    func testDurationsMustBeWholeMillisecondsWithinSevenDays() throws {
        let base = #"{"site":"north","id":"w","at":"2026-03-02T08:00:00Z","kind":"queue.abandoned","contact":"c","channel":"voice","data":{"FIELD":VALUE}}"#
        for field in Limits.durationFields {
            for bad in ["9223372036854775807", "-1", "604800001", "1.5", "1e300", "\"5\"", "true", "[]"] {
                let line = base.replacingOccurrences(of: "FIELD", with: field).replacingOccurrences(of: "VALUE", with: bad)
                XCTAssertThrowsError(try EventCodec.decode(line), "\(field)=\(bad)") { error in
                    XCTAssertEqual((error as? ModelError)?.field, "data.\(field)", "\(error)")
                }
            }
            for good in ["0", "604800000", "6.048e8", "null"] {
                let line = base.replacingOccurrences(of: "FIELD", with: field).replacingOccurrences(of: "VALUE", with: good)
                XCTAssertNoThrow(try EventCodec.decode(line), "\(field)=\(good)")
            }
        }
    }

    func testAnEventLargerThanTheLimitIsRefusedHoweverItWasBuilt() {
        var e = Event(site: "north", id: "big", at: Timestamp(ms: 0), kind: EventKind("note.x"))
        e.data["blob"] = .string(String(repeating: "x", count: Event.encodedBytesMax))
        XCTAssertThrowsError(try e.validate()) { XCTAssertEqual(($0 as? ModelError)?.code, .tooLarge) }
        // Escaping makes a string longer on the wire: 11,000 control characters are 66,000 bytes encoded.
        e.data["blob"] = .string(String(repeating: "\u{1}", count: 11_000))
        XCTAssertThrowsError(try e.validate()) { XCTAssertEqual(($0 as? ModelError)?.code, .tooLarge) }
        e.data["blob"] = .string(String(repeating: "\u{1}", count: 10_000))
        XCTAssertNoThrow(try e.validate())
    }

    func testTwoDifferentEventsUnderOneIDAreFoundAndRetriesAreNot() {
        let a = Event(site: "north", id: "same", at: Timestamp(ms: 0), kind: EventKind("note.x"))
        var b = a
        XCTAssertNil(Event.firstConflictingDuplicate([a, b, a]))
        b.data["n"] = 2
        let found = Event.firstConflictingDuplicate([a, Event(site: "north", id: "other", at: Timestamp(ms: 0), kind: EventKind("note.x")), b])
        XCTAssertEqual(found?.first, 0)
        XCTAssertEqual(found?.second, 2)
    }

    func testMessagesCutLongInput() {
        let long = String(repeating: "h", count: 10_000_000)
        let cut = ModelError.excerpt(long)
        XCTAssertLessThan(cut.utf8.count, 200)
        XCTAssertTrue(cut.contains("10000000 bytes"), cut)
        let line = #"{"site":"\#(long)","id":"x","at":"2026-03-02T08:00:00Z","kind":"note.x"}"#
        XCTAssertThrowsError(try EventCodec.decode(line)) { XCTAssertLessThan("\($0)".utf8.count, 400) }
    }

    func testSecondsConvertWithoutTrapping() {
        XCTAssertEqual(Limits.milliseconds(seconds: 1.2345), 1235)
        XCTAssertEqual(Limits.milliseconds(seconds: -2), -2000)
        for bad in [Double.infinity, -Double.infinity, Double.nan, 1e300, -1e300, 9.3e15] {
            XCTAssertNil(Limits.milliseconds(seconds: bad), "\(bad)")
        }
    }
}

extension BoundsTests {
    /// The reproduction: `a\u0000b` and `a\u0000c` were two contacts in the
    /// log and one contact `a` in the projection (SQLite ends bound text at a
    /// NUL). Every key with a control character is refused, naming the
    /// field; a NUL anywhere in `data` or `extra` is refused; printable
    /// Unicode keys and free text with tabs or line breaks are not.
    func testKeysWithControlCharactersAndTextWithNULAreRefusedByName() throws {
        let base = Event(site: "north", id: "k1", at: Timestamp(ms: 1_000), kind: .contactStarted, contact: "c1", customer: "u1",
                         channel: .voice, queue: "billing", agent: "ann")
        XCTAssertNoThrow(try base.validate())
        XCTAssertTrue(base.hasStorableText)
        let keys: [(String, WritableKeyPath<Event, String?>)] = [("contact", \.contact), ("customer", \.customer), ("queue", \.queue), ("agent", \.agent)]
        for control in ["\u{0}", "\t", "\n", "\r", "\u{1B}", "\u{1F}", "\u{7F}"] {
            for (name, path) in keys {
                var e = base
                e[keyPath: path] = "a\(control)b"
                XCTAssertFalse(e.hasStorableText, "\(name) \(control.unicodeScalars.first?.value ?? 0)")
                XCTAssertThrowsError(try e.validate(), name) { XCTAssertEqual(($0 as? ModelError)?.field, name) }
            }
            var e = base
            e.id = "k\(control)1"
            XCTAssertThrowsError(try e.validate()) { XCTAssertEqual(($0 as? ModelError)?.field, "id") }
        }
        for key in ["Zoë ✓", "a b", "客户-42", "x".padding(toLength: Event.keyBytesMax, withPad: "x", startingAt: 0)] {
            var e = base
            e.contact = key
            e.customer = key
            XCTAssertNoThrow(try e.validate(), key)
            XCTAssertTrue(e.hasStorableText)
        }
        // Text of data: free, but never a NUL, at any depth, in a value or a key.
        var free = base
        free.data = JSONObject([.init("note", .string("line one\nline two\tend")), .init("reason", .string("billing"))])
        XCTAssertNoThrow(try free.validate())
        for (field, data) in [
            ("data.reason", JSONObject([.init("reason", .string("bill\u{0}ing"))])),
            ("data.note", JSONObject([.init("note", .object(JSONObject([.init("x", .array([.integer(1), .string("a\u{0}")]))])))])),
            ("data.bad\u{0}key", JSONObject([.init("bad\u{0}key", .integer(1))])),
        ] {
            var e = base
            e.data = data
            XCTAssertFalse(e.hasStorableText, field)
            XCTAssertThrowsError(try e.validate(), field) { XCTAssertEqual(($0 as? ModelError)?.field, field) }
        }
        var extra = base
        extra.extra = JSONObject([.init("origin", .string("x\u{0}"))])
        XCTAssertThrowsError(try extra.validate()) { XCTAssertEqual(($0 as? ModelError)?.field, "extra.origin") }
        // The same line as a user writes it: refused at decode, naming the field.
        let line = #"{"site":"north","id":"e1","at":"2026-03-02T09:00:00Z","kind":"contact.started","contact":"a\u0000b","customer":"c1","channel":"voice"}"#
        XCTAssertThrowsError(try EventCodec.decode(line)) { XCTAssertEqual(($0 as? ModelError)?.field, "contact", "\($0)") }
    }
}
