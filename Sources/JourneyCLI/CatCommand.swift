import ArgumentParser
import JourneyLog
import JourneyModel

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print events as canonical JSONL.",
        discussion: """
        With --origin, that origin's events in seq order (after --after). Without it, \
        every origin's events in seq order, the origins interleaved by time (the earliest next event first; ties by origin): a deterministic order, but not a sort by time when an origin's own events are out of time order.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Only this origin's log.")
    var origin: String?

    @Option(help: "Only events after this seq (needs --origin).")
    var after: UInt64 = 0

    @Option(help: ArgumentHelp("Only events at or after this RFC 3339 time.", valueName: "time"))
    var since: TimeArgument?

    @Option(help: ArgumentHelp("Only events before this RFC 3339 time.", valueName: "time"))
    var until: TimeArgument?

    func validate() throws {
        if after > 0 && origin == nil { throw ValidationError("--after needs --origin: seqs are per origin") }
    }

    func run() throws {
        let s = try store.open(readOnly: true)
        var line: [UInt8] = []
        let console = Console.current  // the scan may call back from its read-ahead thread
        let emit: (Event) -> Bool = { e in
            line.removeAll(keepingCapacity: true)
            EventCodec.encode(e, into: &line)
            line.append(0x0A)
            console.out(line)
            return true
        }
        if let origin {
            guard s.origins.contains(origin) else {
                throw CLIError(.badInput, "this store holds no log of origin '\(origin)'; it holds: \(s.origins.joined(separator: ", "))")
            }
            try s.forEachEvent(origin: origin, afterSeq: after, since: since?.timestamp, until: until?.timestamp, emit)
        } else {
            try s.forEachMergedEvent(since: since?.timestamp, until: until?.timestamp, emit)
        }
    }
}
