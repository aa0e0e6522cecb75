import Foundation
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyProjections
@testable import JourneyStaffing
import JourneyTestSupport
import XCTest

/// A key is its bytes, in the staffing plan and the insights too: two weeks of
/// two centres whose agents, queues, teams, reasons, contacts and customers
/// come in pairs written two ways (precomposed and decomposed `é`, one string
/// to Swift's `==`) must give the same plan and the same insight reports as
/// the same weeks with the pairs plainly different (`P` and `D`).
final class KeySpellingPlanTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-spelling-plan-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Day 14 of the simulation (its last): a Monday with two Mondays of history.
    let planDay = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 16))

    func testPlanAndInsightsKeepKeysWrittenTwoWaysApart() throws {
        var engines: [ProjectionEngine] = []
        for form in [KeySpellings.Form.colliding, .distinct] {
            let stores = try KeySpellings.stores(directory: "\(root)/\(form)", form: form, seed: 23, days: 15, agentsPerSite: 16,
                                                 contactsPerDay: 400, customersPerSite: 900)
            let engine = try ProjectionEngine(path: "\(root)/\(form).sqlite")
            _ = try engine.rebuild(from: stores.node)
            engines.append(engine)
        }
        let (c, d) = (engines[0], engines[1])
        // A drill command quotes a value for the shell only when it holds more than letters, digits and "-".
        let quoted = try NSRegularExpression(pattern: "(--[a-z-]+ )'([^' ]*)'")
        func text(_ value: JSONValue) -> String {
            let s = JSONWriter.string(value)
            return quoted.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: "$1$2")
        }
        func same(_ what: String, _ body: (ProjectionEngine) throws -> JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
            let expected = text(try body(d))
            XCTAssertTrue(expected.contains("-D-"), "\(what): the distinct spelling shows in the output", file: file, line: line)
            let got = KeySpellings.distinctText(text(try body(c)))
            guard got != expected else { return }
            // Both texts whole, kept beside the test's other temporary files for a diff.
            let kept = NSTemporaryDirectory() + "journey-spelling-\(what.replacingOccurrences(of: " ", with: "-"))"
            try? got.write(toFile: kept + "-colliding.json", atomically: true, encoding: .utf8)
            try? expected.write(toFile: kept + "-distinct.json", atomically: true, encoding: .utf8)
            XCTFail("\(what): the colliding spelling's output differs; both are in \(kept)-*.json", file: file, line: line)
        }

        // Skill groups, queues and agents: the same requirements, availability and loans.
        var parameters = PlanParameters()
        parameters.maxLendShare = 0.5
        // (The plan's id and digest hash its bytes, so they differ; everything else must not.)
        try same("plan") {
            var data = try PlanRecord(engine: $0, day: planDay, parameters: parameters).data
            data["plan"] = nil
            data["requirementsDigest"] = nil
            return .object(data)
        }

        let asOf = planDay - 1
        var attrition = AttritionWatch.Options()
        attrition.asOfDay = asOf
        attrition.threshold = 0
        attrition.limit = 1000
        try same("attrition") { try AttritionWatch.report($0, attrition).json }
        var coaching = CoachingList.Options()
        coaching.below = 0.99
        coaching.minContacts = 1
        coaching.fromDay = planDay - 14
        coaching.toDay = asOf
        try same("coaching") { try CoachingList.report($0, coaching).json }
        var mix = MixMonitor.Options()
        mix.fromDay = planDay
        mix.toDay = planDay
        mix.weeks = 2
        mix.all = true
        try same("mix") { try MixMonitor.report($0, mix).json }
        var repeats = RepeatCauses.Options()
        repeats.fromDay = planDay - 7
        repeats.toDay = asOf
        repeats.minContacts = 1
        repeats.limit = 1000
        try same("repeat causes") { try RepeatCauses.report($0, repeats).json }
        var teams = TeamHealth.Options()
        teams.fromDay = planDay - 14
        teams.toDay = asOf
        try same("team health") { try TeamHealth.report($0, teams).json }
    }
}
