import Foundation
import JourneyCLI
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyTestSupport
import XCTest

/// The quirks of real contact-centre files, each as a small fixture that
/// reproduces it: call ids that repeat per VRU line and day, times after
/// midnight on the row's date, answered calls without a service start,
/// `NO_SERVER`, rows whose times cannot be ordered, refused and orphan
/// queue_log calls, a daylight-saving day. And: no caller identifier of any
/// fixture is stored anywhere in a store.
final class RealDataImportTests: XCTestCase {
    var dir = ""
    override func setUp() async {
        dir = NSTemporaryDirectory() + "journey-realdata-\(UUID().uuidString)"
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north", "--time-zone", "Asia/Jerusalem"])
        XCTAssertEqual(initOutcome.status, 0)
    }
    override func tearDown() { removeTestFiles(prefixedBy: dir) }

    static let header = "vru+line,call_id,customer_id,priority,type,date,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,outcome,ser_start,ser_exit,ser_time,server"
    var shippedMap: String { repoRoot.appendingPathComponent("config/csv-maps/one-row-per-call.json").path }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func importCSV(_ rows: [String], rejects: String? = nil, separator: String = ",") async throws -> JourneyCLI.Outcome {
        let text = ([Self.header] + rows).map { $0.replacingOccurrences(of: ",", with: separator) }.joined(separator: "\n") + "\n"
        let file = try write("calls-\(UUID().uuidString).csv", text)
        return await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", shippedMap, file] + (rejects.map { ["--rejects", $0] } ?? []))
    }

    func events() throws -> [Event] {
        let store = try LogStore.openReadOnly(directory: dir)
        var out: [Event] = []
        try store.forEachEvent(origin: "north") { out.append($0); return true }
        return out.filter { $0.kind != .siteConfigured }
    }

    // MARK: Keys

    /// The reproduction: call ids repeat per VRU line and day, and the ids
    /// built from call_id alone merged distinct calls as duplicates (44 % of
    /// a month lost, silently). Each (date, line, call id) is now a contact.
    func testRepeatingCallIDsOnOtherLinesAndDaysAreDistinctContacts() async throws {
        let r = try await importCSV([
            "AA0101,33116,9664491,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA",
            "AA0202,33116,1234567,2,PS,990801,11:00:00,11:00:05,5,11:00:05,11:00:10,5,AGENT,11:00:10,11:01:10,60,BEN",
            "AA0101,33116,7654321,2,PS,990802,12:00:00,12:00:05,5,12:00:05,12:01:05,60,HANG,0:00:00,0:00:00,0,NO_SERVER",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stored = try events()
        XCTAssertEqual(Set(stored.compactMap(\.contact)), ["990801:AA0101:33116", "990801:AA0202:33116", "990802:AA0101:33116"])
        XCTAssertEqual(stored.filter { $0.kind == .contactStarted }.count, 3)
        XCTAssertTrue(r.stdout.contains("stored \(stored.count) event(s), already held 0"), r.stdout)
    }

    /// One key with different content is never a silent duplicate: both
    /// lines are named; with --rejects both are set aside and the rest stored.
    func testOneKeyWithDifferentContentIsRefusedNamingBothLines() async throws {
        let rows = [
            "AA0101,33116,9664491,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA",
            "AA0101,33116,9664491,2,PS,990801,10:30:00,10:30:05,5,10:30:05,10:30:20,15,AGENT,10:30:20,10:33:20,180,ANNA",
            "AA0101,33117,9664491,2,PS,990801,11:00:00,11:00:05,5,11:00:05,11:00:20,15,AGENT,11:00:20,11:03:20,180,ANNA",
        ]
        let strict = try await importCSV(rows)
        XCTAssertEqual(strict.status, 3)
        XCTAssertTrue(strict.stderr.contains("line 2: ") && strict.stderr.contains("line 3"), strict.stderr)
        XCTAssertTrue(strict.stderr.contains("different content"), strict.stderr)
        XCTAssertEqual(try events().count, 0, "nothing stored without --rejects")
        let rejects = dir + "-rejects.csv"
        let lenient = try await importCSV(rows, rejects: rejects)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertEqual(Set(try events().compactMap(\.contact)), ["990801:AA0101:33117"])
        let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rejected.count, 3, "header and both rows")
        XCTAssertEqual(rejected.first, Substring(Self.header + ",reason"))
        XCTAssertTrue(rejected[1].hasPrefix(Substring(rows[0] + ",\"conflicting-key: ")) || rejected[1].hasPrefix(Substring(rows[0] + ",conflicting-key: ")), String(rejected[1]))
        XCTAssertTrue(lenient.stdout.contains("conflicting-key"), lenient.stdout)
    }

    /// An exact repeat of a row is the same fact: stored once, not an error.
    func testAnIdenticalRepeatedRowIsOneContact() async throws {
        let row = "AA0101,33116,9664491,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA"
        let r = try await importCSV([row, row])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try events().filter { $0.kind == .contactStarted }.count, 1)
    }

    // MARK: Times

    /// The reproduction: times after midnight were put on the row's date, so
    /// answers came ~24 h before the call and abandons had negative waits.
    func testTimesAfterMidnightRollToTheNextDay() async throws {
        let r = try await importCSV([
            // answered: queued before midnight, served after it
            "AA0101,1,0,2,PS,990801,23:59:40,23:59:50,10,23:59:50,0:00:10,20,AGENT,0:00:10,0:02:10,120,ANNA",
            // abandoned across midnight
            "AA0101,2,0,2,PS,990801,23:58:00,23:59:00,60,23:59:00,0:00:30,90,HANG,0:00:00,0:00:00,0,NO_SERVER",
            // a call entirely after midnight of its row's date stays on that date
            "AA0101,3,0,2,PS,990802,0:10:00,0:10:05,5,0:10:05,0:10:25,20,AGENT,0:10:25,0:11:25,60,ANNA",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stored = try events()
        func one(_ contact: String, _ kind: EventKind) throws -> Event {
            try XCTUnwrap(stored.first { $0.contact == contact && $0.kind == kind }, "\(contact) \(kind)")
        }
        // August in Jerusalem is +03:00: 00:00:10 local on 08-02 is 21:00:10 UTC on 08-01.
        XCTAssertEqual(try one("990801:AA0101:1", .contactAnswered).at.rfc3339, "1999-08-01T21:00:10.000Z")
        XCTAssertEqual(try one("990801:AA0101:1", .contactAnswered).data["waitMs"], .integer(20_000))
        XCTAssertEqual(try one("990801:AA0101:1", .contactEnded).at.ms - (try one("990801:AA0101:1", .contactAnswered)).at.ms, 120_000, "talk = service end − service start")
        XCTAssertEqual(try one("990801:AA0101:2", .queueAbandoned).data["waitMs"], .integer(90_000))
        XCTAssertEqual(try one("990802:AA0101:3", .contactStarted).at.rfc3339, "1999-08-01T21:10:00.000Z")
    }

    /// The reproduction: talk ended at the latest time in the row, so an IVR
    /// exit logged an hour after service began added an hour of talk.
    func testTalkEndsAtServiceEnd() async throws {
        let r = try await importCSV(["AA0101,7,0,2,PS,990801,10:00:00,11:00:00,3600,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stored = try events()
        let answered = try XCTUnwrap(stored.first { $0.kind == .contactAnswered }), ended = try XCTUnwrap(stored.first { $0.kind == .contactEnded })
        XCTAssertEqual(ended.at.ms - answered.at.ms, 180_000)
    }

    /// Without a date column times are RFC 3339 instants and are not rolled:
    /// an answer before the call's start is refused naming the column.
    func testAnAnswerBeforeTheStartIsRefused() async throws {
        let map = try write("rfc-map.json", #"{"format":"journeystore-csv-map","version":2,"columns":{"contact":"id","outcome":"o","ivrStart":"s","serviceStart":"a","serviceEnd":"e"}}"#)
        let file = try write("rfc.csv", "id,o,s,a,e\nk1,answered,2026-03-02T10:00:00Z,2026-03-02T09:59:00Z,2026-03-02T10:05:00Z\n")
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", map, file])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("line 2: column a is before s"), r.stderr)
    }

    /// A call whose IVR entry is missing (`0:00:00`) starts at its earliest time.
    func testAMissingFirstTimeStartsTheCallAtItsEarliestTime() async throws {
        let r = try await importCSV(["AA0101,8,0,2,PS,990801,0:00:00,0:00:03,3,0:00:04,0:00:20,16,AGENT,0:00:20,0:01:20,60,ANNA"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try events().first { $0.kind == .contactStarted }?.at.rfc3339, "1999-07-31T21:00:03.000Z")
    }

    /// Rows whose times cannot be ordered are malformed, naming the column;
    /// an answered call without a service start too. With --rejects they are
    /// set aside with their reason, counted per reason, and the rest stored.
    func testUnorderableAndIncompleteRowsAreRejectedNamingTheColumn() async throws {
        let good = "AA0101,1,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA"
        let cases: [(row: String, column: String, code: String)] = [
            ("AA0101,2,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,0:00:00,0:00:00,0,ANNA", "ser_start", "missing-time"),
            ("AA0101,3,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,9:03:20,0,ANNA", "ser_exit", "time-order"),
            ("AA0101,4,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:01,10:03:20,0,ANNA", "ser_start", "time-order"),
            ("AA0101,5,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:01,0,HANG,0:00:00,0:00:00,0,NO_SERVER", "q_exit", "time-order"),
            ("AA0101,6,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:61:01,0,HANG,0:00:00,0:00:00,0,NO_SERVER", "q_exit", "bad-time"),
        ]
        for c in cases {
            let r = try await importCSV([good, c.row])
            XCTAssertEqual(r.status, 3, c.row)
            XCTAssertTrue(r.stderr.contains("line 3: column \(c.column)"), "\(c.row): \(r.stderr)")
        }
        XCTAssertEqual(try events().count, 0)
        let rejects = dir + "-rejects.csv"
        let r = try await importCSV([good] + cases.map(\.row), rejects: rejects)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(Set(try events().compactMap(\.contact)), ["990801:AA0101:1"])
        let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rejected.count, cases.count)
        for (line, c) in zip(rejected, cases) {
            XCTAssertTrue(line.hasPrefix(Substring(c.row + ",")), String(line))
            XCTAssertTrue(line.contains("\(c.code): column \(c.column)"), String(line))
        }
        XCTAssertTrue(r.stdout.contains("missing-time"), r.stdout)
        XCTAssertTrue(r.stdout.contains("rejected 5"), r.stdout)
    }

    /// The separator is detected from the header: the public files are
    /// tab-separated as often as comma-separated.
    func testTabSeparatedFileWithTheShippedMap() async throws {
        let r = try await importCSV(["AA0101,1,0,2,PS,990801,10:00:00,10:00:05,5,10:00:05,10:00:20,15,AGENT,10:00:20,10:03:20,180,ANNA"], separator: "\t")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try events().first { $0.kind == .contactAnswered }?.agent, "ANNA")
    }

    /// The day the clocks go forward in Jerusalem (2026-03-27, 02:00 → 03:00):
    /// a call across the change lasts its real length, and a local time in
    /// the skipped hour lands just after it.
    func testADaylightSavingChangeDay() async throws {
        let r = try await importCSV([
            "AA0101,1,0,2,PS,260327,1:59:00,1:59:30,30,1:59:30,3:00:30,30,AGENT,3:00:30,3:01:30,60,ANNA",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let answered = try XCTUnwrap(try events().first { $0.kind == .contactAnswered })
        XCTAssertEqual(answered.data["waitMs"], .integer(60_000), "01:59:30 +02:00 to 03:00:30 +03:00 is one minute")
        XCTAssertEqual(answered.at.rfc3339, "2026-03-27T00:00:30.000Z")
        guard let zone = SiteTimeZone(identifier: "Asia/Jerusalem") else { return XCTFail("the system knows Asia/Jerusalem") }
        let day = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 27))
        XCTAssertEqual(zone.dayLengthMs(day), 23 * 3_600_000)
        XCTAssertEqual(zone.dayLengthMs(Int64(Timestamp.daysFromCivil(year: 2026, month: 10, day: 25))), 25 * 3_600_000)
        XCTAssertEqual(zone.utcMs(local: day * LocalDay.lengthMs + 150 * 60_000), zone.utcMs(local: day * LocalDay.lengthMs + 210 * 60_000),
                       "02:30 does not exist: read as 03:30")
        // A UTC+8 site's day boundary: 16:00 UTC is the next local midnight.
        guard let perth = SiteTimeZone(identifier: "Australia/Perth") else { return XCTFail("the system knows Australia/Perth") }
        let midnight = try XCTUnwrap(Timestamp(rfc3339: "2026-03-01T16:00:00Z")).ms
        XCTAssertEqual(perth.day(utc: midnight), Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2)))
        XCTAssertEqual(perth.day(utc: midnight - 1), Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 1)))
    }

    /// The zone is recorded in the site's own log (so it replicates), and
    /// a name that is not an IANA zone is refused.
    func testTheZoneIsAnEventOfTheSiteAndMustBeAZone() async throws {
        let store = try LogStore.openReadOnly(directory: dir)
        var settings: [Event] = []
        try store.forEachEvent(origin: "north") { e in
            if e.kind == .siteConfigured { settings.append(e) }
            return true
        }
        XCTAssertEqual(settings.map { $0.data["timeZone"] }, [.string("Asia/Jerusalem")])
        XCTAssertEqual(try SiteZones.load(store: store).current, SiteTimeZone(identifier: "Asia/Jerusalem"))
        let other = dir + "-other"
        defer { try? FileManager.default.removeItem(atPath: other) }
        for bad in ["+02:00", "GMT+2", "Mars/Olympus"] {
            let r = await JourneyCLI.run(["init", "--data", other, "--site", "east", "--time-zone", bad])
            XCTAssertEqual(r.status, 3, bad)
            XCTAssertTrue(r.stderr.contains("IANA"), r.stderr)
        }
        let change = await JourneyCLI.run(["site", "--data", dir, "--time-zone", "Europe/London", "--from", "2027-01-01T00:00:00Z"])
        XCTAssertEqual(change.status, 0, change.stderr)
        XCTAssertTrue(change.stdout.contains("Europe/London from 2027-01-01T00:00:00.000Z"), change.stdout)
        let zones = try SiteZones.load(store: try LogStore.openReadOnly(directory: dir))
        XCTAssertEqual(zones.zone(atUTC: 0).description, "Asia/Jerusalem")
        XCTAssertEqual(zones.current.description, "Europe/London")
    }

    // MARK: Figures against an independent computation

    /// A seeded month-like file in the public layout (tab-separated, call ids
    /// repeating across lines and days, calls across midnight, NO_SERVER,
    /// customer 0, PHANTOM rows, IVR hang-ups) imported with the shipped map:
    /// every site figure and each local day's offered calls equal a
    /// computation made here from the generated values, not from the file.
    func testImportedFiguresEqualAnIndependentComputation() async throws {
        struct Call { var day: Int64; var queueStart: Int64?; var wait: Int64; var talk: Int64?; var abandoned: Bool }
        var rng = SplitMix64(seed: 14)
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func hms(_ s: Int64) -> String {
            let t = s % 86_400
            return "\(t / 3600):" + String(format: "%02d:%02d", t / 60 % 60, t % 60)
        }
        var rows: [String] = [], calls: [Call] = []
        var keys = Set<String>()
        let firstDay = Int64(Timestamp.daysFromCivil(year: 1999, month: 8, day: 1))
        while rows.count < 1500 {
            let d = r(3), line = "AA010\(1 + r(4))", id = 30_000 + r(400)
            guard keys.insert("\(d):\(line):\(id)").inserted else { continue }
            // A tenth of the calls start in the last five minutes before midnight.
            var t = Int64(r(10) == 0 ? 86_100 + r(290) : 25_200 + r(57_000))
            let entry = t
            t += Int64(1 + r(30))
            let vruExit = t
            let kind = r(20)
            let customer = r(3) == 0 ? "0" : String(1_000_000 + r(500))
            var fields = [line, String(id), customer, String(r(3)), ["PS", "NE", "IN"][r(3)], String(format: "9908%02d", 1 + d),
                          hms(entry), hms(vruExit), String(vruExit - entry)]
            func avoidMidnight(_ x: Int64) -> Int64 { x % 86_400 == 0 ? x + 1 : x }
            if kind == 0 {  // phantom
                fields += ["0:00:00", "0:00:00", "0", "PHANTOM", "0:00:00", "0:00:00", "0", "NO_SERVER"]
            } else if kind == 1 {  // hung up in the IVR: never queued
                fields += ["0:00:00", "0:00:00", "0", "HANG", "0:00:00", "0:00:00", "0", "NO_SERVER"]
            } else {
                let qStart = avoidMidnight(vruExit)
                let wait = Int64(r(4) == 0 ? r(8) : r(300))
                let qExit = avoidMidnight(qStart + wait)
                let day = firstDay + Int64(d) + qStart / 86_400
                if r(3) == 0 {
                    fields += [hms(qStart), hms(qExit), String(wait), "HANG", "0:00:00", "0:00:00", "0", "NO_SERVER"]
                    calls.append(Call(day: day, queueStart: qStart, wait: qExit - qStart, talk: nil, abandoned: true))
                } else {
                    let serStart = avoidMidnight(qExit + Int64(r(3)))
                    let serExit = avoidMidnight(serStart + Int64(10 + r(900)))
                    fields += [hms(qStart), hms(qExit), String(wait), "AGENT", hms(serStart), hms(serExit), String(serExit - serStart),
                               ["ANNA", "BEN", "NO_SERVER"][r(3)]]
                    calls.append(Call(day: day, queueStart: qStart, wait: serStart - qStart, talk: serExit - serStart, abandoned: false))
                }
            }
            rows.append(fields.joined(separator: ","))
        }
        let rejects = dir + "-rejects.csv"
        let r0 = try await importCSV(rows, rejects: rejects, separator: "\t")
        XCTAssertEqual(r0.status, 0, r0.stderr)
        XCTAssertEqual(try String(contentsOfFile: rejects, encoding: .utf8), "", "nothing in this file is malformed")
        let rebuildOutcome = await JourneyCLI.run(["rebuild", "--data", dir])
        XCTAssertEqual(rebuildOutcome.status, 0)

        let answered = calls.filter { !$0.abandoned }, abandoned = calls.filter { $0.abandoned && $0.wait >= 5 }
        let short = calls.filter { $0.abandoned && $0.wait < 5 }
        let inSL = answered.filter { $0.wait <= 20 }.count
        let site = await JourneyCLI.run(["query", "sites", "--data", dir, "--json"])
        XCTAssertEqual(site.status, 0, site.stderr)
        let o = try JSONParser.parse(Array(site.stdout.utf8)).objectValue
        guard case .array(let siteRows)? = o?["rows"], let row = siteRows.first?.objectValue else { return XCTFail(site.stdout) }
        XCTAssertEqual(row["offered"], .integer(Int64(calls.count)))
        XCTAssertEqual(row["answered"], .integer(Int64(answered.count)))
        XCTAssertEqual(row["abandoned"], .integer(Int64(abandoned.count)))
        XCTAssertEqual(row["shortAbandoned"], .integer(Int64(short.count)))
        XCTAssertEqual(row["serviceLevel"]?.doubleValue ?? -1, Double(inSL) / Double(answered.count + abandoned.count), accuracy: 1e-4)
        XCTAssertEqual(row["asa"]?.doubleValue ?? -1, Double(answered.map(\.wait).reduce(0, +)) / Double(answered.count), accuracy: 1e-3)
        XCTAssertEqual(row["aht"]?.doubleValue ?? -1, Double(answered.compactMap(\.talk).reduce(0, +)) / Double(answered.count), accuracy: 1e-3)
        XCTAssertEqual(row["occupancy"], .null, "no agent states in a call-by-call file")
        // Each local day's offered calls: a call queued after midnight is on the next day.
        let perDay = Dictionary(grouping: calls, by: \.day).mapValues(\.count)
        XCTAssertGreaterThan(perDay.count, 3, "calls queued after the last date's midnight make a fourth day")
        for (day, count) in perDay {
            let date = Timestamp.dateString(day: day)
            let q = await JourneyCLI.run(["query", "intervals", "--data", dir, "--from", date, "--to", date, "--json", "--limit", "1000"])
            let rows = try JSONParser.parse(Array(q.stdout.utf8)).objectValue?["rows"]
            guard case .array(let list)? = rows else { return XCTFail(q.stdout) }
            XCTAssertEqual(list.compactMap { $0.objectValue?["offered"]?.intValue }.reduce(0, +), Int64(count), date)
        }
    }

    // MARK: Caller identifiers

    /// No raw caller identifier of any fixture is stored anywhere in the
    /// store: not in the log (decoded), not in any file of the data
    /// directory, not in the projection; and the customer keys still join
    /// one caller across formats of their number.
    func testNoCallerIdentifierIsStoredInClear() async throws {
        for (format, name) in [("asterisk", "queue_log"), ("connect", "connect-records.jsonl")] {
            let r = await JourneyCLI.run(["import", "--data", dir, "--format", format, fixtures.appendingPathComponent("import/\(name)").path])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let csv = await JourneyCLI.run(["import", "--data", dir, "--format", "csv", "--map", shippedMap, fixtures.appendingPathComponent("import/calls.csv").path])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let rebuildOutcome2 = await JourneyCLI.run(["rebuild", "--data", dir])
        XCTAssertEqual(rebuildOutcome2.status, 0)
        let cat = await JourneyCLI.run(["cat", "--data", dir])
        XCTAssertEqual(cat.status, 0, cat.stderr)
        var haystacks = [cat.stdout]
        let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
        for f in files {
            if let d = FileManager.default.contents(atPath: dir + "/" + f) { haystacks.append(String(decoding: d, as: UTF8.self)) }
        }
        let callerIDs = ["555-0100", "5550100", "555 0100", "15550199", "15550142", "15550123", "15550155", "visitor-77", "9664491", "27997683"]
        for id in callerIDs {
            XCTAssertFalse(haystacks.contains { $0.contains(id) }, "caller id \(id) is stored in clear")
        }
        let stored = try events()
        XCTAssertGreaterThan(stored.filter { $0.customer != nil }.count, 10, "customers are still keyed")
        let asterisk = stored.first { $0.contact == "1772438400.11" && $0.kind == .contactStarted }?.customer
        let connect = stored.first { $0.contact == "c-100" && $0.kind == .contactStarted }?.customer
        XCTAssertNotNil(asterisk)
        XCTAssertEqual(asterisk, connect, "'+1 555-0100' in queue_log and '+15550100' in Connect are one caller")
    }

    /// The customer key is a keyed hash: without the key, hashing the number
    /// does not give it; another province's key gives another key.
    func testCustomerKeysNeedThePseudonymKey() async throws {
        let a = try Pseudonyms(key: Array(repeating: 1, count: 32)), b = try Pseudonyms(key: Array(repeating: 2, count: 32))
        XCTAssertEqual(a.customerKey("+1 (555) 010-0"), a.customerKey("15550100"))
        XCTAssertEqual(a.customerKey("0015550100"), a.customerKey("+15550100"))
        XCTAssertEqual(a.customerKey("Ann@Example.com"), a.customerKey("ann@example.com"))
        XCTAssertNotEqual(a.customerKey("15550100"), b.customerKey("15550100"))
        XCTAssertNil(a.customerKey("anonymous"))
        XCTAssertNil(a.customerKey("000"))
        let digest = Array("15550100".utf8).withUnsafeBytes { Checksum.sha256([$0]) }
        XCTAssertNotEqual(a.customerKey("15550100"), "cu-" + Checksum.hex(digest.prefix(8)), "not the old unkeyed SHA-256")
        // Two stores of one province share the key; a store without one cannot import callers.
        let keyFile = try write("province.key", Checksum.hex([UInt8](repeating: 9, count: 32)) + "\n")
        let east = dir + "-east"
        defer { try? FileManager.default.removeItem(atPath: east) }
        let initOutcome2 = await JourneyCLI.run(["init", "--data", east, "--site", "east", "--pseudonym-key", keyFile])
        XCTAssertEqual(initOutcome2.status, 0)
        XCTAssertEqual(try String(contentsOfFile: east + "/keys/pseudonym.key", encoding: .utf8), Checksum.hex([UInt8](repeating: 9, count: 32)) + "\n")
        try FileManager.default.removeItem(atPath: east + "/keys/pseudonym.key")
        let r = await JourneyCLI.run(["import", "--data", east, "--format", "asterisk", fixtures.appendingPathComponent("import/queue_log").path])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("--pseudonym-key"), r.stderr)
        let install = await JourneyCLI.run(["site", "--data", east, "--pseudonym-key", keyFile])
        XCTAssertEqual(install.status, 0, install.stderr)
        let other = try write("other.key", Checksum.hex([UInt8](repeating: 8, count: 32)))
        let replace = await JourneyCLI.run(["site", "--data", east, "--pseudonym-key", other])
        XCTAssertNotEqual(replace.status, 0, "a different key is never swapped in")
    }

    // MARK: Asterisk: refused and orphan calls

    /// FULL, JOINEMPTY, JOINUNAVAIL and CLOSED are calls the queue refused:
    /// `queue.refused` with a reason, never `asterisk.unmapped`. An ABANDON
    /// whose ENTERQUEUE was in an earlier file is stored and counted as an
    /// orphan in the report.
    func testRefusedAndOrphanCalls() async throws {
        let log = try write("refused_log", [
            "1772438400|r1|billing|NONE|FULL|1|1",
            "1772438401|r2|billing|NONE|JOINEMPTY|1|1",
            "1772438402|r3|billing|NONE|JOINUNAVAIL|1|1",
            "1772438403|r4|billing|NONE|CLOSED|1|1",
            "1772438500|o1|billing|NONE|ABANDON|2|1|35",
        ].joined(separator: "\n") + "\n")
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", log])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stored = try events()
        XCTAssertEqual(stored.filter { $0.kind == .queueRefused }.compactMap { $0.data["reason"]?.stringValue },
                       ["full", "no-agents", "no-agents-available", "closed"])
        XCTAssertEqual(stored.filter { $0.kind == .contactStarted }.count, 4)
        XCTAssertFalse(stored.contains { $0.kind.rawValue == "asterisk.unmapped" })
        XCTAssertTrue(r.stdout.contains("1 queue event(s) of calls whose ENTERQUEUE is not in this input"), r.stdout)
    }

    // MARK: --rejects on the line formats

    /// A follower with --rejects sets a malformed line aside and goes on;
    /// without it, it stops before that line (exit 3).
    func testAFollowerWithRejectsGoesOnPastAMalformedLine() async throws {
        let log = try write("followed_log", "1772438400|c1|q|NONE|ENTERQUEUE||1\n1772438401|c1|q|a|CONNECT|x\n1772438402|c1|q|a|COMPLETECALLER|1|60|1\n")
        let strict = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", "--follow", "--idle-exit", "0.3", log])
        XCTAssertEqual(strict.status, 3, strict.stdout + strict.stderr)
        let rejects = dir + "-follow-rejects.jsonl"
        let r = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", "--follow", "--idle-exit", "0.3", "--rejects", rejects, log])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(try events().contains { $0.contact == "c1" && $0.kind == .contactEnded })
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(try JSONParser.parse(Array(lines[0].utf8)).objectValue?["line"], .integer(2))
    }

    func testRejectsForAppendAsteriskAndConnect() async throws {
        let jsonl = try write("events.jsonl", [
            #"{"id":"a","at":"2026-03-02T08:00:00Z","kind":"note.x"}"#,
            #"{"id":"b","at":"not a time","kind":"note.x"}"#,
            #"{"id":"c","at":"2026-03-02T08:00:01Z","kind":"note.x"}"#,
        ].joined(separator: "\n") + "\n")
        let rejects = dir + "-rejects.jsonl"
        let a = await JourneyCLI.run(["append", "--data", dir, "--rejects", rejects, jsonl])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(try events().map(\.id), ["a", "c"])
        var lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        var o = try JSONParser.parse(Array(lines[0].utf8))
        XCTAssertEqual(o.objectValue?["line"], .integer(2))
        XCTAssertEqual(o.objectValue?["input"], .string(#"{"id":"b","at":"not a time","kind":"note.x"}"#))

        let qlog = try write("q_log", "1772438400|c1|q|NONE|ENTERQUEUE||1\n1772438401|c1|q|a|CONNECT|x\n1772438402|c1|q|a|COMPLETECALLER|1|60|1\n")
        let q = await JourneyCLI.run(["import", "--data", dir, "--format", "asterisk", "--rejects", rejects, qlog])
        XCTAssertEqual(q.status, 0, q.stderr)
        lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "the file holds this run's rejects only")
        o = try JSONParser.parse(Array(lines[0].utf8))
        XCTAssertEqual(o.objectValue?["line"], .integer(2))
        XCTAssertEqual(o.objectValue?["input"], .string("1772438401|c1|q|a|CONNECT|x"))
        XCTAssertTrue(try events().contains { $0.contact == "c1" && $0.kind == .contactEnded })

        let connect = try write("c.json", #"[{"ContactId":"k1","InitiationTimestamp":"2026-03-02T08:00:00Z"},{"ContactId":"k2","InitiationTimestamp":"yesterday"}]"#)
        let c = await JourneyCLI.run(["import", "--data", dir, "--format", "connect", "--rejects", rejects, connect])
        XCTAssertEqual(c.status, 0, c.stderr)
        lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        o = try JSONParser.parse(Array(lines[0].utf8))
        XCTAssertEqual(o.objectValue?["line"], .integer(2))
        XCTAssertEqual(o.objectValue?["input"]?.objectValue?["ContactId"], .string("k2"))
        XCTAssertTrue(try events().contains { $0.contact == "k1" })
    }
}

private extension JSONParser {
    static func parse(_ bytes: [UInt8]) throws -> JSONValue { try bytes.withUnsafeBufferPointer { try parse($0) } }
}

private extension JSONValue {
    var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
}
