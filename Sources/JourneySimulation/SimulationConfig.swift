import JourneyModel

/// Everything a simulation run depends on. The same configuration and seed
/// always produce the same events, byte for byte.
public struct SimulationConfig: Sendable {
    /// Centres sharing one customer population (journeys cross them).
    public var sites: [String]
    /// The seed: the same seed gives the same events.
    public var seed: UInt64
    /// First simulated day (midnight UTC of it); default Monday 2026-03-02.
    public var startDay: Int = Timestamp.daysFromCivil(year: 2026, month: 3, day: 2)
    /// Days simulated.
    public var days: Int
    /// Agents per centre.
    public var agentsPerSite = 200
    /// First contacts per centre on an average weekday, before the weekday,
    /// month-start and intraday profiles.
    public var contactsPerDay = 6_500
    /// Customers per centre in the shared population.
    public var customersPerSite = 400_000
    /// The queues and how their contacts behave.
    public var queues: [QueueProfile] = QueueProfile.defaults
    /// Planted faults and drifts.
    public var scenarios: [Scenario] = []

    /// A simulation of `days` days of `sites` from `seed`.
    public init(sites: [String], seed: UInt64, days: Int) {
        self.sites = sites
        self.seed = seed
        self.days = days
    }

    /// Milliseconds of midnight UTC of day `d` of the run.
    func dayStartMs(_ d: Int) -> Int64 { LocalDay(Int64(startDay + d)).localStartMs }

    /// Demand factor by weekday (0 = Monday).
    static let weekdayFactor: [Double] = [1.22, 1.08, 1.0, 0.98, 0.95, 0.55, 0.35]
    /// Share of a day's contacts arriving in each hour (sums to 1); nothing
    /// arrives between 22:00 and 07:00, when the centres are closed.
    static let hourShare: [Double] = {
        let w: [Double] = [0, 0, 0, 0, 0, 0, 0, 3, 6, 9, 10, 9.5, 8, 8, 9, 9, 8, 7, 5, 4, 3, 2, 0, 0]
        let sum = w.reduce(0, +)
        return w.map { $0 / sum }
    }()
    /// Month-start peak: bills land, more calls on the 1st to 3rd.
    static func monthFactor(dayOfMonth: Int) -> Double { dayOfMonth <= 3 ? 1.25 : 1.0 }
}

/// A queue (skill) and how its contacts behave.
public struct QueueProfile: Sendable {
    /// The queue.
    public var name: String
    /// Share of first contacts for this queue.
    public var share: Double
    /// Contact reasons of this queue.
    public var reasons: [String]
    /// Median talk seconds for an experienced agent.
    public var talkMedianSeconds: Double
    /// Median after-call work, seconds.
    public var acwMedianSeconds: Double
    /// Mean patience (seconds) of voice and chat callers before abandoning.
    public var patienceMeanSeconds: Double
    /// Probability a skilled, experienced agent resolves the contact.
    public var resolveSkilled: Double
    /// Probability the contact ends in a transfer to another queue.
    public var transferRate: Double
    /// Probability a voice caller is contained by the IVR, by reason (default for others).
    public var ivrContainment: Double

    /// Four queues: billing, technical, sales, complaints.
    public static let defaults: [QueueProfile] = [
        QueueProfile(name: "billing", share: 0.38, reasons: ["bill-query", "payment", "refund"], talkMedianSeconds: 220,
                     acwMedianSeconds: 30, patienceMeanSeconds: 150, resolveSkilled: 0.82, transferRate: 0.04, ivrContainment: 0.32),
        QueueProfile(name: "technical", share: 0.32, reasons: ["outage", "slow-internet", "device-setup"], talkMedianSeconds: 380,
                     acwMedianSeconds: 45, patienceMeanSeconds: 200, resolveSkilled: 0.74, transferRate: 0.06, ivrContainment: 0.22),
        QueueProfile(name: "sales", share: 0.18, reasons: ["upgrade", "new-line"], talkMedianSeconds: 300,
                     acwMedianSeconds: 40, patienceMeanSeconds: 120, resolveSkilled: 0.86, transferRate: 0.03, ivrContainment: 0.08),
        QueueProfile(name: "complaints", share: 0.12, reasons: ["complaint", "cancel"], talkMedianSeconds: 420,
                     acwMedianSeconds: 60, patienceMeanSeconds: 240, resolveSkilled: 0.66, transferRate: 0.05, ivrContainment: 0.04),
    ]
}

/// A fault or trend injected into the simulation (see docs/simulator.md).
public enum Scenario: Sendable, Equatable {
    /// From `day`, at `site`, contacts for `queue` still waiting after
    /// `afterSeconds` overflow to any ready agent, skilled or not.
    case overflowFault(site: String, queue: String, day: Int, afterSeconds: Int)
    /// At `site`, `agents` agents drift from day `from` (longer handling, more
    /// not-ready time, less resolution, more missed offers) and leave for good after day `leave`.
    case attrition(site: String, agents: Int, from: Int, leave: Int)

    /// Parses `NAME:key=value,key=value`.
    public static func parse(_ text: String, sites: [String]) throws -> Scenario {
        let parts = text.split(separator: ":", maxSplits: 1)
        let name = String(parts[0])
        var params: [String: String] = [:]
        if parts.count > 1 {
            for kv in parts[1].split(separator: ",") {
                let pair = kv.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { throw SimulationError("scenario parameter '\(kv)' must be key=value") }
                params[String(pair[0])] = String(pair[1])
            }
        }
        func int(_ key: String, _ fallback: Int) throws -> Int {
            guard let v = params[key] else { return fallback }
            guard let i = Int(v), i >= 0 else { throw SimulationError("scenario \(name): \(key) must be a non-negative whole number") }
            return i
        }
        let site = params["site"] ?? sites.first ?? ""
        guard sites.contains(site) else { throw SimulationError("scenario \(name): site '\(site)' is not one of --sites \(sites.joined(separator: ","))") }
        switch name {
        case "overflow-fault":
            let queue = params["queue"] ?? "technical"
            guard QueueProfile.defaults.contains(where: { $0.name == queue }) else {
                throw SimulationError("scenario overflow-fault: unknown queue '\(queue)'")
            }
            return .overflowFault(site: site, queue: queue, day: try int("day", 14), afterSeconds: try int("after", 30))
        case "attrition":
            return .attrition(site: site, agents: try int("agents", 4), from: try int("from", 7), leave: try int("leave", 21))
        default:
            throw SimulationError("unknown scenario '\(name)'; scenarios are overflow-fault and attrition (docs/simulator.md)")
        }
    }
}
