import ArgumentParser
import JourneyLog
import JourneyModel

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Per origin: events, last seq, stored and uncompressed bytes, head chain hash.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let s = try store.open(readOnly: true)
        let stats = s.stats()
        if json {
            let origins: [JSONValue] = stats.map { o in
                .object([
                    "site": .string(o.site), "events": .integer(Int64(o.events)), "lastSeq": .integer(Int64(o.lastSeq)),
                    "storedBytes": .integer(Int64(o.storedBytes)), "rawBytes": .integer(Int64(o.rawBytes)),
                    "headHash": .string(o.headHash), "acknowledgedSeq": .integer(Int64(o.acknowledgedSeq)),
                    "damage": o.damage.map { .string($0) } ?? .null,
                ])
            }
            Console.line(JSONWriter.string(.object(["origins": .array(origins)])))
            try failIfDamaged(s)
            return
        }
        var table = Table(["origin", "events", "last seq", "stored bytes", "raw bytes", "blocks", "segments", "head hash"],
                          numeric: [1, 2, 3, 4, 5, 6])
        for o in stats {
            table.add([o.site + (o.site == s.site ? " (own)" : "") + (o.damage == nil ? "" : " DAMAGED"), String(o.events), String(o.lastSeq), String(o.storedBytes),
                       String(o.rawBytes), String(o.blocks), String(o.segments), String(o.headHash.prefix(16))])
        }
        Console.line(table.render())
        try failIfDamaged(s)
    }

    /// Exit 4 when an origin was refused at open (the figures above then describe its intact part).
    func failIfDamaged(_ s: LogStore) throws {
        let damaged = s.damagedOrigins
        guard !damaged.isEmpty else { return }
        throw CLIError(.damaged, "\(damaged.count) origin(s) refused: \(damaged.keys.sorted().joined(separator: ", ")); the figures shown stop at the damage — run `journey repair`")
    }
}
