@testable import JourneyNode
import JourneyModel
import XCTest

/// The demo prints each week's events per centre while the three stores'
/// appends finish in any interleaving: each week once, in order, as soon as
/// every centre has stored its last day, with every centre's events up to it.
final class WeekTallyTests: XCTestCase {
    func testEachWeekIsReportedOnceInOrderWithEveryCentresEventsUpToItsLastDay() {
        let sites = ["north", "central", "south"]
        var rng = SplitMix64(seed: 3)
        for round in 0..<300 {
            let days = 1 + Int(rng.next() % 30)
            // Per centre, the events of each day (a centre may have days with none).
            let perDay = sites.map { _ in (0..<days).map { _ in rng.next() % 6 == 0 ? 0 : Int(rng.next() % 1000) } }
            var tally = DemoCentres.WeekTally(sites: sites)
            var next = [0, 0, 0]
            var reported: [(Int, [String: Int])] = []
            // Centres in random turns, each in its own day order, as their lanes finish them.
            while next.contains(where: { $0 < days }) {
                let s = Int(rng.next() % 3)
                guard next[s] < days else { continue }
                let day = next[s]
                next[s] += 1
                // The simulation hands over no empty day.
                guard perDay[s][day] > 0 else { continue }
                let before = reported.count
                reported += tally.add(perDay[s][day], site: sites[s], day: day)
                // A week is reported only once every centre has stored its last day.
                for (last, _) in reported[before...] {
                    XCTAssertTrue(next.allSatisfy { $0 > last }, "round \(round): week ending day \(last) reported early")
                }
            }
            // Every week whose last day (or a later one) every centre stored, once, in order.
            let stored = perDay.map { d in d.indices.last { d[$0] > 0 } ?? -1 }
            XCTAssertEqual(reported.map(\.0), Array(stride(from: 6, through: stored.min() ?? -1, by: 7)), "round \(round): each week once, in order")
            for (last, counts) in reported {
                for (s, site) in sites.enumerated() {
                    XCTAssertEqual(counts[site], perDay[s].prefix(last + 1).reduce(0, +), "round \(round): \(site) up to day \(last)")
                }
            }
            // Totals of the centres that stored anything (the simulation hands over no empty day).
            XCTAssertEqual(tally.totals, Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($1, perDay[$0].reduce(0, +)) }.filter { $0.1 > 0 }))
        }
    }
}
