#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyCLI
import JourneyLog
import JourneyModel
import XCTest

/// The adversarial review's reproductions, run against the built binary as
/// an operator would: each crashed `journey` with a signal, hung it, or was
/// stored and then broke every reader. Now each is refused with exit 3 (bad
/// input, nothing stored) naming its line and field, and what is legal —
/// however extreme — is stored, read back exactly and answered by every query.
final class HostileInputTests: XCTestCase {
    var dir = ""
    override func setUp() async {
        dir = NSTemporaryDirectory() + "journey-hostile-\(UUID().uuidString)"
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Runs `journey args` and checks it ended normally with `status`, its
    /// error output naming each of `mentions`.
    @discardableResult
    func expect(_ args: [String], status: Int32, mentions: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Subprocess.Outcome {
        let r = try Subprocess.journey(args)
        XCTAssertFalse(r.timedOut, "\(args) ran past its deadline", file: file, line: line)
        XCTAssertFalse(r.signaled, "\(args) died by signal \(r.status): \(r.stderr.suffix(2000))", file: file, line: line)
        XCTAssertEqual(r.status, status, "\(args): \(r.stdout.prefix(500)) \(r.stderr.prefix(2000))", file: file, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "\(args) should say '\(m)': \(r.stderr.prefix(2000))", file: file, line: line) }
        return r
    }

    func storedEvents() throws -> UInt64 {
        var options = LogOptions()
        options.readOnly = true
        return try LogStore.open(directory: dir, options: options).snapshot(origin: "north")?.lastSeq ?? 0
    }

    /// Every query a manager runs answers (exit 0, no signal, no hang).
    func everyQueryAnswers(file: StaticString = #filePath, line: UInt = #line) throws {
        for q in [["sites"], ["agents"], ["intervals"], ["teams"], ["customers"], ["contacts"], ["journey", "--customer", "x"]] {
            try expect(["query"] + q + ["--data", dir, "--json"], status: 0, file: file, line: line)
        }
    }

    // MARK: Times

    func testTimesOutsideTheFourDigitYearsAreRefusedAndNothingIsStored() throws {
        for (name, text) in [
            ("with-id", #"{"id":"y1","at":"0000-01-01T00:00:00+00:01","kind":"note.x"}"#),
            ("without-id", #"{"at":"0000-01-01T00:00:00+00:01","kind":"note.x"}"#),
            ("after-9999", #"{"id":"y2","at":"9999-12-31T23:59:59-00:01","kind":"note.x"}"#),
        ] {
            let file = try write(name + ".jsonl", text + "\n")
            try expect(["append", "--data", dir, file], status: 3, mentions: ["line 1", "field 'at'", "nothing was stored"])
        }
        XCTAssertEqual(try storedEvents(), 0)
    }

    /// The legal extremes are stored and come back byte for byte; appending
    /// what `cat` printed adds nothing; every query answers.
    func testTheExtremeLegalTimesRoundTripThroughAppendCatAppend() throws {
        let lines = [
            #"{"site":"north","id":"first","at":"0001-01-01T00:00:00.000Z","kind":"contact.started","contact":"c1","channel":"voice","data":{}}"#,
            #"{"site":"north","id":"last","at":"9999-12-31T23:59:59.999Z","kind":"contact.ended","contact":"c1","channel":"voice","data":{}}"#,
            #"{"site":"north","id":"offset","at":"0001-01-01T23:59:00+23:59","kind":"note.x","data":{}}"#,
        ]
        let file = try write("extremes.jsonl", lines.joined(separator: "\n") + "\n")
        try expect(["append", "--data", dir, file], status: 0)
        let cat = try expect(["cat", "--data", dir], status: 0)
        XCTAssertTrue(cat.stdout.contains(#""at":"0001-01-01T00:00:00.000Z""#), cat.stdout)
        XCTAssertTrue(cat.stdout.contains(#""at":"9999-12-31T23:59:59.999Z""#), cat.stdout)
        XCTAssertTrue(cat.stdout.contains(#""id":"offset","at":"0001-01-01T00:00:00.000Z""#), cat.stdout)
        let again = try write("again.jsonl", cat.stdout)
        let r = try expect(["append", "--data", dir, again], status: 0)
        XCTAssertTrue(r.stdout.contains("appended 0, duplicates 3"), r.stdout)
        try everyQueryAnswers()
    }

    /// Property: seeded random events with extreme but legal values (times
    /// anywhere in the years 0001–9999 in any offset, durations 0 … 7 days,
    /// keys of 256 bytes with escapes and non-ASCII, nested data) are stored,
    /// `cat` gives back exactly their canonical lines, appending that output
    /// adds nothing, and every query answers.
    func testRandomExtremeLegalEventsRoundTripAndEveryQueryAnswers() async throws {
        var rng = SplitMix64(seed: 2026)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        func time() -> Int64 {
            let edges = [Limits.timeMin.ms, Limits.timeMax.ms, 0, -1, Limits.timeMin.ms + (LocalDay.lengthMs - 1), Limits.timeMax.ms - LocalDay.lengthMs]
            if rng.next() % 4 == 0 { return pick(edges) }
            return Limits.timeMin.ms + Int64(rng.next() % UInt64(Limits.timeMax.ms - Limits.timeMin.ms + 1))
        }
        // Keys are printable text (no control characters); free text in data may hold them (not NUL).
        func text(_ maxBytes: Int, key: Bool = false) -> String {
            let alphabet = ["a", "Z", "0", "-", "\"", "\\", "é", "東", "🙂", " ", "/"] + (key ? [] : ["\n", "\u{1}", "\t"])
            var t = ""
            let target = 1 + Int(rng.next() % UInt64(maxBytes))
            while true {
                let c = pick(alphabet)
                if t.utf8.count + c.utf8.count > target { break }
                t += c
            }
            return t.isEmpty ? "k" : t
        }
        func duration() -> JSONValue { .integer(pick([0, 1, Limits.durationMsMax, Limits.durationMsMax - 1, Int64(rng.next() % UInt64(Limits.durationMsMax))])) }
        func value(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 3 ? 4 : 6) {
            case 0: return .integer(Int64(bitPattern: rng.next()))
            case 1: return .string(text(40))
            case 2: return pick([.null, .bool(true), .bool(false), .number("1.5e-300"), .number("-0"), .number("12345678901234567890")])
            case 3: return .integer(pick([Int64.min, Int64.max, 0]))
            case 4: return .array((0..<Int(rng.next() % 4)).map { _ in value(depth + 1) })
            default: return .object(JSONObject((0..<Int(rng.next() % 4)).map { _ in JSONObject.Member(text(12), value(depth + 1)) }))
            }
        }
        var lines: [String] = []
        var ids = Set<String>()
        for i in 0..<3_000 {
            let kind = pick(EventKind.known + [EventKind("note.x"), EventKind("pbx.custom_thing")])
            var id = text(Event.keyBytesMax - 8, key: true) + "-\(i)"
            while id.utf8.count > Event.keyBytesMax { id.removeFirst() }
            guard ids.insert(id).inserted else { continue }
            var e = Event(site: "north", id: id, at: Timestamp(ms: time()), kind: kind)
            if kind.isContactLifecycle || rng.next() % 2 == 0 { e.contact = "c\(rng.next() % 50)"; e.channel = pick(Channel.allCases) }
            if kind.isWorkforce || rng.next() % 2 == 0 { e.agent = pick(["a1", "a2", text(Event.keyBytesMax, key: true)]) }
            if rng.next() % 2 == 0 { e.queue = pick(["billing", text(Event.keyBytesMax, key: true)]) }
            if rng.next() % 2 == 0 { e.customer = text(Event.keyBytesMax, key: true) }
            for f in Limits.durationFields where rng.next() % 3 == 0 { e.data[f] = duration() }
            for _ in 0..<Int(rng.next() % 4) { e.data[text(16)] = value(0) }
            if rng.next() % 5 == 0 { e.extra["x-" + text(8)] = value(0) }
            XCTAssertNoThrow(try e.validate(), "the generator made an event no store accepts")
            // Half the events are written with a random offset: the store keeps the instant.
            var line = EventCodec.encode(e)
            if rng.next() % 2 == 0 {
                let offset = Int64(rng.next() % 2879) - 1439
                let local = e.at.ms + offset * 60_000
                if local >= Limits.timeMin.ms && local <= Limits.timeMax.ms {
                    let canonical = e.at.rfc3339
                    var shifted = Timestamp(ms: local).rfc3339
                    shifted.removeLast()
                    let a = abs(offset)
                    shifted += (offset < 0 ? "-" : "+") + (a / 60 < 10 ? "0" : "") + String(a / 60) + ":" + (a % 60 < 10 ? "0" : "") + String(a % 60)
                    line = line.replacingOccurrences(of: "\"at\":\"\(canonical)\"", with: "\"at\":\"\(shifted)\"")
                }
            }
            lines.append(line)
        }
        let input = try write("random.jsonl", lines.joined(separator: "\n") + "\n")
        let appended = await JourneyCLI.run(["append", "--data", dir, input])
        XCTAssertEqual(appended.status, 0, appended.stderr)
        let expected = try lines.map { try EventCodec.decode($0) }
        let cat = await JourneyCLI.run(["cat", "--data", dir])
        XCTAssertEqual(cat.status, 0, cat.stderr)
        let stored = cat.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(stored.count, expected.count)
        for (i, (line, e)) in zip(stored, expected).enumerated() {
            var withSeq = e
            withSeq.seq = UInt64(i + 1)
            XCTAssertEqual(line, EventCodec.encode(withSeq), "event \(i + 1) came back changed")
        }
        let again = try write("again.jsonl", cat.stdout)
        let second = await JourneyCLI.run(["append", "--data", dir, again])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("appended 0, duplicates \(expected.count)"), second.stdout)
        try everyQueryAnswers()
    }

    /// The reproduction: a queue_log epoch in the year ~318,000 was imported,
    /// then `query sites` ran for over ten minutes. The epoch is refused now;
    /// and legal times eight thousand years apart (an agent logged in in 2000
    /// and out in 9999) no longer make any query walk the years between.
    func testAFarFutureEpochIsRefusedAndLegalTimesMillenniaApartDoNotHangQueries() throws {
        let far = try write("far.log", "10000000000000|c1|billing|NONE|ENTERQUEUE||5551234|1\n")
        try expect(["import", "--data", dir, "--format", "asterisk", far], status: 3, mentions: ["line 1", "10000000000000"])
        XCTAssertEqual(try storedEvents(), 0)
        let apart = try write("apart.log", """
            946684800|NONE|billing|Agent/1|AGENTLOGIN|SIP/1
            946684810|NONE|billing|Agent/1|UNPAUSE|
            946684900|c1|billing|NONE|ENTERQUEUE||5551234|1
            946684920|c1|billing|Agent/1|CONNECT|20|c1.1|3
            946685100|c1|billing|Agent/1|COMPLETECALLER|20|180|1
            253402300000|c2|billing|NONE|ENTERQUEUE||5551234|1
            253402300010|c2|billing|Agent/1|CONNECT|10|c2.1|3
            253402300700|c2|billing|Agent/1|COMPLETEAGENT|10|690|1
            253402300790|NONE|billing|Agent/1|AGENTLOGOFF|SIP/1|8000
            """ + "\n")
        try expect(["import", "--data", dir, "--format", "asterisk", apart], status: 0)
        try everyQueryAnswers()
    }

    // MARK: Durations and sums

    func testDurationsBeyondTheLimitAreRefusedWhereverTheyComeFrom() throws {
        let connects = try write("hold.log", """
            1772438400|c1|billing|NONE|ENTERQUEUE||5551234|1
            1772438425|c1|billing|Agent/1|CONNECT|5000000000000000|c1.1|4
            1772438500|c2|billing|Agent/1|CONNECT|5000000000000000|c2.1|4
            """ + "\n")
        try expect(["import", "--data", dir, "--format", "asterisk", connects], status: 3, mentions: ["line 2", "line 3"])
        let canonical = try write("wait.jsonl", #"{"id":"w","at":"2026-03-02T08:00:00Z","kind":"contact.answered","contact":"c","channel":"voice","data":{"waitMs":9223372036854775807}}"# + "\n")
        try expect(["append", "--data", dir, canonical], status: 3, mentions: ["line 1", "data.waitMs"])
        XCTAssertEqual(try storedEvents(), 0)
    }

    /// Durations a projection derives from two legal times (answered in the
    /// year 1, ended in 9999) are held to the limit, so sums over thirty
    /// thousand of them — past 64 bits unclamped — still answer.
    func testDerivedDurationsAreBoundedSoNoSumOverflows() throws {
        var text = ""
        for i in 0..<30_000 {
            let c = "c\(i)"
            text += #"{"id":"\#(c)-q","at":"0001-01-01T00:00:00Z","kind":"queue.entered","contact":"\#(c)","channel":"voice","queue":"billing","data":{}}"# + "\n"
            text += #"{"id":"\#(c)-a","at":"0001-01-01T00:00:01Z","kind":"contact.answered","contact":"\#(c)","channel":"voice","queue":"billing","agent":"a1","data":{}}"# + "\n"
            text += #"{"id":"\#(c)-e","at":"9999-12-31T00:00:00Z","kind":"contact.ended","contact":"\#(c)","channel":"voice","queue":"billing","agent":"a1","data":{}}"# + "\n"
        }
        let file = try write("long.jsonl", text)
        try expect(["append", "--data", dir, file], status: 0)
        try everyQueryAnswers()
        let sites = try expect(["query", "sites", "--data", dir, "--json"], status: 0)
        // Each contact's handle time is held to 7 days.
        XCTAssertTrue(sites.stdout.contains("604800"), sites.stdout.prefix(2000).description)
    }

    // MARK: Importers

    func testImportersReportHostileNumbersByLineInsteadOfTrapping() throws {
        for (i, line) in ["1e300|c1|billing|NONE|ENTERQUEUE||5551234|1", "inf|c1|billing|NONE|ENTERQUEUE||5551234|1",
                          "nan|c1|billing|NONE|ENTERQUEUE||5551234|1", "-1e300|c1|billing|NONE|ENTERQUEUE||5551234|1",
                          "1772438425|c1|billing|Agent/1|CONNECT|1e300|c1.1|4", "1772438425|c1|billing|Agent/1|CONNECT|-inf|c1.1|4",
                          "1772438425|c1|billing|Agent/1|RINGNOANSWER|9223372036854775807"].enumerated() {
            let file = try write("a\(i).log", line + "\n")
            try expect(["import", "--data", dir, "--format", "asterisk", file], status: 3, mentions: ["line 1"])
        }
        for (i, hold) in ["1e300", "1e999", "-1e300", "-1"].enumerated() {
            let record = """
                {"ContactId":"k\(i)","Channel":"VOICE","InitiationMethod":"INBOUND","InitiationTimestamp":"2026-03-02T08:00:00Z",
                 "DisconnectTimestamp":"2026-03-02T08:05:00Z","Queue":{"Name":"billing","EnqueueTimestamp":"2026-03-02T08:00:10Z"},
                 "Agent":{"Username":"a1","ConnectedToAgentTimestamp":"2026-03-02T08:00:40Z","CustomerHoldDuration":\(hold)}}
                """.replacingOccurrences(of: "\n", with: "")
            let file = try write("c\(i).json", record + "\n")
            try expect(["import", "--data", dir, "--format", "connect", file], status: 3, mentions: ["line 1", "CustomerHoldDuration"])
        }
        let map = try write("map.json", String(decoding: try Data(contentsOf: Self.repo.appendingPathComponent("config/csv-maps/one-row-per-call.json")), as: UTF8.self))
        let header = "vru+line,call_id,customer_id,priority,type,date,vru_entry,vru_exit,q_start,q_exit,outcome,ser_start,ser_exit,server"
        for (i, t) in ["0:03:-1e300", "-9223372036854775807:00:00", "0:03:inf", "0:03:nan", "9223372036854775807:0:0"].enumerated() {
            let file = try write("v\(i).csv", header + "\n" + "AA0101,1,2,0,PS,990801,\(t),0:00:10,0:00:10,0:00:20,AGENT,0:00:20,0:02:00,ANNA\n")
            try expect(["import", "--data", dir, "--format", "csv", "--map", map, file], status: 3, mentions: ["line 2"])
        }
        XCTAssertEqual(try storedEvents(), 0)
    }

    // MARK: Smaller findings

    func testAnEventOverTheSizeLimitFromAnImporterIsRefused() throws {
        let blob = String(repeating: "x", count: 2_000_000)
        let record = #"{"ContactId":"big","Channel":"VOICE","InitiationTimestamp":"2026-03-02T08:00:00Z","Attributes":{"blob":"\#(blob)"}}"#
        let file = try write("big.json", record + "\n")
        let r = try expect(["import", "--data", dir, "--format", "connect", file], status: 3, mentions: ["line 1", "limit is 65536 bytes"])
        XCTAssertLessThan(r.stderr.utf8.count, 4_000, "the message does not echo the record")
        XCTAssertEqual(try storedEvents(), 0)
    }

    func testOneIDForTwoDifferentEventsInABatchIsRefusedNotDropped() throws {
        let file = try write("dup.jsonl", """
            {"id":"same","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{"n":1}}
            {"id":"other","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{}}
            {"id":"same","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{"n":2}}
            """ + "\n")
        try expect(["append", "--data", dir, file], status: 3, mentions: ["lines 1 and 3", "'same'"])
        XCTAssertEqual(try storedEvents(), 0)
        // The same event twice is a retry: one stored, one duplicate.
        let retry = try write("retry.jsonl", String(repeating: #"{"id":"same","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{"n":1}}"# + "\n", count: 2))
        let r = try expect(["append", "--data", dir, retry], status: 0)
        XCTAssertTrue(r.stdout.contains("appended 1, duplicates 1"), r.stdout)
    }

    func testABadColumnMapIsBadInputAndAHugeHeaderIsNotEchoed() throws {
        let data = try write("rows.csv", "a,b\n1,2\n")
        for (i, map) in ["{", #"{"format":"other"}"#, #"{"format":"journeystore-csv-map","version":1,"columns":{"nope":"x"}}"#].enumerated() {
            let m = try write("m\(i).json", map)
            try expect(["import", "--data", dir, "--format", "csv", "--map", m, data], status: 3, mentions: ["column map"])
        }
        let map = try write("map.json", String(decoding: try Data(contentsOf: Self.repo.appendingPathComponent("config/csv-maps/one-row-per-call.json")), as: UTF8.self))
        let huge = try write("huge.csv", String(repeating: "h", count: 10_000_000) + "\n1\n")
        let r = try expect(["import", "--data", dir, "--format", "csv", "--map", map, huge], status: 3, mentions: ["line 1"])
        XCTAssertLessThan(r.stderr.utf8.count, 4_000, "a 10 MB header is cut in the message")
    }

    // MARK: Peers

    /// A store of a second site, `east`, removed after the test, and its public key as `journey keys` prints it.
    func eastStore() async throws -> (directory: String, key: String) {
        let east = dir + "-east"
        let made = await JourneyCLI.run(["init", "--data", east, "--site", "east"])
        XCTAssertEqual(made.status, 0, made.stderr)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: east) }
        let key = String(await JourneyCLI.run(["keys", "--data", east]).stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return (east, key)
    }

    /// Makes `peer` the node's only sync peer, as `evil`, with east's key pinned.
    func pinPeer(_ peer: HostilePeer, eastKey: String) throws {
        let config = #"{"peers":[{"name":"evil","url":"\#(peer.url)","token":"token-of-evil-0123456789abcdef"}],"keys":{"east":"\#(eastKey)"}}"#
        try config.write(toFile: dir + "/sync.json", atomically: true, encoding: .utf8)
    }

    /// The reproduction: a `/v1/heads` answer with `"lastSeq": -1` trapped the
    /// syncing node. Every malformed answer is now refused peer data: exit 4,
    /// nothing stored, the node alive.
    func testAHostilePeerCannotCrashOrHangTheNodeThatSyncsFromIt() async throws {
        let (_, eastKey) = try await eastStore()
        let goodHeads = Array(#"{"origins":[{"origin":"east","lastSeq":5,"headHash":"00"}]}"#.utf8)
        let nested = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        var rng = SplitMix64(seed: 7)
        let garbage = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        // A block header claiming a huge length, then nothing.
        let frame: [UInt8] = Array("JBLK".utf8) + [UInt8](repeating: 0xFF, count: 200)
        let cases: [(String, heads: [UInt8], blocks: [UInt8], mentions: String)] = [
            ("negative lastSeq", Array(#"{"origins":[{"origin":"east","lastSeq":-1,"headHash":""}]}"#.utf8), [], "lastSeq"),
            ("lastSeq past 64 bits", Array(#"{"origins":[{"origin":"east","lastSeq":1e300,"headHash":""}]}"#.utf8), [], "lastSeq"),
            ("bad origin", Array(#"{"origins":[{"origin":"../../etc","lastSeq":1}]}"#.utf8), [], "origin"),
            ("heads not JSON", garbage, [], "heads"),
            ("heads nested deep", nested, [], "heads"),
            ("blocks garbage", goodHeads, garbage, "do not parse"),
            ("blocks cut frame", goodHeads, frame, "do not parse"),
        ]
        for c in cases {
            let peer = try HostilePeer { path in path.hasSuffix("/heads") ? (200, c.heads) : (200, c.blocks) }
            defer { peer.stop() }
            try pinPeer(peer, eastKey: eastKey)
            try expect(["sync", "--data", dir], status: 4, mentions: [c.mentions])
            let status = try Subprocess.journey(["status", "--data", dir])
            XCTAssertFalse(status.signaled || status.timedOut, "\(c.0): status \(status.stderr)")
            XCTAssertEqual(try LogStore.open(directory: dir).snapshot(origin: "east")?.lastSeq ?? 0, 0, c.0)
        }
    }

    /// A peer that answers every request for blocks with blocks the node
    /// already holds — at or before the cursors it asked for, genuine and
    /// signed — made `journey sync` ask again for ever: the pull only ended
    /// on an empty answer. It now stops at such an answer and names the peer.
    func testAPeerThatRepeatsHeldBlocksCannotKeepTheNodePulling() async throws {
        let (east, eastKey) = try await eastStore()
        let input = try write("east.jsonl", (0..<20).map { i in
            #"{"id":"e\#(i)","at":"2026-03-02T09:\#(10 + i):00Z","kind":"contact.started","contact":"c\#(i)","customer":"k\#(i)","channel":"voice"}"#
        }.joined(separator: "\n") + "\n")
        let appended = await JourneyCLI.run(["append", "--data", east, input])
        XCTAssertEqual(appended.status, 0, appended.stderr)
        let block = try XCTUnwrap(try LogStore.open(directory: east).snapshot(origin: "east")).block(at: 0)
        let heads = Array(#"{"origins":[{"origin":"east","lastSeq":\#(block.header.lastSeq),"headHash":"\#(Checksum.hex(block.header.chainHash))"}]}"#.utf8)
        // Genuine the first time (stored), then the same block whatever the cursors say.
        let peer = try HostilePeer { path in path.hasSuffix("/heads") ? (200, heads) : (200, block.bytes) }
        defer { peer.stop() }
        try pinPeer(peer, eastKey: eastKey)
        let r = try Subprocess.journey(["sync", "--data", dir], deadlineSeconds: 60)
        XCTAssertFalse(r.timedOut, "journey sync kept pulling the same block")
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("evil") && r.stderr.contains("already holds"), r.stderr)
        XCTAssertEqual(try LogStore.open(directory: dir).snapshot(origin: "east")?.lastSeq, block.header.lastSeq, "the genuine block was stored once")
    }

    /// A peer that sends the head of an answer and part of its body, then
    /// nothing, with the connection open: the pull must give up on it within
    /// its request timeout, not wait for ever.
    func testAPeerThatStopsInTheMiddleOfAnAnswerCannotHangTheNode() async throws {
        let (_, eastKey) = try await eastStore()
        let heads = Array(#"{"origins":[{"origin":"east","lastSeq":5,"headHash":"00"}]}"#.utf8)
        let peer = try HostilePeer(stalling: true) { _ in (200, Array(heads.prefix(10))) }
        defer { peer.stop() }
        try pinPeer(peer, eastKey: eastKey)
        let r = try Subprocess.journey(["sync", "--data", dir], deadlineSeconds: 45)
        XCTAssertFalse(r.timedOut, "journey sync waited for the rest of an answer that never came")
        XCTAssertNotEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("evil"), r.stderr)
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

extension HostileInputTests {
    /// The reproduction: two contacts whose keys differ after a NUL were
    /// stored and projected as one contact. Now the file is refused, naming
    /// the line and field, and nothing is stored; `--rejects` sets the line
    /// aside and stores the rest.
    func testAKeyWithANULOrAControlCharacterIsRefusedByLineAndField() throws {
        let lines = [
            #"{"id":"e1","at":"2026-03-02T09:00:00Z","kind":"contact.started","contact":"a\u0000b","customer":"c1","channel":"voice"}"#,
            #"{"id":"e2","at":"2026-03-02T09:05:00Z","kind":"contact.started","contact":"a\u0000c","customer":"c2","channel":"chat"}"#,
        ]
        let file = try write("nul.jsonl", lines.joined(separator: "\n") + "\n")
        try expect(["append", "--data", dir, file], status: 3, mentions: ["line 1", "field 'contact'", "control character", "nothing was stored"])
        let tab = try write("tab.jsonl", #"{"id":"t1","at":"2026-03-02T09:00:00Z","kind":"contact.started","contact":"a\tb","customer":"c1","channel":"voice"}"# + "\n")
        try expect(["append", "--data", dir, tab], status: 3, mentions: ["line 1", "field 'contact'"])
        let text = try write("text.jsonl", #"{"id":"r1","at":"2026-03-02T09:00:00Z","kind":"contact.started","contact":"r","customer":"c1","channel":"voice","data":{"reason":"bill\u0000ing"}}"# + "\n")
        try expect(["append", "--data", dir, text], status: 3, mentions: ["line 1", "data.reason", "NUL"])
        XCTAssertEqual(try storedEvents(), 0)
        let good = #"{"id":"e3","at":"2026-03-02T09:10:00Z","kind":"contact.started","contact":"a","customer":"c3","channel":"voice"}"#
        let mixed = try write("mixed.jsonl", ([good] + lines).joined(separator: "\n") + "\n")
        let rejects = dir + "-rejects.jsonl"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: rejects) }
        try expect(["append", "--data", dir, mixed, "--rejects", rejects], status: 0)
        XCTAssertEqual(try storedEvents(), 1)
        XCTAssertEqual(try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").count, 2)
    }
}

extension HostileInputTests {
    /// The reproduction: `--rejects` naming the input itself (`append`, or
    /// `import` through another spelling of the path or a hard link) emptied
    /// the input before it was read — the file was lost and "appended 0"
    /// reported. A rejects file inside the store's directory could empty a
    /// log segment or the site's signing key the same way. Both are now refused before anything is
    /// opened for writing, and the input is left as it was.
    func testARejectsFileThatIsTheInputOrInsideTheStoreIsRefusedAndNothingIsEmptied() throws {
        let bad = #"{"id":"x","at":"2026-03-02T09:00:00Z","kind":"contact.started"}"#
        let good = #"{"id":"e1","at":"2026-03-02T09:00:00Z","kind":"contact.started","contact":"c1","customer":"k1","channel":"voice"}"#
        let text = good + "\n" + bad + "\n"
        let input = try write("in.jsonl", text)
        let link = input + ".link"
        try? FileManager.default.removeItem(atPath: link)
        XCTAssertEqual(Glibc.link(input, link), 0)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: link) }
        let dotted = (input as NSString).deletingLastPathComponent + "/./" + (input as NSString).lastPathComponent
        for (command, rejects) in [("append", input), ("append", dotted), ("append", link), ("import", dotted), ("import", link)] {
            let args = command == "import" ? ["import", "--format", "jsonl"] : [command]
            try expect(args + ["--data", dir, "--rejects", rejects, input], status: 3, mentions: ["--rejects", "input"])
            XCTAssertEqual(try String(contentsOfFile: input, encoding: .utf8), text, "\(command) --rejects \(rejects): the input is untouched")
        }
        XCTAssertEqual(try storedEvents(), 0)
        // Inside the store: its signing key, its manifest, or a new file beside its logs.
        for target in [dir + "/keys/site.ed25519", dir + "/journey.json", dir + "/logs/rejects.jsonl"] {
            let before = try? Data(contentsOf: URL(fileURLWithPath: target))
            try expect(["append", "--data", dir, "--rejects", target, input], status: 3, mentions: ["--rejects", "store"])
            XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: target)), before, "\(target) is untouched")
        }
        XCTAssertEqual(try storedEvents(), 0)
        // The simulator's JSONL copy is checked the same way.
        let key = try Data(contentsOf: URL(fileURLWithPath: dir + "/keys/site.ed25519"))
        try expect(["simulate", "--data", dir, "--days", "1", "--jsonl", dir + "/keys/site.ed25519"], status: 3, mentions: ["--jsonl", "store"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/keys/site.ed25519")), key, "the signing key is untouched")
        XCTAssertEqual(try storedEvents(), 0)
        // Elsewhere, the rejects file works as before.
        let rejects = dir + "-rejects.jsonl"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: rejects) }
        try expect(["append", "--data", dir, "--rejects", rejects, input], status: 0)
        XCTAssertEqual(try storedEvents(), 1)
    }
}
