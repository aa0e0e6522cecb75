import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneySync

/// A JourneyStore node: a data directory with its log store, projections and
/// configs, and the workflows that use them (import and append, plan and
/// coaching commits, replication). The command line drives a node; tests and
/// the web console drive the same one in-process.
///
/// A node prints nothing: what it has to say goes to ``progress`` (steps of
/// long work) and ``warn`` (what the caller should know, e.g. recovery notes).
public final class Node: Sendable {
    /// Where the node's files are.
    public let directory: DataDirectory
    /// The clock recorded actions are stamped by.
    public let clock: any NodeClock
    /// When appends are acknowledged.
    public let durability: Durability
    /// Receives progress lines of long work.
    public let progress: @Sendable (String) -> Void
    /// Receives warnings: recovery notes, refused origins, a config that could not be read.
    public let warn: @Sendable (String) -> Void

    /// A node on `directory`; nothing is opened until asked.
    public init(directory: DataDirectory, clock: any NodeClock = SystemClock(), durability: Durability = .batch,
                progress: @escaping @Sendable (String) -> Void = { _ in }, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.directory = directory
        self.clock = clock
        self.durability = durability
        self.progress = progress
        self.warn = warn
    }

    // MARK: The store

    /// Opens the store, reporting what recovery did through ``warn``.
    /// Readers open it read-only, so they can run beside a writer
    /// (`serve --follow`, `sync --follow`, `import --follow`).
    ///
    /// Replicas are checked against the keys pinned in `sync.json` (when
    /// there is one); an origin refused at open is reported, and every read
    /// of it fails.
    public func openStore(readOnly: Bool = false) throws -> LogStore {
        var options = LogOptions()
        options.durability = durability
        options.readOnly = readOnly
        options.publicKeys = pinnedKeys()
        let store = try LogStore.open(directory: directory.path, options: options)
        for note in store.recoveryNotes { warn("recovery: \(note)") }
        for (origin, damage) in store.damagedOrigins.sorted(by: { $0.key < $1.key }) {
            warn("refused origin '\(origin)': \(damage)")
        }
        return store
    }

    /// The public keys pinned in `sync.json`; empty when there is none. One
    /// that cannot be read is reported: the origins are then opened without
    /// their signatures checked.
    public func pinnedKeys() -> [String: [UInt8]] {
        do {
            return try directory.syncConfigIfPresent()?.keys ?? [:]
        } catch {
            warn("warning: \(directory.syncConfigPath) could not be read (\(error)); replicas are opened without checking their signatures — fix it, then run `journey verify`")
            return [:]
        }
    }

    // MARK: Projections

    /// The projections, caught up with the log (read-only store).
    public func projections() throws -> (LogStore, ProjectionEngine) {
        let store = try openStore(readOnly: true)
        let engine = try ProjectionEngine(path: directory.projectionsPath, parameters: try directory.kpiParameters())
        engine.progress = { [progress] in progress("projections: \($0)") }
        let started = clock.monotonicSeconds()
        let n = try engine.catchUp(from: store)
        let seconds = clock.monotonicSeconds() - started
        if n > 0 && seconds > 2 { progress("projections: caught up \(n) events in \(String(format: "%.1f", seconds)) s") }
        return (store, engine)
    }

    /// Appends `events` to this node's own log (a recorded action), opening
    /// the store for writing for that call only.
    public func record(_ events: [Event]) throws -> LogStore.AppendResult {
        let writer = try openStore()
        defer { writer.close() }
        return try writer.append(events)
    }
}
