import ArgumentParser
import JourneyLog
import JourneySync

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every block's lengths, CRC, hash chain and signature.",
        discussion: """
        Reads the files directly, so it also works on a store that refuses to open. Exit 0 when every \
        log is sound; 4 with the file and byte offset of each problem otherwise.
        """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption

    func run() throws {
        let report = try store.node().verify(configPath: syncConfig.config)
        var table = Table(["origin", "blocks", "events", "state"], numeric: [1, 2])
        for origin in report.origins.keys.sorted() {
            let o = report.origins[origin] ?? (0, 0)
            let bad = report.problems.contains { $0.origin == origin }
            let unverified = report.unverified.contains(origin)
            table.add([origin, String(o.blocks), String(o.events), bad ? "DAMAGED" : unverified ? "unverified (no pinned key)" : "sound"])
        }
        Console.line(table.render())
        for n in report.notes { Console.error("journey: verify: note: \(n)") }
        for o in report.unverified.sorted() {
            Console.error("journey: verify: '\(o)' is unverified: no public key is pinned for it in the sync config, so its signatures were not checked")
        }
        for p in report.problems { Console.error("journey: verify: \(p)") }
        if !report.isSound {
            throw CLIError(.damaged, "\(report.problems.count) problem(s) found; the events up to each problem are intact — run `journey repair` to restore the damaged origins from a peer")
        }
    }
}
