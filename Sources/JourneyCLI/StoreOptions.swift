import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneySync

/// Options every command that works on a store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory of the store (default: $JOURNEY_DATA, else ./journey-data).", valueName: "dir"))
    var data: String?

    @Option(name: .long, help: "When appends are acknowledged: always | batch | none.")
    var durability: DurabilityArgument = .batch

    /// The data directory to use.
    var directory: String {
        data ?? ProcessInfo.processInfo.environment["JOURNEY_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./journey-data"
    }

    var logOptions: LogOptions {
        var o = LogOptions()
        o.durability = durability.value
        return o
    }

    /// Opens the store, reporting what recovery did on standard error. Commands
    /// that only read open it read-only, so they can run beside a writer
    /// (journey serve --follow, sync --follow, import --follow).
    ///
    /// Replicas are checked against the keys pinned in `DATA/sync.json` (when
    /// there is one); an origin refused at open is reported here, and every
    /// read of it fails with exit 4.
    func open(readOnly: Bool = false) throws -> LogStore {
        var options = logOptions
        options.readOnly = readOnly
        options.publicKeys = pinnedKeys()
        let store = try LogStore.open(directory: directory, options: options)
        for note in store.recoveryNotes { Console.error("journey: recovery: \(note)") }
        for (origin, damage) in store.damagedOrigins.sorted(by: { $0.key < $1.key }) {
            Console.error("journey: refused origin '\(origin)': \(damage)")
        }
        return store
    }

    /// The public keys pinned in `DATA/sync.json`; empty when there is none.
    /// One that cannot be read or parsed is reported: the other origins are
    /// then opened without their signatures checked.
    func pinnedKeys() -> [String: [UInt8]] {
        let path = directory + "/sync.json"
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            return try SyncConfig.parse(String(decoding: try InputFile.read(path), as: UTF8.self)).keys
        } catch {
            Console.error("journey: warning: \(path) could not be read (\(error)); replicas are opened without checking their signatures — fix it, then run `journey verify`")
            return [:]
        }
    }
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
