import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel

/// A small simulated node for tests: two centres, `east` (this node's own
/// log) and `west` (replicated into it block by block, as sync would).
public enum SimulatedNode {
    /// Creates the node's store under `directory` (with west's own store
    /// beside it) from a simulation of `days` days of both sites.
    public static func twoCentres(directory: String, seed: UInt64, days: Int = 5, agentsPerSite: Int = 12,
                                  contactsPerDay: Int = 300, customersPerSite: Int = 600) throws -> LogStore {
        try twoCentreStores(directory: directory, seed: seed, days: days, agentsPerSite: agentsPerSite,
                            contactsPerDay: contactsPerDay, customersPerSite: customersPerSite) { $0 }.node
    }

    /// The node's store (`east`'s own log plus west's replica) and west's own
    /// store, from a simulation whose events pass through `transform` before
    /// they are stored; `eventsPerBlock` makes smaller blocks when given.
    public static func twoCentreStores(directory: String, seed: UInt64, days: Int, agentsPerSite: Int, contactsPerDay: Int,
                                       customersPerSite: Int, eventsPerBlock: Int? = nil,
                                       transform: (Event) -> Event) throws -> (node: LogStore, west: LogStore) {
        var config = SimulationConfig(sites: ["east", "west"], seed: seed, days: days)
        config.agentsPerSite = agentsPerSite
        config.contactsPerDay = contactsPerDay
        config.customersPerSite = customersPerSite
        var options = LogOptions()
        options.durability = .none
        if let eventsPerBlock { options.eventsPerBlock = eventsPerBlock }
        let node = try LogStore.create(directory: "\(directory)/node", site: "east", options: options)
        let west = try LogStore.create(directory: "\(directory)/west", site: "west", options: options)
        try Simulator(config: config).run { site, events in _ = try (site == "east" ? node : west).append(events.map(transform)) }
        if let snap = west.snapshot(origin: "west") {
            for i in snap.blocks.indices { try node.appendReplicated(try snap.block(at: i), publicKey: west.publicKey) }
        }
        return (node, west)
    }
}
