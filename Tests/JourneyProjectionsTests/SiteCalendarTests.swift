import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyProjections
import XCTest

/// Days and intervals in each site's own calendar (its recorded IANA zone,
/// daylight saving included), refused and orphan calls, and figures whose
/// inputs are absent reported as unknown rather than as a number.
final class SiteCalendarTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-calendar-\(UUID().uuidString)" }
    override func tearDown() {
        for suffix in ["", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite.lock"] { try? FileManager.default.removeItem(atPath: dir + suffix) }
    }

    func store(site: String = "north", zone: String?) throws -> LogStore {
        let s = try LogStore.create(directory: dir, site: site)
        if let zone, let z = SiteTimeZone(identifier: zone) {
            _ = try s.append([SiteZones.event(site: site, zone: z, effective: nil, recordedAt: Timestamp(ms: 0))])
        }
        return s
    }

    var n = 0
    func call(_ s: LogStore, _ contact: String, enter: String, wait: Int64 = 10, talk: Int64 = 60, queue: String = "billing") throws {
        guard let t = Timestamp(rfc3339: enter) else { return XCTFail("bad time \(enter)") }
        func ev(_ kind: EventKind, _ ms: Int64, agent: String? = nil, data: JSONObject = [:]) -> Event {
            n += 1
            return Event(site: s.site, id: "e\(n)", at: Timestamp(ms: ms), kind: kind, contact: contact, channel: .voice, queue: queue, agent: agent, data: data)
        }
        _ = try s.append([
            ev(.contactStarted, t.ms), ev(.queueEntered, t.ms),
            ev(.contactAnswered, t.ms + wait * 1000, agent: "ann", data: ["waitMs": .integer(wait * 1000)]),
            ev(.contactEnded, t.ms + (wait + talk) * 1000, agent: "ann"),
        ])
    }

    /// A UTC+8 site's day begins at 16:00 UTC: a call at 15:59 UTC is on the
    /// previous local day, one at 16:00 on the next; interval starts are
    /// printed with the site's offset.
    func testAUTCPlus8SitesDaysBeginAtItsMidnight() throws {
        let s = try store(zone: "Australia/Perth")
        try call(s, "before", enter: "2026-03-01T15:59:00Z")
        try call(s, "after", enter: "2026-03-01T16:00:00Z")
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        let rows = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(try rows.values("start"), [.string("2026-03-01T23:30:00.000+08:00"), .string("2026-03-02T00:00:00.000+08:00")])
        var f = ProjectionQuery.Filter()
        f.fromDay = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2))
        f.toDay = f.fromDay
        XCTAssertEqual(try engine.query(.intervals(f)).values("offered"), [.integer(1)], "only the call after local midnight is on 03-02")
        XCTAssertEqual(engine.horizonDay(site: "north"), Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2)))
    }

    /// The days the clocks change in Jerusalem have 46 and 50 half-hour
    /// intervals: one call every 30 minutes of real time over each whole
    /// local day lands in distinct intervals, none lost, none merged.
    func testDaylightSavingDaysHave46And50Intervals() throws {
        let s = try store(zone: "Asia/Jerusalem")
        guard let zone = SiteTimeZone(identifier: "Asia/Jerusalem") else { return XCTFail("no Asia/Jerusalem") }
        var expected: [Int64: Int] = [:]
        for (y, m, d) in [(2026, 3, 27), (2026, 10, 25)] {
            let day = Int64(Timestamp.daysFromCivil(year: y, month: m, day: d))
            var t = zone.dayStartUTC(day) + 5 * 60_000
            var count = 0
            while t < zone.dayStartUTC(day + 1) {
                try call(s, "c\(day)-\(count)", enter: Timestamp(ms: t).rfc3339)
                t += 30 * 60_000
                count += 1
            }
            expected[day] = count
        }
        XCTAssertEqual(Array(expected.values).sorted(), [46, 50])
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        for (day, count) in expected {
            var f = ProjectionQuery.Filter()
            f.fromDay = day
            f.toDay = day
            let rows = try engine.query(.intervals(f))
            XCTAssertEqual(rows.rows.count, count, Timestamp.dateString(day: day))
            XCTAssertEqual(Set(try rows.values("start").compactMap(\.stringValue)).count, count, "no two intervals share a start")
            XCTAssertTrue(try rows.values("offered").allSatisfy { $0 == .integer(1) })
        }
    }

    /// A zone recorded after the site's events were projected re-projects
    /// them in the new calendar (the zone says where the site always was).
    func testAZoneRecordedLaterReprojectsTheSite() throws {
        let s = try store(zone: nil)
        try call(s, "late", enter: "2026-03-01T23:30:00Z")
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.query(.intervals(ProjectionQuery.Filter())).values("start"), [.string("2026-03-01T23:30:00.000Z")])
        guard let paris = SiteTimeZone(identifier: "Europe/Paris") else { return XCTFail("no Europe/Paris") }
        _ = try s.append([SiteZones.event(site: "north", zone: paris, effective: nil, recordedAt: Timestamp(ms: 1))])
        try engine.catchUp(from: s)
        let rows = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(try rows.values("start"), [.string("2026-03-02T00:30:00.000+01:00")])
        XCTAssertEqual(try rows.values("offered"), [.integer(1)], "re-projected once, not counted twice")
        var f = ProjectionQuery.Filter()
        f.fromDay = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2))
        f.toDay = f.fromDay
        XCTAssertEqual(try engine.query(.intervals(f)).values("offered"), [.integer(1)], "on the local day 03-02, not the UTC day 03-01")
        // A second engine on the same file agrees, and a rebuild gives the same.
        let other = try ProjectionEngine(path: dir + ".sqlite")
        try other.rebuild(from: s)
        XCTAssertEqual(try other.query(.intervals(ProjectionQuery.Filter())).values("start"), [.string("2026-03-02T00:30:00.000+01:00")])
    }

    /// Refused calls are contacts with outcome `refused`, counted in the
    /// `refused` column of interval and site rows and not in offered, SL or
    /// abandon rate.
    func testRefusedCallsAreCountedApartFromOffered() throws {
        let s = try store(zone: nil)
        try call(s, "ok", enter: "2026-03-02T09:00:00Z")
        _ = try s.append([
            Event(site: "north", id: "r1s", at: Timestamp(ms: (Timestamp(rfc3339: "2026-03-02T09:05:00Z")?.ms ?? 0)), kind: .contactStarted, contact: "r1", channel: .voice),
            Event(site: "north", id: "r1r", at: Timestamp(ms: (Timestamp(rfc3339: "2026-03-02T09:05:00Z")?.ms ?? 0)), kind: .queueRefused, contact: "r1", channel: .voice,
                  queue: "billing", data: ["reason": "full"]),
        ])
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        let interval = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(try interval.values("offered"), [.integer(1)])
        XCTAssertEqual(try interval.values("refused"), [.integer(1)])
        XCTAssertEqual(try interval.values("serviceLevel"), [.integer(1)])
        XCTAssertEqual(try interval.values("abandonRate"), [.integer(0)])
        let site = try engine.query(.sites(ProjectionQuery.Filter()))
        XCTAssertEqual(try site.values("refused"), [.integer(1)])
        XCTAssertEqual(try site.values("offered"), [.integer(1)])
        var f = ProjectionQuery.Filter()
        f.outcome = "refused"
        XCTAssertEqual(try engine.query(.contacts(f)).values("contact"), [.string("r1")])
    }

    /// An ABANDON whose ENTERQUEUE is in an earlier file imported later is
    /// counted once the two meet: one visit, offered 1, abandoned 1.
    func testAnOrphanAbandonJoinsItsEntryImportedLater() throws {
        let s = try store(zone: nil)
        let key = try Pseudonyms(key: Array(repeating: 3, count: 32))
        var later = AsteriskQueueLog(site: "north", pseudonyms: key)
        let abandon = later.read(Array("1772438535|o1|billing|NONE|ABANDON|2|1|35\n1772438535|o1|billing|NONE|EXITEMPTY|2|1|35\n".utf8))
        XCTAssertEqual(abandon.errors.map(\.description), [])
        XCTAssertEqual(abandon.notes.count, 1, "reported as orphan")
        _ = try s.append(Array(abandon.events.prefix(2)))
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.query(.intervals(ProjectionQuery.Filter())).values("abandoned"), [.integer(1)], "counted before its entry arrives")
        var earlier = AsteriskQueueLog(site: "north", pseudonyms: key)
        _ = try s.append(earlier.read(Array("1772438500|o1|billing|NONE|ENTERQUEUE||15550100|1\n".utf8)).events)
        try engine.catchUp(from: s)
        let rows = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(try rows.values("offered"), [.integer(1)])
        XCTAssertEqual(try rows.values("abandoned"), [.integer(1)])
        let fresh = try ProjectionEngine(path: dir + "-2.sqlite")
        defer { for x in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: dir + "-2.sqlite" + x) } }
        try fresh.rebuild(from: s)
        XCTAssertEqual(try fresh.query(.intervals(ProjectionQuery.Filter())).rows, rows.rows, "incremental and rebuild agree")
    }

    /// Occupancy without any agent state is unknown, not 1.0.
    func testOccupancyWithoutAgentStatesIsUnknown() throws {
        let s = try store(zone: nil)
        // Two calls: the agent is busy from the first answer on, and no state says when they were idle.
        try call(s, "c1", enter: "2026-03-02T09:00:00Z")
        try call(s, "c2", enter: "2026-03-02T09:30:00Z")
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.query(.agents(ProjectionQuery.Filter(), sort: nil)).values("occupancy"), [.null])
        XCTAssertEqual(try engine.query(.sites(ProjectionQuery.Filter())).values("occupancy"), [.null])
        XCTAssertEqual(try engine.query(.sites(ProjectionQuery.Filter())).values("csat"), [.null], "no surveys: unknown")
        // With states recorded (login and ready before the call) it is a figure again.
        let statesDir = dir + "-b"
        defer { for x in ["", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite.lock"] { try? FileManager.default.removeItem(atPath: statesDir + x) } }
        let b = try LogStore.create(directory: statesDir, site: "north")
        let at = Timestamp(ms: (Timestamp(rfc3339: "2026-03-02T08:50:00Z")?.ms ?? 0))
        _ = try b.append([Event(site: "north", id: "l", at: at, kind: .agentLogin, agent: "ann"),
                          Event(site: "north", id: "r", at: at, kind: .agentReady, agent: "ann")])
        try call(b, "c1", enter: "2026-03-02T09:00:00Z")
        let withStates = try ProjectionEngine(path: statesDir + ".sqlite")
        try withStates.catchUp(from: b)
        XCTAssertNotEqual(try withStates.query(.agents(ProjectionQuery.Filter(), sort: nil)).values("occupancy"), [.null])
    }
}
