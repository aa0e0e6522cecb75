import Foundation
import GRDB
import JourneyModel
import JourneyProjections
@testable import JourneyInsights
import XCTest

/// Acceptance on the overflow-fault scenario: technical calls at
/// east overflow to any ready agent from day 21.
final class OverflowFaultTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-overflow-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testRepeatsAndMixFindTheFaultAfterItsDayAndNotBefore() throws {
        let f = try InsightsFixture(root: root, sites: ["east", "west"], seed: 3, days: 31,
                                    scenarios: ["overflow-fault:site=east,queue=technical,day=21,after=30"])
        var o = RepeatCauses.Options()
        o.fromDay = InsightsFixture.day(21); o.toDay = InsightsFixture.day(27)
        let after = try RepeatCauses.report(f.engine, o)
        // Columns by name: a moved column fails here instead of making the checks below match nothing.
        let dim = try after.result.column("dimension"), site = try after.result.column("site"), value = try after.result.column("value")
        func isFault(_ row: [JSONValue]) -> Bool {
            row[site] == "east" && ((row[dim] == "route" && row[value] == "overflow") || (row[dim] == "queue" && row[value] == "technical"))
        }
        // After the fault day: the faulty centre's overflow route or queue ranks first.
        let top = try XCTUnwrap(after.result.rows.first)
        XCTAssertTrue(isFault(top), "top cause after the fault: \(top)")
        XCTAssertTrue(after.result.rows.prefix(3).contains { $0[dim] == "route" && $0[value] == "overflow" && $0[site] == "east" },
                      "the overflow route is among the top three: \(after.result.rows.prefix(3))")
        XCTAssertTrue(after.findings[0].hasPrefix("east:"), after.findings[0])
        // Before it: no overflow route, and the queue is not singled out.
        o.fromDay = InsightsFixture.day(14); o.toDay = InsightsFixture.day(20)
        let before = try RepeatCauses.report(f.engine, o)
        XCTAssertFalse(before.result.rows.isEmpty, "the report before the fault has rows to check")
        XCTAssertFalse(before.result.rows.contains { $0[dim] == "route" && $0[value] == "overflow" })
        XCTAssertFalse(before.result.rows.first.map(isFault) ?? false, "top cause before the fault: \(before.result.rows.first ?? [])")

        // The agents it names for the overflow route are the ones who took the overflow.
        let overflowRow = try XCTUnwrap(after.result.rows.first { $0[dim] == "route" && $0[value] == "overflow" })
        let agentsColumn = try XCTUnwrap(after.result.columns.firstIndex(of: "agents"))
        let named = (overflowRow[agentsColumn].stringValue ?? "").split(separator: " ").filter { !$0.hasPrefix("(") }.map(String.init)
        XCTAssertEqual(named.count, 3, "\(overflowRow)")
        // Read straight from the projection's file: an independent look at what the report summarised.
        var readOnly = Configuration()
        readOnly.readonly = true
        let overflowHandled = try DatabaseQueue(path: f.engine.path, configuration: readOnly).read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT agent, CAST(TOTAL(COALESCE(route, '') = 'overflow') AS INTEGER) FROM contact WHERE site = 'east' AND agent IS NOT NULL AND day BETWEEN ? AND ? GROUP BY agent
                """, arguments: [InsightsFixture.day(21), InsightsFixture.day(27)]).map { ($0[0] as String, $0[1] as Int) })
        }
        let meanAll = Double(overflowHandled.values.reduce(0, +)) / Double(overflowHandled.count)
        let meanNamed = Double(named.map { overflowHandled[$0] ?? 0 }.reduce(0, +)) / Double(named.count)
        XCTAssertGreaterThan(meanNamed, 1.5 * meanAll, "named agents took \(meanNamed) overflow contacts each, all agents \(meanAll)")
        XCTAssertTrue(named.allSatisfy { (overflowHandled[$0] ?? 0) > 0 }, "\(named)")

        // The mix monitor flags the overflow route at east on the fault day or soon after, and not before.
        var m = MixMonitor.Options()
        m.fromDay = InsightsFixture.day(21); m.toDay = InsightsFixture.day(23)
        let mix = try MixMonitor.report(f.engine, m)
        let mSite = try mix.result.column("site"), mDim = try mix.result.column("dimension")
        let mCat = try mix.result.column("category"), mFlag = try mix.result.column("flagged")
        XCTAssertTrue(mix.result.rows.contains { $0[mSite] == "east" && $0[mDim] == "route" && $0[mCat] == "overflow" && $0[mFlag] == .bool(true) }, "\(mix.findings)")
        XCTAssertTrue(mix.findings[0].contains("east") && mix.findings[0].contains("overflow"), mix.findings[0])
        // Two weeks of same-weekday baseline (days 0–13) make the week before the fault testable.
        // Every tested cell is listed (not only flagged ones), so the check below has rows to look at.
        m.fromDay = InsightsFixture.day(14); m.toDay = InsightsFixture.day(20)
        m.all = true
        let quiet = try MixMonitor.report(f.engine, m)
        XCTAssertFalse(quiet.result.rows.isEmpty, "the quiet week has tested cells")
        XCTAssertFalse(quiet.result.rows.contains { $0[mCat] == "overflow" && $0[mFlag] == .bool(true) }, "\(quiet.findings)")
        XCTAssertFalse(quiet.result.rows.contains { $0[mFlag] == .bool(true) && $0[mSite] == "east" && $0[mDim] == "route" },
                       "no route shift at east before the fault: \(quiet.findings)")
    }
}
