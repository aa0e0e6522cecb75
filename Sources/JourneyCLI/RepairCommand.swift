import ArgumentParser
import Foundation
import JourneyLog
import JourneySync

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Restore damaged or missing blocks of any origin (the own log included) from the peers.",
        discussion: """
        For every origin that open refused, fetches the blocks after its intact part from the peers in the \
        sync config, checks each (CRC, chain, recomputed hash, the origin's pinned signature, that it \
        decodes), and swaps the repaired log in only when it reaches the last acknowledged event with the \
        acknowledged chain hash. The damaged files are kept as logs/<origin>.damaged-<n>. Exit 0 when every \
        origin is sound afterwards, 4 when some could not be repaired.

        --drop ORIGIN sets a replica origin aside so the next sync fetches it again from the start. \
        --accept-loss ORIGIN cuts an origin at its first damage, giving up the events after it — only for \
        when no centre holds them any more.
        """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption

    @Option(help: ArgumentHelp("Set this replica origin aside; the next sync fetches it again.", valueName: "origin"))
    var drop: String?

    @Option(name: .customLong("accept-loss"), help: ArgumentHelp("Cut this origin at its first damage, losing the events after it.", valueName: "origin"))
    var acceptLoss: String?

    func run() async throws {
        let node = store.node()
        let s = try node.openStore()
        if let drop {
            let aside = try s.drop(origin: drop)
            Console.line("dropped '\(drop)': its files are in \(aside); the next `journey sync` fetches it again")
            return
        }
        if let origin = acceptLoss {
            let r = try s.cutAtDamage(origin: origin)
            Console.line("cut '\(origin)' at seq \(r.lastSeq): \(r.replacedEvents) acknowledged event(s) given up; the damaged files are in \(r.setAside)")
            return
        }
        let needs = s.repairNeeds()
        guard !needs.isEmpty else {
            Console.line("nothing to repair: every origin opened sound")
            return
        }
        let config = try syncConfig.load(store)
        var unrepaired: [String] = []
        for need in needs {
            Console.line("'\(need.origin)': intact through seq \(need.intactThrough), acknowledged through \(need.acknowledgedSeq); damage: \(need.damage)")
            if let report = try await node.repair(need, store: s, config) {
                Console.line("'\(need.origin)': repaired: kept seq 1–\(report.keptThrough), restored \(report.replacedEvents) events from peers, now through seq \(report.lastSeq); damaged files kept in \(report.setAside)")
            } else {
                unrepaired.append(need.origin)
            }
        }
        let verify = try node.verify(configPath: syncConfig.config)
        Console.line("verify: \(verify.isSound ? "sound" : "\(verify.problems.count) problem(s)")")
        if !unrepaired.isEmpty || !verify.isSound {
            throw CLIError(.damaged, "not repaired: \(unrepaired.joined(separator: ", ")); no peer holds the acknowledged events. If no centre has them any more, `journey repair --accept-loss ORIGIN` cuts the log at the damage (the events after it are lost)")
        }
    }
}
