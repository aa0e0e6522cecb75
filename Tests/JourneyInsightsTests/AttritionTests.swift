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
        let cut = Timestamp(ms: InsightsFixture.day(18) * 86_400_000 - 1)
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

        // Each of them is flagged, with reasons.
        for (flagged, reasons) in zip(try report.result.values("flagged"), try report.result.values("reasons")).prefix(4) {
            XCTAssertEqual(flagged, .bool(true))
            XCTAssertFalse((reasons.stringValue ?? "").isEmpty)
        }
    }
}
