import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyTestSupport
import XCTest

/// Every KPI on small cases whose figures are worked out by hand in the comments.
final class KPITests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-kpi-\(UUID().uuidString)" }
    override func tearDown() { removeTestFiles(prefixedBy: dir) }

    /// 2026-03-02 (a Monday) at hh:mm:ss UTC, plus `days`.
    func t(_ hms: String, days: Int = 0) -> String {
        let base = Timestamp(rfc3339: "2026-03-02T\(hms)Z")?.ms ?? 0
        return Timestamp(ms: base + Int64(days) * LocalDay.lengthMs).rfc3339
    }

    var n = 0
    func e(_ kind: String, _ at: String, contact: String? = nil, customer: String? = nil, channel: String? = "voice",
           queue: String? = nil, agent: String? = nil, data: String = "{}") -> String {
        n += 1
        var parts = [#""id":"e\#(n)""#, #""at":"\#(at)""#, #""kind":"\#(kind)""#]
        if let contact { parts.append(#""contact":"\#(contact)""#) }
        if let customer { parts.append(#""customer":"\#(customer)""#) }
        if let channel, contact != nil { parts.append(#""channel":"\#(channel)""#) }
        if let queue { parts.append(#""queue":"\#(queue)""#) }
        if let agent { parts.append(#""agent":"\#(agent)""#) }
        parts.append(#""data":\#(data)"#)
        return "{" + parts.joined(separator: ",") + "}"
    }

    func store(_ site: String, _ lines: [String]) throws -> LogStore {
        let s = try LogStore.create(directory: dir + "-" + site, site: site)
        let events = lines.map { try? EventCodec.decode($0, options: .init(defaultSite: site)) }
        XCTAssertFalse(events.contains { $0 == nil }, "a test event does not decode")
        _ = try s.append(events.compactMap { $0 })
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(atPath: dir + "-" + site) }
        return s
    }

    /// One answered call, from queue entry to wrap-up, with a hold.
    func answered(_ c: String, customer: String, queue: String = "billing", agent: String, enter: String, wait: Int, talk: Int,
                  hold: Int = 0, acw: Int = 30, resolved: Bool = true, day: Int = 0, channel: String = "voice") -> [String] {
        let base = (Timestamp(rfc3339: t(enter, days: day))?.ms ?? 0)
        func at(_ s: Int) -> String { Timestamp(ms: base + Int64(s) * 1000).rfc3339 }
        var out = [
            e("contact.started", at(-20), contact: c, customer: customer, channel: channel),
            e("queue.entered", at(0), contact: c, customer: customer, channel: channel, queue: queue),
            e("contact.answered", at(wait), contact: c, customer: customer, channel: channel, queue: queue, agent: agent,
              data: #"{"waitMs":\#(wait * 1000)}"#),
        ]
        if hold > 0 {
            out.append(e("contact.held", at(wait + 10), contact: c, customer: customer, channel: channel, queue: queue, agent: agent))
            out.append(e("contact.resumed", at(wait + 10 + hold), contact: c, customer: customer, channel: channel, queue: queue, agent: agent))
        }
        out.append(e("contact.ended", at(wait + talk + hold), contact: c, customer: customer, channel: channel, queue: queue, agent: agent,
                     data: #"{"by":"customer"}"#))
        out.append(e("wrapup.done", at(wait + talk + hold + acw), contact: c, customer: customer, channel: channel, queue: queue, agent: agent,
                     data: #"{"acwMs":\#(acw * 1000),"resolved":\#(resolved)}"#))
        return out
    }

    func testIntervalFiguresServiceLevelASAAbandonsAndAHT() throws {
        // 08:00–08:30 billing: c1 answered after 10 s (in SL), c2 after 30 s (not), c3 abandoned after 40 s,
        // c4 abandoned after 3 s (short: out of SL and abandon rate). c5 enters at 08:30 → next interval.
        var lines = answered("c1", customer: "k1", agent: "a1", enter: "08:05:00", wait: 10, talk: 200, hold: 30, acw: 40)
        lines += answered("c2", customer: "k2", agent: "a2", enter: "08:10:00", wait: 30, talk: 100, acw: 20)
        lines += [e("contact.started", t("08:11:00"), contact: "c3", customer: "k3"),
                  e("queue.entered", t("08:11:00"), contact: "c3", customer: "k3", queue: "billing"),
                  e("queue.abandoned", t("08:11:40"), contact: "c3", customer: "k3", queue: "billing", data: #"{"waitMs":40000}"#),
                  e("contact.ended", t("08:11:40"), contact: "c3", customer: "k3", queue: "billing", data: #"{"by":"customer"}"#)]
        lines += [e("contact.started", t("08:12:00"), contact: "c4", customer: "k4"),
                  e("queue.entered", t("08:12:00"), contact: "c4", customer: "k4", queue: "billing"),
                  e("queue.abandoned", t("08:12:03"), contact: "c4", customer: "k4", queue: "billing", data: #"{"waitMs":3000}"#),
                  e("contact.ended", t("08:12:03"), contact: "c4", customer: "k4", queue: "billing", data: #"{"by":"customer"}"#)]
        lines += answered("c5", customer: "k5", agent: "a1", enter: "08:30:00", wait: 5, talk: 60)
        let s = try store("a", lines)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        var f = ProjectionQuery.Filter()
        f.queue = "billing"
        let r = try engine.query(.intervals(f))
        XCTAssertEqual(r.rows.count, 2)
        XCTAssertEqual(r.value("start", row: 0), .string("2026-03-02T08:00:00.000Z"))
        XCTAssertEqual(r.value("offered", row: 0), .integer(4))
        XCTAssertEqual(r.value("answered", row: 0), .integer(2))
        XCTAssertEqual(r.value("abandoned", row: 0), .integer(1))
        XCTAssertEqual(r.value("shortAbandoned", row: 0), .integer(1))
        // SL = answered within 20 s / (answered + abandoned) = 1 / 3.
        XCTAssertEqual(r.value("serviceLevel", row: 0)?.doubleValue ?? 0, 1.0 / 3, accuracy: 1e-4)
        // ASA = (10 + 30) / 2 = 20 s.
        XCTAssertEqual(r.value("asa", row: 0)?.doubleValue, 20)
        // AHT = ((200 + 30 hold + 40 acw) + (100 + 20)) / 2 = 195 s.
        XCTAssertEqual(r.value("aht", row: 0)?.doubleValue, 195)
        // Abandon rate = 1 / (4 − 1 short) = 1/3.
        XCTAssertEqual(r.value("abandonRate", row: 0)?.doubleValue ?? 0, 1.0 / 3, accuracy: 1e-4)
        XCTAssertEqual(r.value("offered", row: 1), .integer(1))
        // Contact outcomes.
        var cf = ProjectionQuery.Filter()
        cf.limit = 10
        let contacts = try engine.query(.contacts(cf))
        let outcomes = Dictionary(uniqueKeysWithValues: contacts.rows.indices.map {
            (contacts.value("contact", row: $0)?.stringValue ?? "", contacts.value("outcome", row: $0)?.stringValue ?? "")
        })
        XCTAssertEqual(outcomes, ["c1": "answered", "c2": "answered", "c3": "abandoned", "c4": "short-abandon", "c5": "answered"])
        let c1 = try XCTUnwrap(try contacts.values("contact").firstIndex(of: .string("c1")))
        XCTAssertEqual(contacts.value("holdSeconds", row: c1), .integer(30))
        XCTAssertEqual(contacts.value("talkSeconds", row: c1), .integer(200))
    }

    func testTransfersRepeatsFCRPendingAndCSATAcrossSites() throws {
        // Site a. k1: c1 (agent a1, day 0, ends 09:05:20) then c2 three hours later at site b by chat → c2 repeats c1,
        // charged to a1. k2: c3 (a1) with no later contact, its window elapses before the horizon → FCR ok.
        // k3: c4 (a2) transferred to technical, answered there by a3 → a2 transfer rate 1, a3 closes it.
        // k4: c5 (a1) on day 3, within 72 h of the horizon, no repeat → pending, not in FCR.
        var a = answered("c1", customer: "k1", agent: "a1", enter: "09:00:00", wait: 5, talk: 300, resolved: false)
        a += answered("c3", customer: "k2", agent: "a1", enter: "10:00:00", wait: 5, talk: 100)
        a += [e("contact.started", t("11:00:00"), contact: "c4", customer: "k3"),
              e("queue.entered", t("11:00:00"), contact: "c4", customer: "k3", queue: "billing"),
              e("contact.answered", t("11:00:10"), contact: "c4", customer: "k3", queue: "billing", agent: "a2", data: #"{"waitMs":10000}"#),
              e("contact.transferred", t("11:02:10"), contact: "c4", customer: "k3", queue: "billing", agent: "a2",
                data: #"{"toQueue":"technical","mode":"blind"}"#),
              e("wrapup.done", t("11:02:40"), contact: "c4", customer: "k3", queue: "billing", agent: "a2", data: #"{"acwMs":30000}"#),
              e("queue.entered", t("11:02:11"), contact: "c4", customer: "k3", queue: "technical"),
              e("contact.answered", t("11:03:11"), contact: "c4", customer: "k3", queue: "technical", agent: "a3", data: #"{"waitMs":60000}"#),
              e("contact.ended", t("11:08:11"), contact: "c4", customer: "k3", queue: "technical", agent: "a3", data: #"{"by":"agent"}"#),
              e("wrapup.done", t("11:08:41"), contact: "c4", customer: "k3", queue: "technical", agent: "a3",
                data: #"{"acwMs":30000,"resolved":true}"#),
              e("survey.answered", t("11:20:00"), contact: "c4", customer: "k3", queue: "technical", agent: "a3", data: #"{"csat":5,"nps":10}"#),
              e("survey.answered", t("12:00:00"), contact: "c3", customer: "k2", queue: "billing", agent: "a1", data: #"{"csat":2,"nps":3}"#),
              // NPS-only answers: site a's NPS answers are 10, 3, 9, 7 → (2 promoters − 1 detractor) / 4 = 25 points.
              e("survey.answered", t("12:10:00"), contact: "c1", customer: "k1", queue: "billing", agent: "a1", data: #"{"nps":9}"#)]
        a += answered("c5", customer: "k4", agent: "a1", enter: "12:00:00", wait: 5, talk: 100, day: 3)
        a.append(e("survey.answered", t("12:30:00", days: 3), contact: "c5", customer: "k4", queue: "billing", agent: "a1", data: #"{"nps":7}"#))
        let siteA = try store("a", a)
        let siteB = try store("b", answered("c2", customer: "k1", agent: "b1", enter: "12:05:20", wait: 5, talk: 100, channel: "chat"))
        // One node holding both origins: a's own log plus b's blocks as replicated.
        let node = siteA
        if let snap = siteB.snapshot(origin: "b") {
            for i in snap.blocks.indices { try node.appendReplicated(try snap.block(at: i), publicKey: siteB.publicKey) }
        }
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: node)
        // Horizon: c5's wrap-up on day 3 at 12:02:15, after c3 and c4's windows (day 3, 10:01 and 11:08) closed.
        var cf = ProjectionQuery.Filter()
        cf.customer = "k1"
        let journey = try engine.query(.journey(customer: "k1"))
        XCTAssertEqual(try journey.values("contact"), [.string("c1"), .string("c2")])
        XCTAssertEqual(journey.value("repeatOf", row: 1), .string("c1"), "a chat at another site within 72 h is a repeat")
        XCTAssertEqual(journey.value("repeated", row: 0), .bool(true))
        XCTAssertEqual(journey.value("site", row: 1), .string("b"))
        let sites = try engine.query(.sites(ProjectionQuery.Filter()))
        XCTAssertEqual(try sites.values("site"), [.string("a"), .string("b")])
        XCTAssertEqual(try sites.values("nps"), [.integer(25), .null], "b has no NPS answers: unknown")
        let agents = try engine.query(.agents(ProjectionQuery.Filter(), sort: nil))
        func figure(_ agent: String, _ column: String) -> JSONValue? {
            ((try? agents.values("agent")) ?? []).firstIndex(of: .string(agent)).flatMap { agents.value(column, row: $0) }
        }
        // a1 closed c1 (repeated), c3 (elapsed, no repeat), c5 (pending): FCR = 1 ok / 2 elapsed = 0.5; repeat rate = 1/3.
        XCTAssertEqual(figure("a1", "handled"), .integer(3))
        XCTAssertEqual(figure("a1", "fcr"), .number("0.5"))
        XCTAssertEqual(figure("a1", "repeatRate")?.doubleValue ?? 0, 1.0 / 3, accuracy: 1e-4)
        XCTAssertEqual(figure("a1", "csat"), .integer(0), "one survey, scored 2")
        // a2 handled c4's first leg and transferred it: transfer rate 1; a3 closed it and got a 5.
        XCTAssertEqual(figure("a2", "transferRate"), .integer(1))
        XCTAssertEqual(figure("a3", "csat"), .integer(1))
        XCTAssertEqual(figure("a3", "fcr"), .integer(1))
        // The transferred contact made two queue visits: billing and technical.
        let intervals = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(Set(try intervals.values("queue")), [.string("billing"), .string("technical")])
        let c5 = try engine.query(.journey(customer: "k4"))
        XCTAssertEqual(c5.value("repeated", row: 0), .string("pending"))
        // The report carries the position vector.
        XCTAssertEqual(agents.positions, ["a": UInt64(a.count), "b": 5])
    }

    func testOccupancyNotReadyAndMissedOffersFromWorkforceEvents() throws {
        // a1: login 08:00, ready 08:00, offered+answered 08:10, ready 08:20 (busy 10 min), not ready 08:40 (break),
        // ready 08:55, logout 09:00. Ready idle = 10 + 20 + 5 = 35 min; busy 10 min → occupancy 10/45.
        let w = [e("agent.login", t("08:00:00"), agent: "a1"), e("agent.ready", t("08:00:00"), agent: "a1"),
                 e("agent.missed", t("08:05:00"), contact: "c9", customer: "k9", queue: "billing", agent: "a1", data: #"{"ringMs":15000}"#),
                 e("contact.answered", t("08:10:00"), contact: "c1", customer: "k1", queue: "billing", agent: "a1", data: #"{"waitMs":1000}"#),
                 e("contact.ended", t("08:15:00"), contact: "c1", customer: "k1", queue: "billing", agent: "a1", data: #"{"by":"agent"}"#),
                 e("agent.ready", t("08:20:00"), agent: "a1"), e("agent.notready", t("08:40:00"), agent: "a1", data: #"{"reason":"break"}"#),
                 e("agent.ready", t("08:55:00"), agent: "a1"), e("agent.logout", t("09:00:00"), agent: "a1")]
        let s = try store("a", w)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        let agents = try engine.query(.agents(ProjectionQuery.Filter(), sort: nil))
        XCTAssertEqual(agents.value("occupancy", row: 0)?.doubleValue ?? 0, 10.0 / 45, accuracy: 1e-4)
        XCTAssertEqual(agents.value("notReadyMinutes", row: 0), .integer(15))
        XCTAssertEqual(agents.value("missed", row: 0), .integer(1))
        // Logged-in agents per interval: 08:00–08:30 fully logged in = 1 agent; but the agent has no skills on record,
        // so per-queue staffing counts no one: skills come from agent.assigned.
        let intervals = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(intervals.value("loggedAgents", row: 0), .integer(0))
    }

    func testSelfServiceContainment() throws {
        // k1: app session self-served, nothing after → contained. k2: self-served, then calls 1 h later → not contained.
        // k3: app session ending without self-service → a session, not contained.
        var lines = [e("contact.started", t("08:00:00"), contact: "s1", customer: "k1", channel: "app"),
                     e("contact.selfserved", t("08:02:00"), contact: "s1", customer: "k1", channel: "app"),
                     e("contact.ended", t("08:02:01"), contact: "s1", customer: "k1", channel: "app"),
                     e("contact.started", t("08:00:00"), contact: "s2", customer: "k2", channel: "web"),
                     e("contact.selfserved", t("08:03:00"), contact: "s2", customer: "k2", channel: "web"),
                     e("contact.ended", t("08:03:01"), contact: "s2", customer: "k2", channel: "web"),
                     e("contact.started", t("08:10:00"), contact: "s3", customer: "k3", channel: "app"),
                     e("contact.ended", t("08:12:00"), contact: "s3", customer: "k3", channel: "app")]
        lines += answered("c2", customer: "k2", agent: "a1", enter: "09:03:00", wait: 5, talk: 60)
        let s = try store("a", lines)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        let sites = try engine.query(.sites(ProjectionQuery.Filter()))
        XCTAssertEqual(sites.value("selfServiceSessions", row: 0), .integer(3))
        XCTAssertEqual(sites.value("containment", row: 0)?.doubleValue ?? 0, 1.0 / 3, accuracy: 1e-4)
    }

    func testSiteTimeZoneShiftsIntervalsAndDays() throws {
        var p = KPIParameters()
        p.siteUTCOffsetMinutes = ["a": 60]
        p.intervalMinutes = 15
        let s = try store("a", answered("c1", customer: "k1", agent: "a1", enter: "23:20:00", wait: 5, talk: 60))
        let engine = try ProjectionEngine(path: dir + ".sqlite", parameters: p)
        try engine.catchUp(from: s)
        let r = try engine.query(.intervals(ProjectionQuery.Filter()))
        // 23:20 UTC is 00:20 local on the next day: interval 00:15 local.
        XCTAssertEqual(r.value("start", row: 0), .string("2026-03-03T00:15:00.000+01:00"))
        var f = ProjectionQuery.Filter()
        f.fromDay = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 3))
        XCTAssertEqual(try engine.query(.intervals(f)).rows.count, 1)
    }

    /// A contact's FCR is pending until its window closes; when only the horizon
    /// moves (a later, unrelated event), an incremental catch-up must close it too.
    func testPendingWindowsCloseWhenOnlyTheHorizonMoves() throws {
        let s = try store("a", answered("c1", customer: "k1", agent: "a1", enter: "09:00:00", wait: 5, talk: 100))
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.query(.agents(ProjectionQuery.Filter(), sort: nil)).value("fcr", row: 0), .null, "still pending")
        _ = try s.append([try EventCodec.decode(e("agent.login", t("09:00:00", days: 5), agent: "a9"), options: .init(defaultSite: "a"))])
        // A new process: nothing of c1 in memory, so only the horizon can reopen its day.
        let restarted = try ProjectionEngine(path: dir + ".sqlite")
        try restarted.catchUp(from: s)
        XCTAssertEqual(try restarted.query(.agents(ProjectionQuery.Filter(), sort: nil)).value("fcr", row: 0), .integer(1))
        let rebuilt = try ProjectionEngine(path: dir + "-rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: s)
        XCTAssertEqual(try restarted.canonicalDump(), try rebuilt.canonicalDump())
    }

    /// A repeat does not settle its first contact's FCR before the window has
    /// closed: counting early repeats without their unrepeated peers pulled the
    /// newest days' FCR to 0. Before any window closes every FCR is unknown (null),
    /// per agent and per site; once the horizon passes both windows,
    /// the repeated contact counts as a failure and the other as a success.
    func testARepeatDoesNotSettleFCRBeforeItsWindowCloses() throws {
        // k1: c1 (a1) at 09:00, repeated by c2 (a2) at 12:00; k2: c3 (a1) at 10:00, no repeat.
        var lines = answered("c1", customer: "k1", agent: "a1", enter: "09:00:00", wait: 5, talk: 100)
        lines += answered("c3", customer: "k2", agent: "a1", enter: "10:00:00", wait: 5, talk: 100)
        lines += answered("c2", customer: "k1", agent: "a2", enter: "12:00:00", wait: 5, talk: 100)
        let s = try store("a", lines)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        let agents = try engine.query(.agents(ProjectionQuery.Filter(), sort: nil))
        XCTAssertEqual(try agents.values("agent"), [.string("a1"), .string("a2")])
        XCTAssertEqual(try agents.values("fcr"), [.null, .null], "no window has closed: unknown, not 0")
        XCTAssertEqual(agents.value("repeatRate", row: 0), .number("0.5"), "the repeat itself is a fact at once")
        XCTAssertEqual(try engine.query(.sites(ProjectionQuery.Filter())).value("fcr", row: 0), .null)
        // Four days later (an unrelated login moves the horizon), every window has closed: a1 1 of 2, a2 1 of 1.
        _ = try s.append([try EventCodec.decode(e("agent.login", t("09:00:00", days: 4), agent: "a9"), options: .init(defaultSite: "a"))])
        try engine.catchUp(from: s)
        let later = try engine.query(.agents(ProjectionQuery.Filter(), sort: nil))
        XCTAssertEqual(try later.values("fcr"), [.number("0.5"), .integer(1)])
        XCTAssertEqual(try engine.query(.sites(ProjectionQuery.Filter())).value("fcr", row: 0)?.doubleValue ?? -1, 2.0 / 3, accuracy: 1e-4)
        let rebuilt = try ProjectionEngine(path: dir + "-rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: s)
        XCTAssertEqual(try engine.canonicalDump(), try rebuilt.canonicalDump())
    }

        func testParametersFileIsValidated() {
        XCTAssertEqual(try KPIParameters.parse(#"{"serviceLevelSeconds":30,"intervalMinutes":15}"#).serviceLevelSeconds, 30)
        XCTAssertThrowsError(try KPIParameters.parse(#"{"intervalMinutes":20}"#))
        XCTAssertThrowsError(try KPIParameters.parse(#"{"slaSeconds":20}"#)) { XCTAssertTrue("\($0)".contains("slaSeconds")) }
    }

    /// SL(T) counts a wait of exactly T as within: answered with wait ≤ T / (answered + abandoned).
    /// Three calls in one interval wait 19, 20 and 21 s (T = 20): SL = 2/3.
    func testServiceLevelCountsAWaitOfExactlyTAsWithin() throws {
        var lines: [String] = []
        for (i, wait) in [19, 20, 21].enumerated() {
            lines += answered("s\(i)", customer: "k\(i)", agent: "a\(i)", enter: "09:0\(i):00", wait: wait, talk: 60)
        }
        let engine = try ProjectionEngine(path: dir + "-sl.sqlite")
        try engine.catchUp(from: try store("a", lines))
        let r = try engine.query(.intervals(ProjectionQuery.Filter()))
        XCTAssertEqual(r.rows.count, 1)
        let answeredColumn = try r.column("answered"), slColumn = try r.column("serviceLevel")
        XCTAssertEqual(r.rows.first?[answeredColumn], .integer(3))
        XCTAssertEqual(r.rows.first?[slColumn].doubleValue ?? -1, 2.0 / 3, accuracy: 1e-4, "waits of 19 and 20 s are within 20 s, 21 s is not")
    }

    /// Every contact outcome of docs/kpi-definitions.md, each from its own case.
    func testEveryContactOutcome() throws {
        var lines = answered("answered", customer: "k1", agent: "a1", enter: "08:00:00", wait: 5, talk: 60)
        // Answered, then transferred, and nothing answered it again → transferred.
        lines += [e("contact.started", t("08:10:00"), contact: "xfer", customer: "k2"),
                  e("queue.entered", t("08:10:00"), contact: "xfer", customer: "k2", queue: "billing"),
                  e("contact.answered", t("08:10:05"), contact: "xfer", customer: "k2", queue: "billing", agent: "a1", data: #"{"waitMs":5000}"#),
                  e("contact.transferred", t("08:12:00"), contact: "xfer", customer: "k2", queue: "billing", agent: "a1", data: #"{"mode":"blind"}"#)]
        // Transferred, then answered again in the next queue → answered.
        lines += [e("contact.started", t("08:20:00"), contact: "again", customer: "k3"),
                  e("queue.entered", t("08:20:00"), contact: "again", customer: "k3", queue: "billing"),
                  e("contact.answered", t("08:20:05"), contact: "again", customer: "k3", queue: "billing", agent: "a1", data: #"{"waitMs":5000}"#),
                  e("contact.transferred", t("08:21:00"), contact: "again", customer: "k3", queue: "billing", agent: "a1"),
                  e("queue.entered", t("08:21:00"), contact: "again", customer: "k3", queue: "tech"),
                  e("contact.answered", t("08:21:30"), contact: "again", customer: "k3", queue: "tech", agent: "a2", data: #"{"waitMs":30000}"#),
                  e("contact.ended", t("08:25:00"), contact: "again", customer: "k3", queue: "tech", agent: "a2")]
        // Ended without queueing (an IVR hang-up) → ended; queued with nothing after → open; self-served → selfserved.
        lines += [e("contact.started", t("08:30:00"), contact: "ivr", customer: "k4", channel: "ivr"),
                  e("contact.ended", t("08:31:00"), contact: "ivr", customer: "k4", channel: "ivr", data: #"{"by":"customer"}"#),
                  e("contact.started", t("08:40:00"), contact: "waiting", customer: "k5"),
                  e("queue.entered", t("08:40:00"), contact: "waiting", customer: "k5", queue: "billing"),
                  e("contact.started", t("08:50:00"), contact: "self", customer: "k6", channel: "app"),
                  e("contact.selfserved", t("08:52:00"), contact: "self", customer: "k6", channel: "app"),
                  e("contact.ended", t("08:52:01"), contact: "self", customer: "k6", channel: "app")]
        let engine = try ProjectionEngine(path: dir + "-outcomes.sqlite")
        try engine.catchUp(from: try store("a", lines))
        var f = ProjectionQuery.Filter()
        f.limit = 100
        let r = try engine.query(.contacts(f))
        let contact = try r.column("contact"), outcome = try r.column("outcome")
        let outcomes = Dictionary(uniqueKeysWithValues: r.rows.map { ($0[contact].stringValue ?? "", $0[outcome].stringValue ?? "") })
        XCTAssertEqual(outcomes, ["answered": "answered", "xfer": "transferred", "again": "answered", "ivr": "ended",
                                  "waiting": "open", "self": "selfserved"])
    }

    /// `repeatOf` names the latest earlier contact that ended within W, not the first;
    /// customer health = 100 − penalty × recency, with the penalty of docs/kpi-definitions.md.
    func testRepeatOfIsTheLatestAndCustomerHealthFollowsItsFormula() throws {
        // k9: r1 ends 08:01:30 (unresolved), r2 ends 09:01:30, r3 starts 10:00 → r2 repeats r1, r3 repeats r2 (not r1).
        var lines = answered("r1", customer: "k9", agent: "a1", enter: "08:00:00", wait: 5, talk: 60, acw: 30, resolved: false)
        lines += answered("r2", customer: "k9", agent: "a1", enter: "09:00:00", wait: 5, talk: 60)
        lines += answered("r3", customer: "k9", agent: "a2", enter: "10:00:00", wait: 5, talk: 60)
        let s = try store("a", lines)
        let engine = try ProjectionEngine(path: dir + "-health.sqlite")
        try engine.catchUp(from: s)
        let journey = try engine.query(.journey(customer: "k9"))
        let contact = try journey.column("contact"), repeatOf = try journey.column("repeatOf")
        let links = Dictionary(uniqueKeysWithValues: journey.rows.map { ($0[contact].stringValue ?? "", $0[repeatOf]) })
        XCTAssertEqual(links, ["r1": .null, "r2": .string("r1"), "r3": .string("r2")])
        // Penalty = 12 × 2 repeats + 8 × 1 unresolved + 25 × 0 (no surveys) = 32; last contact today → recency 1.
        var customers = try engine.query(.customers(minRepeats: 0, limit: 10))
        let health = try customers.column("health")
        XCTAssertEqual(customers.rows.first?[health].doubleValue, 68)
        // 45 days later another customer calls: the horizon moves, k9's recency is 0.5 → 100 − 16 = 84.
        _ = try s.append(try answered("late", customer: "k10", agent: "a1", enter: "08:00:00", wait: 5, talk: 60, day: 45)
            .map { try EventCodec.decode($0, options: .init(defaultSite: "a")) })
        try engine.catchUp(from: s)
        customers = try engine.query(.customers(minRepeats: 1, limit: 10))
        XCTAssertEqual(customers.rows.first?[health].doubleValue, 84)
    }

    /// Containment: a self-served session is contained only when the customer's next
    /// contact starts *after* the window (default 24 h) following the session's end.
    func testContainmentWindowBoundary() throws {
        var lines: [String] = []
        for (i, gap) in [86_400, 86_401].enumerated() {
            let k = "w\(i)"
            lines += [e("contact.started", t("08:00:00"), contact: "s\(i)", customer: k, channel: "web"),
                      e("contact.selfserved", t("08:01:00"), contact: "s\(i)", customer: k, channel: "web"),
                      e("contact.ended", t("08:01:00"), contact: "s\(i)", customer: k, channel: "web")]
            // An answered call starting `gap` seconds after the session ended (its start is 20 s before queue entry).
            lines += answered("v\(i)", customer: k, agent: "a1", enter: gap == 86_400 ? "08:01:20" : "08:01:21", wait: 5, talk: 60, day: 1)
        }
        let engine = try ProjectionEngine(path: dir + "-containment.sqlite")
        try engine.catchUp(from: try store("a", lines))
        // The follow-up calls are voice: not sessions themselves.
        let sites = try engine.query(.sites(ProjectionQuery.Filter()))
        XCTAssertEqual(sites.value("selfServiceSessions", row: 0), .integer(2))
        XCTAssertEqual(sites.value("containment", row: 0)?.doubleValue ?? -1, 0.5, accuracy: 1e-9,
                       "a call exactly 24 h later is within the window; one a second later is not")
    }

    /// Logged-in and ready agents per interval count the agent-time of agents skilled for the queue.
    func testLoggedInAndReadyAgentsCountSkilledAgentTime() throws {
        // a1 (skilled for billing): logged in 08:00–08:30, ready 08:15–08:30 → 1 logged in, 0.5 ready in 08:00–08:30.
        // a2 (skilled for tech only) logged in all the time: not counted for billing.
        var lines = [e("agent.assigned", t("07:00:00"), agent: "a1", data: #"{"site":"a","team":"t1","skills":["billing"]}"#),
                     e("agent.assigned", t("07:00:00"), agent: "a2", data: #"{"site":"a","team":"t1","skills":["tech"]}"#),
                     e("agent.login", t("08:00:00"), agent: "a1"), e("agent.login", t("08:00:00"), agent: "a2"),
                     e("agent.ready", t("08:15:00"), agent: "a1"), e("agent.ready", t("08:00:00"), agent: "a2"),
                     e("agent.logout", t("08:30:00"), agent: "a1"), e("agent.logout", t("08:30:00"), agent: "a2")]
        lines += answered("q1", customer: "k1", agent: "a3", enter: "08:05:00", wait: 5, talk: 60)
        let engine = try ProjectionEngine(path: dir + "-staffed.sqlite")
        try engine.catchUp(from: try store("a", lines))
        var f = ProjectionQuery.Filter()
        f.queue = "billing"
        let r = try engine.query(.intervals(f))
        XCTAssertEqual(r.rows.count, 1)
        XCTAssertEqual(r.value("loggedAgents", row: 0)?.doubleValue ?? -1, 1, accuracy: 1e-9)
        XCTAssertEqual(r.value("readyAgents", row: 0)?.doubleValue ?? -1, 0.5, accuracy: 1e-9)
    }

    /// Team trend and stability: the least-squares slope of weekly FCR and its
    /// (sample) standard deviation. Team t1 closes two contacts each Monday for
    /// three weeks; one of week 2's and one of week 3's are repeated (the repeats
    /// are handled by t2): weekly FCR 1, 0.5, 0.5 → slope −0.25 per week,
    /// SD = √(((1/3)² + (1/6)² + (1/6)²) / 2) = √(1/12) ≈ 0.2887, FCR 4/6.
    func testTeamTrendAndStabilityFromWeeklyFCR() throws {
        var lines = [e("agent.assigned", t("07:00:00"), agent: "a1", data: #"{"site":"a","team":"t1","skills":["billing"]}"#),
                     e("agent.assigned", t("07:00:00"), agent: "a2", data: #"{"site":"a","team":"t2","skills":["billing"]}"#)]
        for week in 0..<3 {
            for j in 0..<2 {
                lines += answered("w\(week)c\(j)", customer: "k\(week)-\(j)", agent: "a1", enter: "08:0\(j):00", wait: 5, talk: 60, day: 7 * week)
            }
            if week > 0 {
                lines += answered("r\(week)", customer: "k\(week)-0", agent: "a2", enter: "10:00:00", wait: 5, talk: 60, day: 7 * week)
            }
        }
        // A later contact moves the horizon past every window.
        lines += answered("late", customer: "k-late", agent: "a2", enter: "08:00:00", wait: 5, talk: 60, day: 35)
        let engine = try ProjectionEngine(path: dir + "-teams.sqlite")
        try engine.catchUp(from: try store("a", lines))
        let r = try engine.query(.teams(ProjectionQuery.Filter()))
        let team = try r.column("team")
        let t1 = try XCTUnwrap(r.rows.firstIndex { $0[team] == .string("t1") })
        XCTAssertEqual(r.rows[t1][try r.column("weeks")], .integer(3))
        XCTAssertEqual(r.rows[t1][try r.column("fcr")].doubleValue ?? -1, 4.0 / 6, accuracy: 1e-3)
        XCTAssertEqual(r.rows[t1][try r.column("fcrTrendPerWeek")].doubleValue ?? 0, -0.25, accuracy: 1e-3)
        XCTAssertEqual(r.rows[t1][try r.column("fcrStability")].doubleValue ?? -1, (1.0 / 12).squareRoot(), accuracy: 1e-3)
    }

    /// A contact that started before midnight and entered its queue after it
    /// has its visit (and the agent's day) on the next day. When a later
    /// contact of the customer makes it a repeat, the catch-up must re-derive
    /// the visit's day, not only the contact's: the agent's repeat count
    /// comes out as a rebuild gives it.
    func testALaterRepeatReDerivesTheDayOfAVisitAfterMidnight() throws {
        // c1 of k1: started 23:59:50 on day 0, queued 00:00:10 on day 1, answered by a1, ended 00:05:00.
        var lines = [e("contact.started", t("23:59:50"), contact: "c1", customer: "k1"),
                     e("queue.entered", t("00:00:10", days: 1), contact: "c1", customer: "k1", queue: "q"),
                     e("contact.answered", t("00:00:20", days: 1), contact: "c1", customer: "k1", queue: "q", agent: "a1", data: #"{"waitMs":10000}"#),
                     e("contact.ended", t("00:05:00", days: 1), contact: "c1", customer: "k1", queue: "q", agent: "a1")]
        let s = try store("m", lines)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.agentDayRows(ProjectionQuery.Filter()).map(\.repeated), [0])
        // c2 of k1 on day 2, within 72 h of c1's end: c1 is now repeated, on its visit's day 1.
        lines = [e("contact.started", t("10:00:00", days: 2), contact: "c2", customer: "k1"),
                 e("contact.ended", t("10:01:00", days: 2), contact: "c2", customer: "k1")]
        _ = try s.append(lines.map { try EventCodec.decode($0, options: .init(defaultSite: "m")) })
        try engine.catchUp(from: s)
        let day1 = try engine.agentDayRows(ProjectionQuery.Filter()).filter { $0.handled > 0 }
        XCTAssertEqual(day1.map(\.day), [UTCDay.of(t("00:00:10", days: 1))])
        XCTAssertEqual(day1.map(\.repeated), [1], "the visit's day was re-derived")
        let rebuilt = try ProjectionEngine(path: dir + "-rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: s)
        XCTAssertEqual(try engine.canonicalDump(), try rebuilt.canonicalDump())
    }

    /// A self-service session counts as contained unless the customer comes
    /// back to an assisted channel within the containment window (24 h,
    /// shorter than the repeat window). A call that arrives late in the log
    /// but happened within that window moves the session's next start while
    /// it stays a repeat either way: the session's day is derived again.
    func testALateCallWithinTheContainmentWindowReDerivesTheSessionsDay() throws {
        // An unrelated queued call gives the site its traffic row.
        var lines = answered("x1", customer: "k9", agent: "a1", enter: "10:00:00", wait: 5, talk: 60)
        lines += [e("contact.started", t("22:00:00"), contact: "s1", customer: "k1", channel: "app"),
                  e("contact.selfserved", t("22:10:00"), contact: "s1", customer: "k1", channel: "app"),
                  e("contact.ended", t("22:10:00"), contact: "s1", customer: "k1", channel: "app"),
                  // 36 h later: a repeat (within 72 h), but outside the 24 h containment window.
                  e("contact.started", t("10:10:00", days: 2), contact: "v2", customer: "k1"),
                  e("contact.ended", t("10:15:00", days: 2), contact: "v2", customer: "k1")]
        let s = try store("c", lines)
        let engine = try ProjectionEngine(path: dir + ".sqlite")
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.siteRows(ProjectionQuery.Filter()).first?.containment, 1)
        // Then the log receives a call made the next morning, within 24 h of the session.
        lines = [e("contact.started", t("09:00:00", days: 1), contact: "v1", customer: "k1"),
                 e("contact.ended", t("09:05:00", days: 1), contact: "v1", customer: "k1")]
        _ = try s.append(lines.map { try EventCodec.decode($0, options: .init(defaultSite: "c")) })
        try engine.catchUp(from: s)
        XCTAssertEqual(try engine.siteRows(ProjectionQuery.Filter()).first?.containment, 0, "the session's day was derived again")
        let rebuilt = try ProjectionEngine(path: dir + "-rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: s)
        XCTAssertEqual(try engine.canonicalDump(), try rebuilt.canonicalDump())
    }
}

/// A UTC day number of an RFC 3339 time, for tests.
enum UTCDay {
    static func of(_ rfc3339: String) -> Int64 { (Timestamp(rfc3339: rfc3339)?.ms ?? 0) / LocalDay.lengthMs }
}
