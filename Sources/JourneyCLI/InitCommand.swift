import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyNode

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store whose own site (origin) is SITE, with a new Ed25519 signing key.",
        discussion: """
        Never overwrites: a directory holding a store, a key or logs is refused. After journey.json was \
        lost, `journey init --site SITE --adopt` writes it again for the existing key. The site's time \
        zone (--time-zone, an IANA name; default UTC) is recorded as the first event of its log, so \
        every centre learns it; change it later with `journey site --time-zone`. The pseudonym key \
        turns caller identifiers into customer keys: give every centre of a province the same one \
        (--pseudonym-key FILE); without it a new key is made.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Site id of this centre: 1–32 of a-z, 0-9 and -.")
    var site: String

    @Flag(help: "Restore a lost journey.json for the key and logs already in --data (checks the key signs SITE's log).")
    var adopt = false

    @Option(help: ArgumentHelp("The site's time zone, an IANA name such as Europe/London or Asia/Jerusalem (default UTC).", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("The province's pseudonym key (64 hex digits), shared by every centre; default: a new one.", valueName: "file"))
    var pseudonymKey: String?

    func run() throws {
        let zone = try timeZone.map(SiteCommand.zone(named:))
        let key = try pseudonymKey.map(SiteCommand.pseudonymKey(file:))
        let node = store.node()
        if adopt {
            let (s, installed) = try node.adopt(site: site, pseudonymKey: key)
            Console.line("restored journey.json for site \(s.site) in \(store.directory) (its key signs every block of its log)")
            Console.line("public key: \(Checksum.hex(s.publicKey))")
            if installed { Console.line("pseudonym key installed") }
            return
        }
        let s = try node.create(site: site, zone: zone, pseudonymKey: key)
        Console.line("created store for site \(s.site) in \(store.directory)")
        Console.line("time zone: \(zone?.description ?? "UTC")")
        Console.line("public key: \(Checksum.hex(s.publicKey))")
        Console.line("pseudonym key: \(key == nil ? "new (copy \(Pseudonyms.keyPath(store.directory, fs: POSIXFileSystem())) to the other centres)" : "installed from \(pseudonymKey ?? "")")")
    }
}
