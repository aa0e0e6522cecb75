import ArgumentParser
import JourneyLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store whose own site (origin) is SITE, with a new Ed25519 signing key.",
        discussion: "Never overwrites: a directory holding a store, a key or logs is refused. After journey.json was lost, `journey init --site SITE --adopt` writes it again for the existing key.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Site id of this centre: 1–32 of a-z, 0-9 and -.")
    var site: String

    @Flag(help: "Restore a lost journey.json for the key and logs already in --data (checks the key signs SITE's log).")
    var adopt = false

    func run() throws {
        do {
            if adopt {
                let s = try LogStore.adopt(directory: store.directory, site: site, options: store.logOptions)
                Console.line("restored journey.json for site \(s.site) in \(store.directory) (its key signs every block of its log)")
                Console.line("public key: \(Checksum.hex(s.publicKey))")
                return
            }
            let s = try LogStore.create(directory: store.directory, site: site, options: store.logOptions)
            Console.line("created store for site \(s.site) in \(store.directory)")
            Console.line("public key: \(Checksum.hex(s.publicKey))")
        } catch {
            throw ExitStatus.report(error)
        }
    }
}
