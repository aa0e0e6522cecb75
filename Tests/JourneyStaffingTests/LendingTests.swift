import JourneyModel
@testable import JourneyStaffing
import XCTest

/// The lending assignment: hand-solved cases, and optimality against an
/// exhaustive search on random small instances.
final class LendingTests: XCTestCase {
    typealias Q = StaffingPlanner.QueueKey
    typealias G = StaffingPlanner.GroupKey

    func testShortSiteBorrowsFromSurplusUpToTheShare() {
        let need = [Q(site: "a", queue: "billing"): 10, Q(site: "b", queue: "billing"): 5]
        let have = [G(site: "a", skills: ["billing"]): 6, G(site: "b", skills: ["billing"]): 12]
        // b has 7 spare; half of its 12 (6) may go, a is short of 4: all 4 lent.
        let half = StaffingPlanner.assign(need: need, have: have, share: 0.5)
        XCTAssertEqual(half.total, 15)
        XCTAssertEqual(half.lent, 4)
        XCTAssertEqual(half.loans, [StaffingPlanner.LoanKey(from: "b", to: "a", queue: "billing"): 4])
        XCTAssertEqual(half.covered, ["a": 10, "b": 5])
        // A quarter of 12 is 3: a stays 1 short.
        let quarter = StaffingPlanner.assign(need: need, have: have, share: 0.25)
        XCTAssertEqual(quarter.total, 14)
        XCTAssertEqual(quarter.covered["a"], 9)
        // Nothing may be lent: a is 4 short.
        let none = StaffingPlanner.assign(need: need, have: have, share: 0)
        XCTAssertEqual(none.total, 11)
        XCTAssertTrue(none.loans.isEmpty)
    }

    func testMultiSkilledAgentsAreFreedForLending() {
        // b needs 4 technical; it has 4 technical-only and 2 billing+technical agents.
        // a needs 3 billing and has nobody. Covering b with its technical-only agents
        // frees both dual-skilled agents for a: shortfall 1. (Filling b's technical
        // need with the dual-skilled agents first would leave a 3 short.)
        let need = [Q(site: "a", queue: "billing"): 3, Q(site: "b", queue: "technical"): 4]
        let have = [G(site: "b", skills: ["technical"]): 4, G(site: "b", skills: ["billing", "technical"]): 2]
        let r = StaffingPlanner.assign(need: need, have: have, share: 1)
        XCTAssertEqual(r.total, 6)
        XCTAssertEqual(r.loans, [StaffingPlanner.LoanKey(from: "b", to: "a", queue: "billing"): 2])
        XCTAssertEqual(r.covered, ["a": 2, "b": 4])
    }

    func testNoLendingWithoutShortfallAndSkillsAreRespected() {
        let need = [Q(site: "a", queue: "sales"): 2, Q(site: "b", queue: "sales"): 2]
        let have = [G(site: "a", skills: ["sales"]): 2, G(site: "b", skills: ["sales"]): 5]
        XCTAssertEqual(StaffingPlanner.assign(need: need, have: have, share: 1).lent, 0)
        // a needs complaints; b's spare agents only know billing: nothing can be lent.
        let r = StaffingPlanner.assign(need: [Q(site: "a", queue: "complaints"): 3],
                                       have: [G(site: "b", skills: ["billing"]): 9], share: 1)
        XCTAssertEqual(r.total, 0)
        XCTAssertTrue(r.loans.isEmpty)
    }

    /// On random instances small enough to enumerate every assignment of every
    /// agent, the flow covers as many positions as the best assignment and lends
    /// no more agents than the best assignment covering that many.
    /// A skill set is a list of queues, never text to split: a queue may be
    /// called "billing+sales", and queues written two ways (precomposed and
    /// decomposed accents) are two queues.
    func testSkillSetsKeepEveryQueueNameWhole() {
        let odd = "billing+sales", precomposed = "factur\u{E9}", decomposed = "facture\u{301}"
        let need = [Q(site: "a", queue: "billing"): 3, Q(site: "a", queue: odd): 2, Q(site: "a", queue: decomposed): 2]
        let have = [G(site: "b", skills: [odd, precomposed]): 8]
        let r = StaffingPlanner.assign(need: need, have: have, share: 1)
        XCTAssertEqual(r.loans, [StaffingPlanner.LoanKey(from: "b", to: "a", queue: odd): 2], "only the queue really called \(odd) is served")
        XCTAssertEqual(G(site: "b", skills: ["x", precomposed, "x"]).skills, [precomposed, "x"])
        XCTAssertNotEqual(G(site: "b", skills: [precomposed]), G(site: "b", skills: [decomposed]))
        XCTAssertNotEqual(Q(site: "a", queue: precomposed), Q(site: "a", queue: decomposed))
    }

    func testOptimalAgainstExhaustiveSearch() {
        var rng = SplitMix64(seed: 20261122)
        let queues = ["x", "y"], sites = ["a", "b", "c"]
        let skillSets = [["x"], ["y"], ["x", "y"]]
        for _ in 0..<150 {
            var need: [Q: Int] = [:]
            for s in sites { for q in queues where rng.next() % 3 != 0 { need[Q(site: s, queue: q)] = Int(rng.next() % 4) } }
            var have: [G: Int] = [:]
            var agents = 0
            for s in sites { for g in skillSets where rng.next() % 3 == 0 && agents < 7 {
                let n = 1 + Int(rng.next() % 3)
                have[G(site: s, skills: g)] = n
                agents += n
            } }
            let share = [0.0, 0.34, 0.5, 1.0][Int(rng.next() % 4)]
            let flow = StaffingPlanner.assign(need: need, have: have, share: share)
            let best = exhaustive(need: need, have: have, share: share)
            XCTAssertEqual(flow.total, best.covered, "need \(need) have \(have) share \(share)")
            XCTAssertEqual(flow.lent, best.lent, "need \(need) have \(have) share \(share)")
            // The flow's own loans respect the share and the skills.
            for (k, n) in flow.loans {
                XCTAssertNotEqual(k.from, k.to)
                let lendable = have.filter { $0.key.site == k.from && $0.key.skills.contains(k.queue) }
                    .reduce(0) { $0 + Int((share * Double($1.value) + 1e-9).rounded(.down)) }
                XCTAssertLessThanOrEqual(n, lendable)
            }
        }
    }

    /// Every agent either idles, serves a queue of its own site it is skilled
    /// for, or is lent to a skilled queue elsewhere; best = most positions
    /// covered, then fewest lent.
    func exhaustive(need: [Q: Int], have: [G: Int], share: Double) -> (covered: Int, lent: Int) {
        var agents: [G] = []
        for k in have.keys.sorted() { agents += Array(repeating: k, count: have[k] ?? 0) }
        let targets = need.keys.sorted()
        var best = (covered: 0, lent: 0)
        var load = [Q: Int](), lentBy = [G: Int]()
        func go(_ i: Int, covered: Int, lent: Int) {
            if i == agents.count {
                if covered > best.covered || (covered == best.covered && lent < best.lent) { best = (covered, lent) }
                return
            }
            let a = agents[i]
            go(i + 1, covered: covered, lent: lent)
            for t in targets where a.skills.contains(t.queue) && (load[t] ?? 0) < (need[t] ?? 0) {
                let lending = t.site != a.site
                if lending && (lentBy[a] ?? 0) >= Int((share * Double(have[a] ?? 0) + 1e-9).rounded(.down)) { continue }
                load[t, default: 0] += 1
                if lending { lentBy[a, default: 0] += 1 }
                go(i + 1, covered: covered + 1, lent: lent + (lending ? 1 : 0))
                load[t, default: 0] -= 1
                if lending { lentBy[a, default: 0] -= 1 }
            }
        }
        go(0, covered: 0, lent: 0)
        return best
    }
}
