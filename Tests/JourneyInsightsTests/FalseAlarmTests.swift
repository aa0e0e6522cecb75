import Foundation
import JourneyModel
import JourneyProjections
@testable import JourneyInsights
import XCTest

/// Without any scenario, the monitors should stay quiet. The false-alarm
/// rate over many seeds is measured by Scripts/false-alarms.sh (docs/insights.md);
/// this test checks a few seeds.
final class FalseAlarmTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-quiet-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testNoScenarioRaisesFewAlarms() throws {
        var flaggedDays = 0, testedDays = 0, flaggedAgents = 0
        for seed: UInt64 in [21, 22] {
            let f = try InsightsFixture(root: "\(root)/\(seed)", sites: ["north"], seed: seed, days: 35)
            var m = MixMonitor.Options()
            m.fromDay = InsightsFixture.day(28); m.toDay = InsightsFixture.day(34)
            let mix = try MixMonitor.report(f.engine, m)
            let flagged = try mix.result.column("flagged"), day = try mix.result.column("day")
            flaggedDays += Set(mix.result.rows.filter { $0[flagged] == .bool(true) }.compactMap { $0[day].stringValue }).count
            testedDays += 7
            let attrition = try AttritionWatch.report(f.engine, AttritionWatch.Options())
            let agentFlagged = try attrition.result.column("flagged")
            flaggedAgents += attrition.result.rows.filter { $0[agentFlagged] == .bool(true) }.count
        }
        // α = 1 % per site-day: 14 site-days should raise at most one alarm.
        XCTAssertLessThanOrEqual(flaggedDays, 1, "site-days with a mix alarm out of \(testedDays)")
        XCTAssertLessThanOrEqual(flaggedAgents, 1, "agents flagged for attrition without any drift")
    }
}
