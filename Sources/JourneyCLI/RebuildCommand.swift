import ArgumentParser
import Foundation
import JourneyProjections

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild every projection from the log, from scratch.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        do {
            let s = try store.open(readOnly: true)
            let engine = try ProjectionEngine(path: Projections.path(store), parameters: try Projections.parameters(store.directory))
            engine.progress = { Console.error("rebuild: \($0)") }
            let started = Date()
            let n = try engine.rebuild(from: s)
            let seconds = Date().timeIntervalSince(started)
            let positions = engine.positions.keys.sorted().map { "\($0)=\(engine.positions[$0] ?? 0)" }.joined(separator: ",")
            Console.error("rebuild: phases " + engine.timings.keys.sorted().map { String(format: "%@ %.1f s", $0, engine.timings[$0] ?? 0) }.joined(separator: ", "))
            Console.line(String(format: "rebuilt projections from %d events in %.1f s (%.0f events/s); positions %@", n, seconds,
                                Double(n) / max(seconds, 1e-9), positions))
        } catch {
            throw ExitStatus.report(error)
        }
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
        do {
            let s = try store.open(readOnly: true)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: out + suffix) }
            let engine = try ProjectionEngine(path: out, parameters: try Projections.parameters(store.directory))
            engine.progress = { Console.error("replay: \($0)") }
            // A new file: built in bulk, as a rebuild is (the same rows as a catch-up, at rebuild speed).
            let n = try engine.rebuild(from: s, limit: .init(positions: positions?.positions, asOf: asOf?.timestamp))
            let applied = engine.positions.keys.sorted().map { "\($0)=\(engine.positions[$0] ?? 0)" }.joined(separator: ",")
            Console.line("replayed \(n) events into \(out); positions \(applied); horizon \(engine.dataHorizon.rfc3339)")
        } catch {
            throw ExitStatus.report(error)
        }
    }
}
