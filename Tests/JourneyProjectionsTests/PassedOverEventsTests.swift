import Foundation
import JourneyLog
import JourneyModel
@testable import JourneyProjections
import XCTest

/// Events an older log can hold but a store now refuses are passed over by
/// the projection, never half-applied: a key with a control character, text
/// with a NUL (SQLite ends bound text at a NUL, so `a\u0000b` and `a\u0000c`
/// became one contact `a`), a time outside the years 0001–9999.
final class PassedOverEventsTests: XCTestCase {
    /// A log as an older release could have written it: events never validated.
    struct OlderLog: EventSource {
        var events: [Event]
        var origins: [String] { ["east"] }
        func lastSeq(of origin: String) -> UInt64 { UInt64(events.count) }
        func scan(origin: String, afterSeq: UInt64, _ body: (Event) throws -> Bool) throws {
            for e in events.dropFirst(Int(afterSeq)) { guard try body(e) else { return } }
        }
    }

    func testEventsAStoreNowRefusesAreNotProjectedAndTheRestIs() throws {
        let dir = NSTemporaryDirectory() + "journey-passed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t0: Int64 = 1_772_442_000_000  // 2026-03-02T09:00:00Z
        func contact(_ id: String, _ contact: String, customer: String, minute: Int64, channel: Channel = .voice) -> [Event] {
            [Event(site: "east", id: id + "s", at: Timestamp(ms: t0 + minute * 60_000), kind: .contactStarted, contact: contact, customer: customer, channel: channel),
             Event(site: "east", id: id + "q", at: Timestamp(ms: t0 + minute * 60_000 + 1_000), kind: .queueEntered, contact: contact, customer: customer,
                   channel: channel, queue: "billing")]
        }
        let good = contact("g1", "a", customer: "c1", minute: 0) + contact("g2", "b", customer: "c2", minute: 3, channel: .chat)
        var refused = contact("n1", "a\u{0}b", customer: "c3", minute: 1) + contact("n2", "a\u{0}c", customer: "c4", minute: 2, channel: .chat)
            + contact("t1", "tab\there", customer: "c5", minute: 4)
        refused.append(Event(site: "east", id: "d1", at: Timestamp(ms: t0 + 5 * 60_000), kind: .contactStarted, contact: "d", customer: "c6",
                             channel: .voice, data: JSONObject([.init("reason", .string("bill\u{0}ing"))])))
        XCTAssertTrue(good.allSatisfy(\.hasStorableText))
        XCTAssertTrue(refused.allSatisfy { !$0.hasStorableText })
        // Interleaved, numbered as a log numbers them.
        var mixed: [Event] = []
        for (i, e) in zip(good, refused).flatMap({ [$0, $1] }).enumerated() { var e = e; e.seq = UInt64(i + 1); mixed.append(e) }
        for e in refused.dropFirst(good.count) { var e = e; e.seq = UInt64(mixed.count + 1); mixed.append(e) }
        var clean: [Event] = []
        for (i, e) in good.enumerated() { var e = e; e.seq = UInt64(i + 1); clean.append(e) }

        let fromMixed = try ProjectionEngine(path: dir + "/mixed.sqlite")
        _ = try fromMixed.rebuild(from: OlderLog(events: mixed))
        XCTAssertEqual(fromMixed.positions, ["east": UInt64(mixed.count)], "every event was read")
        let fromClean = try ProjectionEngine(path: dir + "/clean.sqlite")
        _ = try fromClean.rebuild(from: OlderLog(events: clean))
        var filter = ProjectionQuery.Filter()
        filter.limit = 100
        let contacts = try fromMixed.contactRows(filter)
        XCTAssertEqual(contacts.map(\.contact).sorted(), ["a", "b"])
        XCTAssertEqual(contacts.first { $0.contact == "a" }?.customer, "c1", "contact a is the valid one, not merged with a\\0b or a\\0c")
        XCTAssertEqual(try fromMixed.intervalRows(filter), try fromClean.intervalRows(filter))
        XCTAssertEqual(try fromMixed.customerRows(minRepeats: 0, limit: 100), try fromClean.customerRows(minRepeats: 0, limit: 100))

        // Incrementally, one event at a time, the same.
        let incremental = try ProjectionEngine(path: dir + "/incremental.sqlite")
        for n in 1...mixed.count { try incremental.catchUp(from: OlderLog(events: Array(mixed.prefix(n)))) }
        XCTAssertEqual(try incremental.contactRows(filter), contacts)
    }
}
