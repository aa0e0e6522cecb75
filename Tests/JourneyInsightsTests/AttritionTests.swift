import Foundation
import GRDB
import JourneyModel
import JourneyProjections
@testable import JourneyInsights
import XCTest

/// Acceptance on the attrition scenario: four agents at north drift
/// from day 7 and leave after day 21.
final class AttritionTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-attrition-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testDriftingAgentsRankFirstBeforeTheirLastDay() throws {
        // Only what was known by the end of day 17: four days before they leave.
        let cut = Timestamp(ms: InsightsFixture.day(18) * LocalDay.lengthMs - 1)
        let f = try InsightsFixture(root: root, sites: ["north"], seed: 8, days: 24,
                                    scenarios: ["attrition:site=north,agents=4,from=7,leave=21"], limit: .init(asOf: cut))
        // Ground truth from the log: the drifting agents are the ones taking "personal" breaks.
        var drifting = Set<String>()
        try f.stores[0].forEachEvent(origin: "north", afterSeq: 0) { e in
            if e.kind == .agentNotReady, e.data["reason"] == .string("personal"), let a = e.agent { drifting.insert(a) }
            return true
        }
        XCTAssertEqual(drifting.count, 4)
        var o = AttritionWatch.Options()
        o.asOfDay = InsightsFixture.day(17)
        let report = try AttritionWatch.report(f.engine, o)
        let top = Set(try report.result.values("agent").prefix(4).compactMap(\.stringValue))
        XCTAssertEqual(top, drifting, "\(report.findings)")

        // Each of them shows at least two drifting signals with reasons, and at least three are flagged
        // (score ≥ 10). Since FCR counts only closed repeat windows, days 15–17 carry no FCR yet, so the
        // FCR signal is weaker at day 17: with seed 8 the fourth agent scores 9.8 (AHT and not-ready time
        // alone); before, early repeats counted as failures made FCR look worse than it was known to be.
        let flags = try report.result.values("flagged").prefix(4)
        for reasons in try report.result.values("reasons").prefix(4) {
            XCTAssertGreaterThanOrEqual((reasons.stringValue ?? "").components(separatedBy: "; ").count, 2, "\(reasons)")
        }
        XCTAssertGreaterThanOrEqual(flags.filter { $0 == .bool(true) }.count, 3, "\(report.findings)")
        XCTAssertTrue(try report.result.values("flagged").dropFirst(4).allSatisfy { $0 == .bool(false) }, "no other agent is flagged")
    }
}
