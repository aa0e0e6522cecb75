import Foundation
import GRDB
import JourneyIngest
import JourneyLog
import JourneyModel
@testable import JourneyProjections
import JourneyTestSupport
import XCTest

/// The repeat rule is derived in Swift per customer (sorted once) instead of
/// by correlated SQL per contact. Two independent checks: the Swift result
/// against a brute-force reading of the rule on random customers full of
/// ties and missing times, and a whole projection against the SQL that
/// derived it before (kept here as the oracle).
final class RepeatDerivationTests: XCTestCase {
    typealias C = ProjectionEngine.CustomerContact

    /// The rule, read literally: every other contact is a candidate.
    func bruteForce(_ cs: [C], windowMs: Int64) -> [(repeatOf: String?, nextStart: Int64?)] {
        cs.map { c in
            let next = c.endedAt.flatMap { e in cs.compactMap(\.startedAt).filter { $0 > e }.min() }
            var best: C?
            if let s = c.startedAt {
                for p in cs {
                    guard let ps = p.startedAt, let pe = p.endedAt, ps <= s, pe <= s, pe >= s - windowMs,
                          !(p.site == c.site && p.contact == c.contact) else { continue }
                    if let b = best, let be = b.endedAt {
                        let better = pe > be || (pe == be && (bytewiseLess(p.site, b.site) || (p.site == b.site && bytewiseLess(p.contact, b.contact))))
                        if !better { continue }
                    }
                    best = p
                }
            }
            return (best?.contact, next)
        }
    }

    func testSwiftRepeatsEqualTheRuleOnRandomCustomers() {
        var rng = SplitMix64(seed: 11)
        let window: Int64 = 100
        for round in 0..<3000 {
            let n = 1 + Int(rng.next() % 9)
            var cs: [C] = []
            for i in 0..<n {
                // Coarse times make ties common; some times are missing; ends may precede starts.
                let start: Int64? = rng.next() % 8 == 0 ? nil : Int64(rng.next() % 30) * 10
                let end: Int64? = rng.next() % 6 == 0 ? nil : (start ?? 0) + Int64(rng.next() % 8) * 10 - 10
                let site = ["a", "b", "B", "é"][Int(rng.next() % 4)]
                cs.append(C(site: site, contact: "c\(rng.next() % 4)-\(i % 3)", startedAt: start, endedAt: end, channel: nil,
                            resolved: nil, csat: nil, day: nil, repeatOf: nil, nextStart: nil))
            }
            // Same (site, contact) twice cannot happen in a table with that key.
            var seen = Set<String>()
            cs = cs.filter { seen.insert($0.site + "/" + $0.contact).inserted }
            let swift = ProjectionEngine.repeats(of: cs, windowMs: window)
            let rule = bruteForce(cs, windowMs: window)
            for i in cs.indices {
                XCTAssertEqual(swift[i].repeatOf, rule[i].repeatOf, "round \(round), contact \(i) of \(cs)")
                XCTAssertEqual(swift[i].nextStart, rule[i].nextStart, "round \(round), contact \(i) of \(cs)")
            }
        }
    }

    /// A simulated two-centre projection: the derived columns and customer
    /// rows equal what the former SQL computes from the same base rows.
    func testAProjectionEqualsTheFormerSQL() throws {
        let root = NSTemporaryDirectory() + "journey-repeats-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let node = try SimulatedNode.twoCentres(directory: root, seed: 9)
        let engine = try ProjectionEngine(path: "\(root)/p.sqlite")
        _ = try engine.rebuild(from: node)
        let w = engine.parameters.repeatWindowMs
        try engine.db.write { db in
            let repeats = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact WHERE repeat_of IS NOT NULL") ?? 0
            XCTAssertGreaterThan(repeats, 50, "the fixture must have repeats to compare")
            let differing = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM contact WHERE customer IS NOT NULL AND (
                  next_start IS NOT (SELECT MIN(c2.started_at) FROM contact c2
                                     WHERE c2.customer = contact.customer AND c2.started_at > contact.ended_at)
                  OR repeat_of IS NOT (SELECT c2.contact FROM contact c2
                               WHERE c2.customer = contact.customer AND c2.started_at <= contact.started_at
                                 AND c2.ended_at <= contact.started_at AND c2.ended_at >= contact.started_at - :w
                                 AND NOT (c2.site = contact.site AND c2.contact = contact.contact)
                               ORDER BY c2.ended_at DESC, c2.site, c2.contact LIMIT 1))
                """, arguments: ["w": w])
            XCTAssertEqual(differing, 0)
            try db.execute(sql: """
                CREATE TEMP TABLE oracle AS
                SELECT customer, COUNT(*) AS contacts, TOTAL(repeat_of IS NOT NULL) AS repeats, TOTAL(resolved = 0) AS unresolved,
                       (SELECT group_concat(channel, ',') FROM (SELECT DISTINCT channel FROM contact c3 WHERE c3.customer = c.customer AND channel IS NOT NULL ORDER BY channel)) AS channels,
                       (SELECT group_concat(site, ',') FROM (SELECT DISTINCT site FROM contact c3 WHERE c3.customer = c.customer ORDER BY site)) AS sites,
                       MIN(started_at) AS first_at, MAX(COALESCE(ended_at, started_at)) AS last_at, TOTAL(csat IS NOT NULL) AS surveys, TOTAL(csat >= 4) AS satisfied,
                       MIN(100.0, 12.0 * TOTAL(repeat_of IS NOT NULL) + 8.0 * TOTAL(resolved = 0)
                                  + CASE WHEN TOTAL(csat IS NOT NULL) > 0 THEN 25.0 * (1.0 - TOTAL(csat >= 4) * 1.0 / TOTAL(csat IS NOT NULL)) ELSE 0 END) AS penalty
                FROM contact c WHERE customer IS NOT NULL GROUP BY customer
                """)
            let customers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? 0
            XCTAssertEqual(customers, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM oracle"))
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM oracle o LEFT JOIN customer c ON c.customer = o.customer
                WHERE c.customer IS NULL OR c.contacts <> o.contacts OR c.repeats <> o.repeats OR c.unresolved <> o.unresolved
                   OR c.channels IS NOT o.channels OR c.sites IS NOT o.sites OR c.first_at IS NOT o.first_at OR c.last_at IS NOT o.last_at
                   OR c.surveys <> o.surveys OR c.satisfied <> o.satisfied OR abs(c.penalty - o.penalty) > 1e-9
                """)
            XCTAssertEqual(mismatched, 0)
            XCTAssertGreaterThan(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer WHERE sites = 'east,west'") ?? 0, 0)
            XCTAssertGreaterThan(try Int.fetchOne(db, sql: "SELECT MAX(contacts) FROM customer") ?? 0, 7, "a customer with many contacts")
        }
    }

    /// The derived links are written by one statement that scans them in key
    /// order and finds each contact by its key: its cost follows the links a
    /// derivation changed, not the contact table (a catch-up changes a few).
    func testLinksAreWrittenByScanningThemAndFindingEachContactByKey() throws {
        let root = NSTemporaryDirectory() + "journey-links-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let node = try SimulatedNode.twoCentres(directory: root, seed: 4, days: 3)
        let engine = try ProjectionEngine(path: "\(root)/p.sqlite")
        _ = try engine.rebuild(from: node)
        let plan = try engine.db.write { db in
            try db.execute(sql: ProjectionEngine.linksTableSQL)
            try db.execute(sql: "INSERT INTO temp.derived_link SELECT site, contact, repeat_of, next_start FROM contact WHERE repeat_of IS NOT NULL")
            try db.execute(sql: ProjectionEngine.sortLinksSQL)
            defer { try? db.execute(sql: "DROP TABLE temp.\(ProjectionEngine.sortedLinks); DROP TABLE temp.derived_link") }
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ProjectionEngine.writeLinksSQL).map { $0["detail"] as String }
        }
        XCTAssertEqual(plan, ["SCAN l", "SEARCH contact USING PRIMARY KEY (site=? AND contact=?)"])
    }

    /// Keys are compared as bytes, as SQLite sorts and stores them. Two
    /// customers whose keys are the same text to Swift's `==` (canonically
    /// equivalent: "café" precomposed and decomposed) but different bytes
    /// are two customers, and one's contact is not a repeat of the other's.
    func testCanonicallyEquivalentCustomerKeysAreTwoCustomers() throws {
        let dir = NSTemporaryDirectory() + "journey-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "Swift compares them as the same text")
        XCTAssertNotEqual(Array(composed.utf8), Array(decomposed.utf8))
        let t0: Int64 = 1_772_442_000_000  // 2026-03-02T09:00:00Z
        func contact(_ id: String, customer: String, minute: Int64) -> [Event] {
            [Event(site: "east", id: id + "s", at: Timestamp(ms: t0 + minute * 60_000), kind: .contactStarted, contact: id, customer: customer, channel: .voice),
             Event(site: "east", id: id + "e", at: Timestamp(ms: t0 + minute * 60_000 + 30_000), kind: .contactEnded, contact: id, customer: customer, channel: .voice)]
        }
        // k3 is the composed customer's second contact: a repeat of k1, not of k2.
        var events = contact("k1", customer: composed, minute: 0) + contact("k2", customer: decomposed, minute: 10)
            + contact("k3", customer: composed, minute: 20)
        for i in events.indices { events[i].seq = UInt64(i + 1) }
        let source = PassedOverEventsTests.OlderLog(events: events)
        let rebuilt = try ProjectionEngine(path: dir + "/rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: source)
        let incremental = try ProjectionEngine(path: dir + "/incremental.sqlite")
        for n in 1...events.count { try incremental.catchUp(from: PassedOverEventsTests.OlderLog(events: Array(events.prefix(n)))) }
        // Both customers changed by one catch-up: each must be derived again.
        let together = try ProjectionEngine(path: dir + "/together.sqlite")
        try together.catchUp(from: PassedOverEventsTests.OlderLog(events: Array(events.prefix(2))))
        try together.catchUp(from: source)
        for engine in [rebuilt, incremental, together] {
            let customers = try engine.customerRows(minRepeats: 0, limit: 10)
                .sorted { Array($0.customer.utf8).lexicographicallyPrecedes(Array($1.customer.utf8)) }
            XCTAssertEqual(customers.map { Array($0.customer.utf8) }, [Array(decomposed.utf8), Array(composed.utf8)], "two customer rows, one per key")
            XCTAssertEqual(customers.map(\.contacts), [1, 2])
            XCTAssertEqual(customers.map(\.repeats), [0, 1])
            var filter = ProjectionQuery.Filter()
            filter.limit = 10
            let links = try engine.contactRows(filter).filter { $0.repeatOf != nil }.map { [$0.contact, $0.repeatOf ?? ""] }
            XCTAssertEqual(links, [["k3", "k1"]], "k2 is nobody's repeat: another customer's")
        }
    }

    /// The same for contacts: two contact ids that are canonically
    /// equivalent but different bytes are two contacts, each with its own
    /// customer, channel and times, rebuilt or caught up one event at a time.
    func testCanonicallyEquivalentContactIDsAreTwoContacts() throws {
        let dir = NSTemporaryDirectory() + "journey-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let t0: Int64 = 1_772_442_000_000  // 2026-03-02T09:00:00Z
        func contact(_ id: String, _ contact: String, customer: String, minute: Int64, channel: Channel) -> [Event] {
            [Event(site: "east", id: id + "s", at: Timestamp(ms: t0 + minute * 60_000), kind: .contactStarted, contact: contact, customer: customer, channel: channel),
             Event(site: "east", id: id + "e", at: Timestamp(ms: t0 + minute * 60_000 + 30_000), kind: .contactEnded, contact: contact, customer: customer, channel: channel)]
        }
        var events = contact("k1", composed, customer: "c1", minute: 0, channel: .voice) + contact("k2", decomposed, customer: "c2", minute: 1, channel: .chat)
        for i in events.indices { events[i].seq = UInt64(i + 1) }
        let rebuilt = try ProjectionEngine(path: dir + "/rebuilt.sqlite")
        _ = try rebuilt.rebuild(from: PassedOverEventsTests.OlderLog(events: events))
        let incremental = try ProjectionEngine(path: dir + "/incremental.sqlite")
        for n in 1...events.count { try incremental.catchUp(from: PassedOverEventsTests.OlderLog(events: Array(events.prefix(n)))) }
        for engine in [rebuilt, incremental] {
            var filter = ProjectionQuery.Filter()
            filter.limit = 10
            let rows = try engine.contactRows(filter).map { (Array($0.contact.utf8), $0.customer, $0.channel) }
                .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            XCTAssertEqual(rows.map(\.0), [Array(decomposed.utf8), Array(composed.utf8)], "two contact rows")
            XCTAssertEqual(rows.map(\.1), ["c2", "c1"])
            XCTAssertEqual(rows.map(\.2), ["chat", "voice"])
            XCTAssertEqual(try engine.customerRows(minRepeats: 0, limit: 10).map(\.contacts), [1, 1])
        }
    }
}
