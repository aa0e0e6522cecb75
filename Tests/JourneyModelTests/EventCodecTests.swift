@testable import JourneyModel
import XCTest

final class EventCodecTests: XCTestCase {
    /// One event of every known kind, with data typical of that kind.
    static func sampleEvents() -> [Event] {
        var events: [Event] = []
        var t: Int64 = 1_772_438_400_000
        for (n, kind) in EventKind.known.enumerated() {
            t += 1_250
            var e = Event(site: "north", id: "ev-\(n)", at: Timestamp(ms: t), kind: kind)
            if kind.isContactLifecycle {
                e.contact = "c-42"
                e.customer = "cust-7"
                e.channel = .voice
                e.queue = "billing"
            }
            if kind.isWorkforce || kind == .agentOffered || kind == .agentMissed || kind == .agentLent {
                e.agent = "a-17"
            }
            switch kind {
            case .contactStarted: e.data = ["direction": "inbound", "initiation": "customer", "reason": "bill-query"]
            case .ivrInput: e.data = ["menu": "main", "key": "2"]
            case .queueAbandoned: e.data = ["waitMs": 41_000]
            case .agentMissed: e.data = ["ringMs": 12_000]
            case .contactAnswered: e.data = ["waitMs": 8_500]
            case .contactTransferred: e.data = ["toQueue": "technical", "mode": "blind"]
            case .contactEnded: e.data = ["by": "customer"]
            case .wrapupDone: e.data = ["acwMs": 30_000, "disposition": "resolved", "resolved": true]
            case .surveyAnswered: e.data = ["csat": 4, "nps": 9]
            case .agentNotReady: e.data = ["reason": "break"]
            case .agentAssigned:
                e.data = ["team": "t1", "site": "north", "skills": .array(["billing", "sales"]), "hiredAt": "2024-05-01"]
            case .staffingPlanned: e.data = ["plan": .object(["intervals": .array([.integer(1), .number("2.50"), .null])])]
            default: break
            }
            events.append(e)
        }
        return events
    }

    func testRoundTripEveryKind() throws {
        for e in Self.sampleEvents() {
            let line = EventCodec.encode(e)
            let back = try EventCodec.decode(line)
            XCTAssertEqual(back, e, line)
            XCTAssertEqual(EventCodec.encode(back), line)
        }
    }

    func testUnknownFieldsAndNonASCIIAreKept() throws {
        let line = #"{"site":"sud-1","seq":12,"id":"x","at":"2026-03-02T08:15:00.250Z","kind":"contact.started","contact":"c1","customer":"Zoë","channel":"chat","data":{"note":"çà et là — 東京 🎧","zeta":1,"alpha":[1.50,-0,1e3,{"k":null}],"esc":"tab\tquote\"back\\"},"region":"Québec","v2":{"x":true}}"#
        let e = try EventCodec.decode(line)
        XCTAssertEqual(e.extra["region"], .string("Québec"))
        XCTAssertEqual(e.customer, "Zoë")
        XCTAssertEqual(e.data["note"], .string("çà et là — 東京 🎧"))
        // Member order, number literals and escapes survive byte for byte.
        XCTAssertEqual(EventCodec.encode(e), line)
    }

    func testTimestampsNormaliseToUTCMilliseconds() throws {
        let e = try EventCodec.decode(#"{"site":"a","id":"1","at":"2026-03-02T10:15:00.1234+02:00","kind":"agent.login","agent":"a1"}"#)
        XCTAssertEqual(e.at.rfc3339, "2026-03-02T08:15:00.123Z")
        XCTAssertEqual(Timestamp(rfc3339: "1969-12-31T23:59:59.999Z")?.ms, -1)
        XCTAssertEqual(Timestamp(rfc3339: "2024-02-29T00:00:00Z")?.rfc3339, "2024-02-29T00:00:00.000Z")
        XCTAssertNil(Timestamp(rfc3339: "2023-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp(rfc3339: "2026-03-02 08:15"))
        for ms: Int64 in [0, 1, (LocalDay.lengthMs - 1), 1_772_438_400_123, -86_400_001, 4_102_444_800_000] {
            XCTAssertEqual(Timestamp(rfc3339: Timestamp(ms: ms).rfc3339)?.ms, ms)
        }
    }

    func testValidationNamesTheField() {
        let cases: [(String, String?, ModelError.Code)] = [
            (#"{"id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}"#, "site", .missingField),
            (#"{"site":"North!","id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}"#, "site", .invalidField),
            (#"{"site":"n","id":"1","at":"yesterday","kind":"agent.login","agent":"a"}"#, "at", .invalidField),
            (#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"contact.started","contact":"c","channel":"fax"}"#, "channel", .invalidField),
            (#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a","data":[1]}"#, "data", .invalidField),
            (#"{"site":"n","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}"#, "id", .missingField),
            (#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"contact.started","channel":"voice"}"#, "contact", .missingField),
            (#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login"}"#, "agent", .missingField),
            (#"{"site":"n","id":"1","id":"2","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}"#, "id", .invalidField),
            (#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"Bad Kind","agent":"a"}"#, "kind", .invalidField),
            (#"{"site":"n","id":"1","#, nil, .invalidJSON),
            (#"[1,2]"#, nil, .invalidJSON),
        ]
        for (line, field, code) in cases {
            XCTAssertThrowsError(try EventCodec.decode(line), line) { error in
                let e = error as? ModelError
                XCTAssertEqual(e?.code, code, line)
                XCTAssertEqual(e?.field, field, line)
            }
        }
    }

    func testOversizedEventIsRejected() {
        let big = String(repeating: "x", count: Event.encodedBytesMax)
        let line = #"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a","data":{"blob":""# + big + #""}}"#
        XCTAssertThrowsError(try EventCodec.decode(line)) { XCTAssertEqual(($0 as? ModelError)?.code, .tooLarge) }
    }

    func testDecodeLinesReportsEveryBadLine() {
        let input = """
        {"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}

        {"site":"n","id":"2","at":"nope","kind":"agent.login","agent":"a"}
        {"site":"n","id":"3","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}
        not json

        """
        let r = EventCodec.decodeLines(Array(input.utf8))
        XCTAssertEqual(r.events.map(\.id), ["1", "3"])
        XCTAssertEqual(r.errors.map(\.line), [3, 5])
        XCTAssertEqual(r.errors.first?.field, "at")
        XCTAssertEqual(r.blankLines, 1)
    }

    func testDefaultSiteFillsMissingSite() throws {
        let e = try EventCodec.decode(#"{"id":"1","at":"2026-03-02T08:15:00Z","kind":"agent.login","agent":"a"}"#,
                                      options: .init(defaultSite: "east"))
        XCTAssertEqual(e.site, "east")
    }

    func testParserRejectsDeepNestingAndBadUTF8() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertThrowsError(try JSONParser.parse(deep))
        let bad: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try bad.withUnsafeBufferPointer { try JSONParser.parse($0) })
        XCTAssertEqual(try JSONParser.parse(#""\ud83c\udfa7""#), .string("🎧"))
        XCTAssertThrowsError(try JSONParser.parse(#""\udfa7""#))
    }

    /// Envelope fields are recognised by first byte, last byte and length,
    /// then one comparison: every name of the same shape that is not a field
    /// (and a different case) stays an extra field, and a field given twice
    /// is refused with few or many fields.
    func testEnvelopeFieldsAndLookAlikes() throws {
        for name in EventCodec.envelopeFields { XCTAssertNotNil(EventCodec.envelopeField(name), name) }
        for name in ["comment", "sate", "sEq", "ad", "it", "kinD", "cUstomer", "chanceL", "quite", "adult", "dada", "", "s", "siteX"] {
            XCTAssertNil(EventCodec.envelopeField(name), name)
        }
        let e = try EventCodec.decode(#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"note.added","comment":"c","adult":true}"#)
        XCTAssertEqual(e.extra["comment"], .string("c"))
        XCTAssertEqual(e.extra["adult"], .bool(true))
        XCTAssertThrowsError(try EventCodec.decode(#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"note.added","site":"m"}"#))
        let many = (0..<30).map { #""x\#($0)":1"# }.joined(separator: ",")
        XCTAssertNoThrow(try EventCodec.decode(#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"note.added",\#(many)}"#))
        XCTAssertThrowsError(try EventCodec.decode(#"{"site":"n","id":"1","at":"2026-03-02T08:15:00Z","kind":"note.added",\#(many),"x7":2}"#))
    }

    /// Strings that are not ASCII still go through UTF-8 validation; ASCII ones take the short way.
    func testASCIIAndNonASCIIStringsDecodeTheSame() throws {
        XCTAssertEqual(try JSONParser.parse(#""plain ascii""#), .string("plain ascii"))
        XCTAssertEqual(try JSONParser.parse(#""Québec""#), .string("Québec"))
        let overlong: [UInt8] = Array(#""a"#.utf8) + [0xC0, 0x80] + Array(#"""#.utf8)
        XCTAssertThrowsError(try overlong.withUnsafeBufferPointer { try JSONParser.parse($0) })
    }
}
