import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyNode

/// Options every command that works on a store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory of the store (default: $JOURNEY_DATA, else ./journey-data).", valueName: "dir"))
    var data: String?

    @Option(name: .long, help: "When appends are acknowledged: always | batch | none.")
    var durability: DurabilityArgument = .batch

    /// The data directory to use.
    var directory: String { data ?? DataDirectory.defaultPath }

    /// The node on the data directory, printing its progress and warnings to standard error.
    func node() -> Node {
        let console = Console.current  // the node may report from other threads
        return Node(directory: DataDirectory(directory), clock: CommandEnvironment.clock, durability: durability.value,
                    progress: { console.err($0) }, warn: { console.err("journey: \($0)") })
    }

    /// The log options of `--durability`.
    var logOptions: LogOptions {
        var o = LogOptions()
        o.durability = durability.value
        return o
    }

    /// Opens the store (``Node/openStore(readOnly:)``).
    func open(readOnly: Bool = false) throws -> LogStore { try node().openStore(readOnly: readOnly) }
}

enum DurabilityArgument: String, ExpressibleByArgument, CaseIterable {
    case always, batch, none
    var value: Durability { Durability(rawValue: rawValue) ?? .batch }
}

/// A time given on the command line, in RFC 3339.
struct TimeArgument: ExpressibleByArgument {
    var timestamp: Timestamp
    init?(argument: String) {
        guard let t = Timestamp(rfc3339: argument) else { return nil }
        timestamp = t
    }
    static var defaultCompletionKind: CompletionKind { .default }
}
