import Foundation
import JourneyCLI
import JourneyIngest
import JourneyLog
import JourneyModel
import XCTest

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")
let repoRoot = fixtures.deletingLastPathComponent()

/// A fixed pseudonym key for importers driven as a library.
let testPseudonyms: Pseudonyms = {
    guard let p = try? Pseudonyms(key: Array(0..<32)) else { fatalError("32 bytes are a key") }
    return p
}()

func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtures.appendingPathComponent("import").appendingPathComponent(name)))
}

final class AsteriskImporterTests: XCTestCase {
    func testEveryVerbMapsByItsDocumentedFields() throws {
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        let batch = importer.read(try fixtureBytes("queue_log"))
        XCTAssertEqual(batch.errors.map(\.description), [])
        XCTAssertEqual(batch.inputCount, 31)
        let e = batch.events
        func first(_ kind: String, contact: String? = nil) -> Event? {
            e.first { $0.kind.rawValue == kind && (contact == nil || $0.contact == contact) }
        }
        // ENTERQUEUE: contact start + queue entry, caller id → stable customer key.
        let started = try XCTUnwrap(first("contact.started", contact: "1772438400.11"))
        XCTAssertEqual(started.customer, testPseudonyms.customerKey("15550100"), "'+1 555-0100' and '15550100' are one customer")
        XCTAssertEqual(started.at, Timestamp(ms: 1_772_438_400_000))
        XCTAssertEqual(started.channel, .voice)
        XCTAssertEqual(first("queue.entered", contact: "1772438400.11")?.queue, "billing")
        // CONNECT holdtime → waitMs, ringtime → ringMs; later events carry the call's customer.
        let answered = try XCTUnwrap(first("contact.answered", contact: "1772438400.11"))
        XCTAssertEqual(answered.data["waitMs"], .integer(25_000))
        XCTAssertEqual(answered.data["ringMs"], .integer(4_000))
        XCTAssertEqual(answered.agent, "Agent/1001")
        XCTAssertEqual(answered.customer, started.customer)
        // COMPLETECALLER holdtime/calltime → wait/talk, by customer; COMPLETEAGENT by agent.
        let ended = try XCTUnwrap(e.first { $0.kind == .contactEnded && $0.contact == "1772438400.11" })
        XCTAssertEqual(ended.data["by"], .string("customer"))
        XCTAssertEqual(ended.data["talkMs"], .integer(300_000))
        XCTAssertEqual(e.first { $0.kind == .contactEnded && $0.contact == "1772439200.91" }?.data["by"], .string("agent"))
        // ABANDON waittime → waitMs, plus the contact's end.
        let abandoned = try XCTUnwrap(first("queue.abandoned", contact: "1772438500.21"))
        XCTAssertEqual(abandoned.data["waitMs"], .integer(41_000))
        XCTAssertEqual(abandoned.data["exit"], .string("abandon"))
        XCTAssertEqual(first("queue.abandoned", contact: "1772438600.31")?.data["exit"], .string("timeout"))
        XCTAssertEqual(first("queue.abandoned", contact: "1772438700.41")?.data["key"], .string("5"))
        XCTAssertEqual(first("queue.abandoned", contact: "1772438700.41")?.data["waitMs"], .integer(12_000))
        XCTAssertEqual(first("queue.abandoned", contact: "1772438800.51")?.data["exit"], .string("empty"))
        // A call that re-enters a queue after a transfer starts only once.
        XCTAssertEqual(e.filter { $0.kind == .contactStarted && $0.contact == "1772438600.31" }.count, 1)
        XCTAssertEqual(e.filter { $0.kind == .queueEntered && $0.contact == "1772438600.31" }.map(\.queue), ["technical", "sales"])
        let blind = try XCTUnwrap(first("contact.transferred", contact: "1772438600.31"))
        XCTAssertEqual(blind.data["mode"], .string("blind"))
        XCTAssertEqual(blind.data["to"], .string("2000@sales"))
        XCTAssertEqual(blind.data["talkMs"], .integer(180_000))
        XCTAssertEqual(first("contact.transferred", contact: "1772438900.61")?.data["mode"], .string("attended"))
        // Ring events are milliseconds.
        XCTAssertEqual(first("agent.missed")?.data["ringMs"], .integer(15_000))
        XCTAssertEqual(first("agent.ringcanceled")?.data["ringMs"], .integer(1_500))
        // Workforce.
        XCTAssertEqual(e.filter { $0.kind == .agentLogin }.map(\.agent), ["Agent/1001", "PJSIP/1002"])
        XCTAssertEqual(first("agent.logout")?.data["loginSeconds"], .integer(1300))
        XCTAssertEqual(first("agent.notready")?.data["reason"], .string("lunch"))
        XCTAssertNotNil(first("agent.ready"))
        XCTAssertEqual(e.filter { $0.kind.rawValue == "pbx.system" }.map { $0.data["verb"] }, [.string("QUEUESTART"), .string("CONFIGRELOAD")])
        // Unknown verbs are kept with their raw fields, never dropped.
        let unknown = try XCTUnwrap(first("asterisk.unmapped"))
        XCTAssertEqual(unknown.data["verb"], .string("SOMENEWVERB"))
        XCTAssertEqual(unknown.data["raw"], .array(["x", "y"]))
        // An anonymous caller has no customer key.
        XCTAssertNil(first("contact.started", contact: "1772438800.51")?.customer)
        // Ids are unique.
        XCTAssertEqual(Set(e.map(\.id)).count, e.count)
    }

    /// Call ids are kept by their bytes, as the log keeps contacts: two calls
    /// whose ids are one text written two ways are two contacts, each started
    /// once and each with its own caller's customer.
    func testCallIDsWrittenTwoWaysAreTwoCalls() {
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        let text = "1772438400|caf\u{E9}|q|NONE|ENTERQUEUE||15550100\n1772438401|cafe\u{301}|q|NONE|ENTERQUEUE||15550199\n"
        let batch = importer.read(Array(text.utf8))
        XCTAssertEqual(batch.errors.map(\.description), [])
        let started = batch.events.filter { $0.kind.rawValue == "contact.started" }
        XCTAssertEqual(started.map { Array(($0.contact ?? "").utf8) }, [Array("caf\u{E9}".utf8), Array("cafe\u{301}".utf8)])
        XCTAssertEqual(started.map(\.customer), [testPseudonyms.customerKey("15550100"), testPseudonyms.customerKey("15550199")])
    }

    func testMalformedLinesAreAllReported() {
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        let batch = importer.read(Array("1772438400|x|q|NONE|ENTERQUEUE||1\nnot-a-time|x|q|a|CONNECT|1\n1772438400|x|q\n1772438400|x|q|a|CONNECT|soon\n".utf8))
        XCTAssertEqual(batch.errors.compactMap(\.line), [2, 3, 4])
        XCTAssertTrue(batch.errors[2].message.contains("seconds"), batch.errors[2].message)
    }
}

/// A flag one thread sets and another reads.
final class StopSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false
    var isOn: Bool { lock.withLock { on } }
    func turnOn() { lock.withLock { on = true } }
}

final class ImportCommandTests: XCTestCase {
    var dir = ""
    override func setUp() async {
        dir = NSTemporaryDirectory() + "journey-import-\(UUID().uuidString)"
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func events() throws -> [Event] {
        let store = try LogStore.openReadOnly(directory: dir)
        var out: [Event] = []
        try store.forEachEvent(origin: "north") { out.append($0); return true }
        return out
    }

    func testReimportAndGrownFileAppendOnlyWhatIsNew() async throws {
        let lines = try String(decoding: fixtureBytes("queue_log"), as: UTF8.self).split(separator: "\n")
        let file = dir + "-queue_log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try (lines.prefix(10).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let first = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", file])
        XCTAssertEqual(first.status, 0, first.stderr)
        let count = try events().count
        XCTAssertGreaterThan(count, 10)
        XCTAssertTrue(first.stdout.contains("contact.started"), first.stdout)
        let again = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", file])
        XCTAssertTrue(again.stdout.contains("stored 0 event(s)"), again.stdout)
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        _ = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", file])
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        XCTAssertEqual(try events().count, importer.read(try fixtureBytes("queue_log")).events.count)
    }

    func testMalformedInputStoresNothing() async throws {
        let file = dir + "-bad_log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "1772438400|c1|q|NONE|ENTERQUEUE||1\n1772438401|c1|q|a|CONNECT|x\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", file])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("line 2"), r.stderr)
        XCTAssertEqual(try events().count, 0)
    }

    func testFollowSurvivesGrowthRotationAndRestart() throws {
        let lines = try String(decoding: fixtureBytes("queue_log"), as: UTF8.self).split(separator: "\n").map { $0 + "\n" }
        let file = dir + "-followed_log"
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: file + ".1")
        }
        try lines[0..<8].joined().write(toFile: file, atomically: false, encoding: .utf8)
        let store = try LogStore.open(directory: dir)
        let follower = try QueueLogFollower(path: file, store: store)
        // No idle exit to race against: the test waits for each step's events, then stops the follower.
        let stopFlag = StopSwitch()
        follower.shouldStop = { stopFlag.isOn }
        follower.pollMilliseconds = 20
        let done = expectation(description: "follower stops when told")
        let box = ErrorBox()
        Thread.detachNewThread {
            do { try follower.run() } catch { box.error = error }
            done.fulfill()
        }
        func append(_ text: String, to path: String) throws {
            let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            try h.close()
        }
        /// Waits (bounded) until the store holds every event of the first `n` lines.
        func waitFor(lines n: Int) throws {
            var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
            let wanted = Set(importer.read(Array(lines[..<n].joined().utf8)).events.map(\.id))
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if Set(try events().map(\.id)).isSuperset(of: wanted) { return }
                Thread.sleep(forTimeInterval: 0.01)
            }
            XCTFail("the follower did not store the events of the first \(n) lines")
        }
        try waitFor(lines: 8)
        // A line written in two pieces is read only once complete.
        let half = lines[8].count / 2
        try append(String(lines[8].prefix(half)), to: file)
        Thread.sleep(forTimeInterval: 0.1)
        var first8 = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        XCTAssertEqual(try events().count, Set(first8.read(Array(lines[..<8].joined().utf8)).events.map(\.id)).count,
                       "half a line is not read")
        try append(String(lines[8].dropFirst(half)) + lines[9..<16].joined(), to: file)
        try waitFor(lines: 16)
        // Rotation: the old file is renamed (and still grows a little), a new one starts.
        try FileManager.default.moveItem(atPath: file, toPath: file + ".1")
        try append(String(lines[16]), to: file + ".1")
        try lines[17..<24].joined().write(toFile: file, atomically: false, encoding: .utf8)
        try waitFor(lines: 24)
        try append(lines[24...].joined(), to: file)
        try waitFor(lines: lines.count)
        stopFlag.turnOn()
        wait(for: [done], timeout: 20)
        XCTAssertNil(box.error)
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        let expected = importer.read(try fixtureBytes("queue_log")).events
        let stored = try events()
        XCTAssertEqual(stored.map(\.id).sorted(), expected.map(\.id).sorted())
        // Restart: resumes from its cursor, reads nothing twice.
        let restarted = try QueueLogFollower(path: file, store: store)
        restarted.idleExitSeconds = 0.3
        var appended = 0
        restarted.report = { _, r in appended += r.appended + r.duplicates }
        try restarted.run()
        XCTAssertEqual(appended, 0, "the cursor must resume after the last line read")
        XCTAssertEqual(try events().count, expected.count)
    }

    /// A follower that dies at any crash point of a chunk — before its events
    /// are stored, after they are stored but before its cursor is saved, after
    /// the cursor — resumes without losing or storing twice any event, and the
    /// calls keep their customers. Crashed at every growth step of the file,
    /// rotating through the crash points.
    func testAFollowerCrashedBetweenAppendAndCursorLosesNothing() throws {
        struct Crash: Error {}
        let lines = try String(decoding: fixtureBytes("queue_log"), as: UTF8.self).split(separator: "\n").map { $0 + "\n" }
        let file = dir + "-crash_log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let store = try LogStore.open(directory: dir)
        var crashes = 0
        for cut in stride(from: 3, through: lines.count, by: 4) {
            try lines[..<cut].joined().write(toFile: file, atomically: false, encoding: .utf8)
            let follower = try QueueLogFollower(path: file, store: store)
            follower.idleExitSeconds = 0.2
            let point = QueueLogFollower.CrashPoint.allCases[(cut / 4) % 3]
            follower.crashPoint = { if $0 == point { throw Crash() } }
            do { try follower.run() } catch is Crash { crashes += 1 }
        }
        XCTAssertGreaterThan(crashes, 5)
        let last = try QueueLogFollower(path: file, store: store)
        last.idleExitSeconds = 0.2
        try last.run()
        var importer = AsteriskQueueLog(site: "north", pseudonyms: try Pseudonyms.load(directory: dir))
        let expected = importer.read(Array(lines.joined().utf8)).events
        let stored = try events()
        XCTAssertEqual(stored.count, expected.count, "nothing stored twice, nothing lost")
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0.customer ?? "-") }),
                       Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0.customer ?? "-") }), "every event with its customer")
        store.close()
    }

    /// A follower restarted between a call's ENTERQUEUE and its later lines
    /// still gives those lines the call's customer: the call → customer map is
    /// saved with the cursor. Restarted at every line boundary.
    func testFollowerRestartedAtEveryLineKeepsCustomers() async throws {
        let testKeyFile = dir + "-pseudonym.key"
        try Checksum.hex([UInt8](0..<32)).write(toFile: testKeyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: testKeyFile) }
        let whole = try fixtureBytes("queue_log")
        let lines = String(decoding: whole, as: UTF8.self).split(separator: "\n").map { $0 + "\n" }
        var importer = AsteriskQueueLog(site: "north", pseudonyms: testPseudonyms)
        let expected = importer.read(whole).events
        XCTAssertGreaterThan(expected.filter { $0.customer != nil && $0.kind != .contactStarted && $0.kind != .queueEntered }.count, 0,
                             "the fixture has later lines that carry a customer")
        for cut in 1..<lines.count {
            let data = dir + "-restart-\(cut)"
            let initOutcome2 = await JourneyCLI.run(["init", "--data", data, "--site", "north", "--pseudonym-key", testKeyFile])
            XCTAssertEqual(initOutcome2.status, 0)
            let file = data + "-queue_log"
            defer {
                try? FileManager.default.removeItem(atPath: data)
                try? FileManager.default.removeItem(atPath: file)
            }
            try lines[..<cut].joined().write(toFile: file, atomically: false, encoding: .utf8)
            do {
                let store = try LogStore.open(directory: data)
                let first = try QueueLogFollower(path: file, store: store)
                first.idleExitSeconds = 0
                try first.run()
                store.close()
            }
            let h = try XCTUnwrap(FileHandle(forWritingAtPath: file))
            h.seekToEndOfFile()
            h.write(Data(lines[cut...].joined().utf8))
            try h.close()
            let store = try LogStore.open(directory: data)
            let second = try QueueLogFollower(path: file, store: store)
            second.idleExitSeconds = 0
            try second.run()
            var stored: [String: String?] = [:]
            try store.forEachEvent(origin: "north") { stored[$0.id] = $0.customer; return true }
            XCTAssertEqual(stored.count, expected.count, "restart after line \(cut)")
            for e in expected where stored[e.id] != .some(e.customer) {
                XCTFail("restart after line \(cut): \(e.id) has customer \(String(describing: stored[e.id])), expected \(String(describing: e.customer))")
            }
            store.close()
        }
    }

    func testConnectRedeliveryNewestWinsWithoutDuplicates() async throws {
        let file = fixtures.appendingPathComponent("import/connect-records.jsonl").path
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "connect", file])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("skipped line 1: an older delivery of contact c-100"), r.stdout)
        XCTAssertTrue(r.stdout.contains("channel TASK"), r.stdout)
        let stored = try events()
        let c100 = stored.filter { $0.contact == "c-100" }
        XCTAssertEqual(c100.map(\.kind.rawValue), ["contact.started", "queue.entered", "contact.answered", "contact.ended", "wrapup.done"])
        XCTAssertEqual(c100[2].data["waitMs"], .integer(40_000))
        XCTAssertEqual(c100[2].agent, "maria")
        XCTAssertEqual(c100[3].data["holdMs"], .integer(30_000))
        XCTAssertEqual(c100[3].data["holdCount"], .integer(1))
        XCTAssertEqual(c100[4].data["acwMs"], .integer(50_000))
        let chat = stored.filter { $0.contact == "c-101" }
        XCTAssertEqual(chat.map(\.kind), [.contactStarted, .queueEntered, .queueAbandoned, .contactEnded])
        XCTAssertEqual(chat[2].data["waitMs"], .integer(85_000))
        XCTAssertEqual(chat[0].channel, .chat)
        let transfer = stored.filter { $0.contact == "c-102" }
        XCTAssertEqual(transfer[0].data["previousContact"], .string("c-100"))
        XCTAssertEqual(transfer[0].data["initialContact"], .string("c-100"))
        XCTAssertEqual(transfer[0].customer, c100[0].customer, "the same caller in another format of number")
        XCTAssertTrue(transfer.contains { $0.kind == .contactTransferred && $0.data["to"] == .string("+15550999") })
        // Re-delivery of everything, and an older version alone: nothing new, nothing twice.
        let again = await JourneyCLI.run(["import", "--data", dir, "--format", "connect", file])
        XCTAssertTrue(again.stdout.contains("stored 0 event(s)"), again.stdout)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let older = dir + "-older.json"
        defer { try? FileManager.default.removeItem(atPath: older) }
        try ("[" + lines[0] + "]").write(toFile: older, atomically: true, encoding: .utf8)
        let old = await JourneyCLI.run(["import", "--data", dir, "--format", "connect", older])
        XCTAssertEqual(old.status, 0, old.stderr)
        XCTAssertTrue(old.stdout.contains("stored 0 event(s)"), old.stdout)
        XCTAssertEqual(try events().count, stored.count)
    }

    /// A record keeps its whole JSON under `data.record`, two levels below
    /// where it stood: a record nested to the limit a line may have makes an
    /// event whose own line could not be read back. The record is reported
    /// against its line; nothing of it reaches a store unreadable.
    func testARecordNestedToTheJSONLimitIsReportedNotStored() throws {
        let first = try fixtureBytes("connect-records.jsonl").split(separator: 0x0A)[0]
        var deep = "1"
        for _ in 0..<(JSONParser.depthMax - 1) { deep = #"{"a":"# + deep + "}" }
        let line = Array(first.dropLast()) + Array(#","Attributes":"#.utf8) + Array(deep.utf8) + [UInt8(ascii: "}")]
        XCTAssertNoThrow(try line.withUnsafeBufferPointer { try JSONParser.parse($0) }, "the record itself is within the limit")
        let batch = AmazonConnectRecords(site: "north", pseudonyms: testPseudonyms).read(line)
        XCTAssertTrue(batch.errors.contains { $0.line == 1 && $0.description.contains("nests") }, "\(batch.errors)")
        for e in batch.events {
            XCTAssertNoThrow(try EventCodec.decode(EventCodec.encode(e)), "every event kept has a line that reads back")
        }
        let shallow = Array(first.dropLast()) + Array(#","Attributes":{"a":{"a":1}}}"#.utf8)
        XCTAssertTrue(AmazonConnectRecords(site: "north", pseudonyms: testPseudonyms).read(shallow).errors.isEmpty)
    }

    func testCSVWithTheShippedColumnMap() async throws {
        let siteOutcome = await JourneyCLI.run(["site", "--data", dir, "--time-zone", "Asia/Jerusalem"])
        XCTAssertEqual(siteOutcome.status, 0)
        let map = repoRoot.appendingPathComponent("config/csv-maps/one-row-per-call.json").path
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", map,
                                fixtures.appendingPathComponent("import/calls.csv").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("skipped line 5: outcome PHANTOM is mapped to skip"), r.stdout)
        let stored = try events()
        let answered = stored.filter { $0.contact == "990101:AA0101:33118" }
        XCTAssertEqual(answered.map(\.kind), [.contactStarted, .ivrInput, .queueEntered, .contactAnswered, .contactEnded])
        // 990101 06:55:43 in Asia/Jerusalem (winter, +02:00) is 04:55:43 UTC.
        XCTAssertEqual(answered[3].at.rfc3339, "1999-01-01T04:55:43.000Z")
        XCTAssertEqual(answered[3].data["waitMs"], .integer(17_000))
        XCTAssertEqual(answered[3].agent, "MICHAL")
        XCTAssertEqual(answered[3].queue, "PS")
        XCTAssertEqual(answered[4].at.rfc3339, "1999-01-01T04:56:37.000Z", "talk ends at service end")
        let abandoned = stored.filter { $0.contact == "990101:AA0101:33116" }
        XCTAssertEqual(abandoned.first { $0.kind == .queueAbandoned }?.data["waitMs"], .integer(153_000))
        XCTAssertNil(stored.first { $0.contact == "990101:AA0101:33117" && $0.kind == .queueEntered }, "hung up in the IVR: never queued")
        XCTAssertNil(stored.first { $0.contact == "990101:AA0101:33120" }?.customer, "customer id 0 means unknown")
        XCTAssertEqual(stored.first { $0.contact == "990101:AA0101:33121" }?.customer, stored.first { $0.contact == "990101:AA0101:33116" }?.customer)
        XCTAssertNil(stored.first { $0.contact == "990101:AA0101:33116" && $0.kind == .contactEnded }?.agent, "NO_SERVER is no agent")
    }

    /// Importing the same CSV again stores nothing new: every event id is
    /// derived from the row, so the second run counts them all as duplicates.
    func testCSVReimportIsIdempotent() async throws {
        let map = repoRoot.appendingPathComponent("config/csv-maps/one-row-per-call.json").path
        let csv = fixtures.appendingPathComponent("import/calls.csv").path
        let first = await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", map, csv])
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try events()
        XCTAssertFalse(before.isEmpty)
        let second = await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", map, csv])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("stored 0 event(s), already held \(before.count)"), second.stdout)
        XCTAssertEqual(try events().count, before.count, "nothing stored twice")
    }

    func testCSVMapErrorsNameWhatToFix() async throws {
        let csv = fixtures.appendingPathComponent("import/calls.csv").path
        func tryMap(_ json: String) async throws -> JourneyCLI.Outcome {
            let path = dir + "-map-\(UUID().uuidString).json"
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", path, csv])
        }
        let base = #""format":"journeystore-csv-map","version":1"#
        let missing = try await tryMap("{\(base),\"columns\":{\"contact\":\"call_id\",\"outcome\":\"result\"}}")
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("lacks the column(s) result"), missing.stderr)
        let role = try await tryMap("{\(base),\"columns\":{\"contact\":\"call_id\",\"outcome\":\"outcome\",\"colour\":\"x\"}}")
        XCTAssertTrue(role.stderr.contains("unknown role 'colour'"), role.stderr)
        let noOutcome = try await tryMap("{\(base),\"columns\":{\"contact\":\"call_id\"}}")
        XCTAssertTrue(noOutcome.stderr.contains("needs the role 'outcome'"), noOutcome.stderr)
        // A misspelt key is refused, not ignored (the times would be read in the site's zone instead).
        let misspelt = try await tryMap("{\(base),\"timezone\":\"Asia/Jerusalem\",\"columns\":{\"contact\":\"call_id\",\"outcome\":\"outcome\"}}")
        XCTAssertEqual(misspelt.status, 3)
        XCTAssertTrue(misspelt.stderr.contains("unknown key 'timezone'"), misspelt.stderr)
        let commented = try await tryMap("{\(base),\"comment\":\"exported nightly\",\"columns\":{\"contact\":\"call_id\",\"outcome\":\"outcome\"},\"outcomes\":{\"AGENT\":\"answered\",\"HANG\":\"abandoned\",\"PHANTOM\":\"skip\"}}")
        XCTAssertFalse(commented.stderr.contains("column map"), commented.stderr)
        let listOfNumbers = try await tryMap("{\(base),\"columns\":{\"contact\":[1,2],\"outcome\":\"outcome\"}}")
        XCTAssertTrue(listOfNumbers.stderr.contains("'columns.contact' must be a column name or a list of them"), listOfNumbers.stderr)
        let badTimes = try await tryMap("{\(base),\"columns\":{\"contact\":\"call_id\",\"outcome\":\"outcome\",\"ivrStart\":\"vru_entry\"},\"outcomes\":{\"AGENT\":\"answered\",\"HANG\":\"abandoned\",\"PHANTOM\":\"skip\"}}")
        XCTAssertEqual(badTimes.status, 3, "times of day without a date column are not RFC 3339")
        XCTAssertTrue(badTimes.stderr.contains("is not a time"), badTimes.stderr)
        XCTAssertEqual(try events().count, 0)
    }
}

final class ErrorBox: @unchecked Sendable {
    var error: (any Error)?
}
