import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyNode

struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Show or change this store's site settings: time zone and pseudonym key.",
        discussion: """
        Without options, prints the site's time zones (with the instant each is in force from) and \
        whether a pseudonym key is installed. --time-zone records a change in the site's own log \
        (from --from, default: from the start of its data), so it reaches every centre and stays \
        auditable. --pseudonym-key installs the province's key in a store that has none.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Record a new time zone, an IANA name such as Asia/Jerusalem.", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("With --time-zone: in force from this RFC 3339 time (default: from the start).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Install the province's pseudonym key (64 hex digits) when the store has none.", valueName: "file"))
    var pseudonymKey: String?

    func validate() throws {
        if from != nil && timeZone == nil { throw ValidationError("--from goes with --time-zone") }
    }

    func run() throws {
        let node = store.node()
        let s = try node.openStore(readOnly: timeZone == nil && pseudonymKey == nil)
        if let timeZone {
            let zone = try Self.zone(named: timeZone)
            let effective = try from.map { text -> Timestamp in
                guard let t = Timestamp(rfc3339: text) else { throw CLIError(.badInput, "--from '\(text)' is not an RFC 3339 time such as 2026-03-27T00:00:00+02:00") }
                return t
            }
            Console.line(try node.recordZone(zone, effective: effective, in: s) ? "recorded: \(s.site) is on \(zone) from \(effective?.rfc3339 ?? "the start")" : "already recorded")
        }
        if let pseudonymKey {
            let installed = try Pseudonyms.install(directory: s.directory, key: try Self.pseudonymKey(file: pseudonymKey))
            Console.line(installed ? "pseudonym key installed" : "this pseudonym key was already installed")
        }
        let zones = try SiteZones.load(store: s)
        Console.line("site: \(s.site)")
        if zones.history.isEmpty { Console.line("time zone: UTC (none recorded)") }
        for h in zones.history {
            Console.line("time zone: \(h.zone) from \(h.from == Limits.timeMin.ms ? "the start" : Timestamp(ms: h.from).rfc3339)")
        }
        let fs = POSIXFileSystem()
        Console.line("pseudonym key: \(fs.exists(Pseudonyms.keyPath(s.directory, fs: fs)) ? "installed" : "none (importers cannot make customer keys; install one with --pseudonym-key)")")
    }

    static func zone(named name: String) throws -> SiteTimeZone {
        guard let z = SiteTimeZone(identifier: name) else {
            throw CLIError(.badInput, "'\(name)' is not an IANA time-zone name such as Europe/London, America/New_York or Asia/Jerusalem (fixed offsets are not zones: they miss daylight saving)")
        }
        return z
    }

    static func pseudonymKey(file: String) throws -> [UInt8] {
        try Pseudonyms.parseKeyFile(try InputFile.read(file), path: file)
    }
}
