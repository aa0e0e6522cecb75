import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyProjections

/// Simulated centres for the insight tests: each store holds every
/// centre's log (replicated block by block), and its projection is caught up.
struct InsightsFixture {
    let root: String
    let stores: [LogStore]
    let engine: ProjectionEngine
    let config: SimulationConfig

    static let start = Int64(Timestamp.daysFromCivil(year: 2026, month: 3, day: 2))

    init(root: String, sites: [String], seed: UInt64, days: Int, agents: Int = 40, contacts: Int = 1300,
         scenarios: [String] = [], limit: ProjectionEngine.Limit = .none) throws {
        var config = SimulationConfig(sites: sites, seed: seed, days: days)
        config.agentsPerSite = agents
        config.contactsPerDay = contacts
        config.customersPerSite = 30 * contacts
        config.scenarios = try scenarios.map { try Scenario.parse($0, sites: sites) }
        var options = LogOptions()
        options.durability = .none
        let stores = try sites.map { try LogStore.create(directory: "\(root)/\($0)", site: $0, options: options) }
        try Simulator(config: config).run { site, events in
            if let i = sites.firstIndex(of: site) { _ = try stores[i].append(events) }
        }
        for other in stores.dropFirst() {
            guard let snap = other.snapshot(origin: other.site) else { continue }
            for i in snap.blocks.indices { try stores[0].appendReplicated(try snap.block(at: i), publicKey: other.publicKey) }
        }
        engine = try ProjectionEngine(path: "\(root)/projection.sqlite")
        _ = try engine.rebuild(from: stores[0], limit: limit)
        self.root = root
        self.stores = stores
        self.config = config
    }

    /// The local day number of simulated day `d`.
    static func day(_ d: Int) -> Int64 { start + Int64(d) }
}
