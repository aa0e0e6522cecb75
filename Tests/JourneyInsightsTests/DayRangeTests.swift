import Foundation
import JourneyInsights
import JourneyModel
import JourneyProjections
import XCTest

/// Default ranges of the insights never start before the data, say so in words
/// when no day qualifies yet, and a range the user gives is kept as given.
final class DayRangeTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-ranges-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Three days of data (2026-03-02…04): no 72 h window has closed, no week of
    /// history exists. Every insight says which, none starts before 03-02, and no
    /// FCR is printed as a number.
    func testThreeDaysOfDataGiveNotesNotFiguresOrRangesBeforeTheData() throws {
        let f = try InsightsFixture(root: root, sites: ["east"], seed: 11, days: 3, agents: 12, contacts: 300)
        let first = "2026-03-02"
        let repeats = try RepeatCauses.report(f.engine, RepeatCauses.Options())
        XCTAssertEqual(repeats.result.rows.count, 0)
        XCTAssertEqual(repeats.findings, ["no day whose 72 h repeat windows have closed yet: the data starts on \(first); ask again later, or give --from and --to"])
        XCTAssertTrue(repeats.title.contains("(no days yet)"), repeats.title)
        let teams = try TeamHealth.report(f.engine, TeamHealth.Options())
        XCTAssertEqual(teams.findings.first, repeats.findings.first)
        var coach = CoachingList.Options()
        coach.below = 0.7
        let judged = try CoachingList.entries(f.engine, coach)
        XCTAssertTrue(judged.range.isEmpty)
        XCTAssertEqual(judged.entries, [])
        XCTAssertEqual(try CoachingList.report(f.engine, coach).findings.first, repeats.findings.first)
        let attrition = try AttritionWatch.report(f.engine, AttritionWatch.Options())
        XCTAssertTrue(attrition.title.hasPrefix("Attrition watch: \(first)…"), attrition.title)
        XCTAssertTrue(attrition.findings[0].hasPrefix("too little history"), attrition.findings[0])
        // CSAT needs no window: the coaching list by CSAT judges the complete days, 03-02 and 03-03.
        coach.metric = .csat
        let byCSAT = try CoachingList.entries(f.engine, coach)
        XCTAssertEqual(byCSAT.range.text, "\(first)…2026-03-03")
        // A range the user gives is kept, even before the data; a reversed one is an error.
        var given = RepeatCauses.Options()
        given.fromDay = InsightsFixture.day(-10)
        given.toDay = InsightsFixture.day(2)
        XCTAssertTrue(try RepeatCauses.report(f.engine, given).title.contains("2026-02-20…2026-03-04"))
        given.fromDay = InsightsFixture.day(3)
        XCTAssertThrowsError(try RepeatCauses.report(f.engine, given)) { XCTAssertEqual("\($0)", "--from is after --to") }
    }

    /// Fifteen days: the coaching list's default "last 28 days" is the 11 days
    /// 03-02…03-12 whose windows have closed (the horizon is on 03-16), team
    /// weeks end on the last day, and the seven-day repeat range is whole.
    func testFifteenDaysClipTheDefaultRangesToTheData() throws {
        let f = try InsightsFixture(root: root, sites: ["east"], seed: 12, days: 15, agents: 12, contacts: 300)
        var coach = CoachingList.Options()
        coach.below = 0.7
        coach.minContacts = 5
        let judged = try CoachingList.entries(f.engine, coach)
        XCTAssertEqual(judged.range.text, "2026-03-02…2026-03-12")
        XCTAssertEqual(judged.range.days, 11)
        XCTAssertFalse(judged.entries.isEmpty)
        XCTAssertTrue(try CoachingList.report(f.engine, coach).title.hasSuffix("2026-03-02…2026-03-12"))
        XCTAssertTrue(try RepeatCauses.report(f.engine, RepeatCauses.Options()).title.contains("2026-03-06…2026-03-12"))
        let teams = try TeamHealth.report(f.engine, TeamHealth.Options())
        XCTAssertTrue(teams.title.contains("2026-03-02…2026-03-12"), teams.title)
        // 11 days end on 03-12 as weeks 03-06…12 and the short 03-02…05: two weeks per team.
        XCTAssertEqual(Set(try teams.result.values("weeks")), [.integer(2)])
    }
}
