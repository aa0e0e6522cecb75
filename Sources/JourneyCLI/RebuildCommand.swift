import ArgumentParser
import Foundation
import JourneyProjections

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild every projection from the log, from scratch.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let (n, seconds, engine) = try store.node().rebuild()
        let positions = engine.positions.keys.sorted().map { "\($0)=\(engine.positions[$0] ?? 0)" }.joined(separator: ",")
        Console.error("rebuild: phases " + engine.timings.keys.sorted().map { String(format: "%@ %.1f s", $0, engine.timings[$0] ?? 0) }.joined(separator: ", "))
        Console.line(String(format: "rebuilt projections from %d events in %.1f s (%.0f events/s); positions %@", n, seconds,
                            Double(n) / max(seconds, 1e-9), positions))
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild projections into a separate file as of an event time or a position vector.",
        discussion: "Query the result with `journey query KIND --db FILE`. The file records the positions it was built from.")

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The SQLite file to write (replaced if it exists).", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("Every event at or before this RFC 3339 time.", valueName: "time"))
    var asOf: TimeArgument?

    @Option(help: ArgumentHelp("Per origin, every event up to this seq: a=SEQ,b=SEQ.", valueName: "positions"))
    var positions: PositionsArgument?

    func validate() throws {
        if (asOf == nil) == (positions == nil) { throw ValidationError("give exactly one of --as-of and --positions") }
    }

    func run() throws {
        // A new file: built in bulk, as a rebuild is (the same rows as a catch-up, at rebuild speed).
        let (n, engine) = try store.node().replay(into: out, limit: .init(positions: positions?.positions, asOf: asOf?.timestamp))
        let applied = engine.positions.keys.sorted().map { "\($0)=\(engine.positions[$0] ?? 0)" }.joined(separator: ",")
        Console.line("replayed \(n) events into \(out); positions \(applied); horizon \(engine.dataHorizon.rfc3339)")
    }
}
