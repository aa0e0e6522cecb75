import ArgumentParser
import Foundation
import JourneyLog
import JourneySync

struct RepairCommand: ParsableCommand {
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

    func run() throws {
        do {
            let s = try store.open()
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
            let client = SyncClient(store: s, config: config)
            var unrepaired: [String] = []
            for need in needs {
                Console.line("'\(need.origin)': intact through seq \(need.intactThrough), acknowledged through \(need.acknowledgedSeq); damage: \(need.damage)")
                if let report = try repair(need, store: s, client: client, config: config) {
                    Console.line("'\(need.origin)': repaired: kept seq 1–\(report.keptThrough), restored \(report.replacedEvents) events from peers, now through seq \(report.lastSeq); damaged files kept in \(report.setAside)")
                } else {
                    unrepaired.append(need.origin)
                }
            }
            var keys = config.keys
            keys[s.site] = s.publicKey
            let verify = try LogVerifier(directory: store.directory, publicKeys: keys).verify()
            Console.line("verify: \(verify.isSound ? "sound" : "\(verify.problems.count) problem(s)")")
            if !unrepaired.isEmpty || !verify.isSound {
                throw CLIError(ExitStatus.damaged, "not repaired: \(unrepaired.joined(separator: ", ")); no peer holds the acknowledged events. If no centre has them any more, `journey repair --accept-loss ORIGIN` cuts the log at the damage (the events after it are lost)")
            }
        } catch { throw ExitStatus.report(error) }
    }

    /// Tries the peers one after another until one supplies everything acknowledged.
    func repair(_ need: LogStore.RepairNeed, store s: LogStore, client: SyncClient, config: SyncConfig) throws -> LogStore.RepairReport? {
        for peer in config.peers {
            do {
                let repair = try s.beginRepair(origin: need.origin, publicKey: config.keys[need.origin])
                while true {
                    let after = repair.lastSeq
                    let blocks = try blockingAwait { try await client.blocks(of: need.origin, after: after, from: peer) }
                    if try blocks.isEmpty || repair.add(blocks) == 0 { break }
                }
                guard repair.isComplete else {
                    Console.error("journey: repair: \(peer.name) holds '\(need.origin)' only through seq \(repair.lastSeq), short of \(need.acknowledgedSeq)")
                    continue
                }
                return try repair.finish()
            } catch {
                Console.error("journey: repair: \(peer.name): \(error)")
            }
        }
        return nil
    }
}
