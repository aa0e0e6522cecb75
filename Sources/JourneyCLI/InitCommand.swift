import ArgumentParser
import JourneyLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store whose own site (origin) is SITE, with a new Ed25519 signing key.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Site id of this centre: 1–32 of a-z, 0-9 and -.")
    var site: String

    func run() throws {
        do {
            let s = try LogStore.create(directory: store.directory, site: site, options: store.logOptions)
            Console.line("created store for site \(s.site) in \(store.directory)")
            Console.line("public key: \(Checksum.hex(s.publicKey))")
        } catch {
            throw ExitStatus.report(error)
        }
    }
}
