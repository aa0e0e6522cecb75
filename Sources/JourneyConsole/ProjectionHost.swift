import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import Synchronization

/// The console's projection: one engine kept caught up with the node's store
/// while the node serves, and the one place requests read it. Every catch-up
/// that applied events raises ``changes``, which the live pages wait on.
///
/// The engine's SQLite work runs on this actor, one request at a time.
public actor ProjectionHost {
    /// The store the projection follows.
    public nonisolated let store: LogStore
    /// Raised after every catch-up that applied events (live pages wait on it).
    public nonisolated let changes = AppendSignal()
    /// Concurrent readers of the same file (the screen-pop reads here, off this actor).
    public nonisolated let reader: ProjectionReader
    let engine: ProjectionEngine
    private nonisolated let published: Mutex<SiteCalendar>

    /// The sites' calendars as of the last catch-up (for rendering what ``reader`` reads).
    public nonisolated var calendar: SiteCalendar { published.withLock { $0 } }

    /// Opens the node's projection and brings it up to date with `store`.
    public init(node: Node, store: LogStore) throws {
        self.store = store
        let engine = try ProjectionEngine(path: node.directory.projectionsPath, parameters: try node.directory.kpiParameters())
        engine.progress = { [progress = node.progress] in progress("projections: \($0)") }
        _ = try engine.catchUp(from: store)
        self.engine = engine
        self.reader = try ProjectionReader(path: engine.path, parameters: engine.parameters)
        self.published = Mutex(engine.calendar)
    }

    /// Runs `body` on the engine (as it stands; ``follow()`` keeps it current).
    public func read<T: Sendable>(_ body: sending (ProjectionEngine) throws -> T) throws -> T {
        try body(engine)
    }

    /// The positions the projection reflects.
    public var positions: [String: UInt64] { engine.positions }

    /// Catches up when the store holds events the projection has not applied;
    /// returns how many it applied.
    @discardableResult
    public func refresh() throws -> Int {
        let behind = store.origins.contains { store.lastSeq(of: $0) > (engine.positions[$0] ?? 0) }
        guard behind else { return 0 }
        let n = try engine.catchUp(from: store)
        published.withLock { $0 = engine.calendar }
        if n > 0 { changes.signal() }
        return n
    }

    /// Keeps the projection caught up until cancelled: woken by the store's own
    /// appends and replications at once, and looking every
    /// ``ConsoleLimits/pollMilliseconds`` for what another process appended.
    /// A failed catch-up is reported to `failed` and tried again at the next wake.
    public nonisolated func follow(failed: @escaping @Sendable (any Error) -> Void) async {
        while !Task.isCancelled {
            let generation = store.appended.generation
            do { try await refresh() } catch { failed(error) }
            await store.appended.wait(after: generation, timeout: .milliseconds(ConsoleLimits.pollMilliseconds))
        }
    }
}
