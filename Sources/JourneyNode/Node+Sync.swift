import JourneyLog
import JourneyModel
import JourneyPostgres
import JourneySync

/// What `serve` runs beside the sync protocol (the web console): routes on
/// the same port, and a task for as long as the server runs.
public struct Served: Sendable {
    /// Routes added to the server.
    public var routes: [any RouteProvider]
    /// Runs beside the server until it is cancelled (the console's projection follower).
    public var task: (@Sendable () async -> Void)?
    /// Routes and a task.
    public init(routes: [any RouteProvider], task: (@Sendable () async -> Void)? = nil) {
        self.routes = routes
        self.task = task
    }
}

extension Node {
    /// Serves this node's logs to the clients `config` names, on its listen
    /// address, until cancelled. With `follow`, the node also pulls from the
    /// config's peers into its store (one process per node); without it, the
    /// store is opened read-only so a separate writer may run beside it.
    /// With `projection`, the node also keeps that PostgreSQL projection
    /// current (``project(to:follow:full:store:pollMilliseconds:stop:round:)``).
    /// With `extra` (the web console), its routes are served on the same
    /// port and its task runs beside the server.
    /// `bound` gets the store and the port once listening; `pulled` each peer's batch; `projected` each export round.
    public func serve(_ config: SyncConfig, follow: Bool, projectTo projection: PostgresProjection? = nil,
                      extra: (@Sendable (LogStore, ReplicationTracker) throws -> Served)? = nil,
                      bound: @escaping @Sendable (LogStore, Int) -> Void,
                      pulled: @escaping @Sendable (SyncConfig.Peer, SyncClient.Report) -> Void,
                      projected: @escaping @Sendable (ProjectRound) -> Void = { _ in }) async throws {
        guard !config.clients.isEmpty || !config.viewers.isEmpty else {
            throw NodeError(.config, "the sync config has no 'clients' and no 'viewers': nobody could authenticate; add a client per peer, or a viewer for the console")
        }
        let store = try openStore(readOnly: !follow)
        defer { store.close() }
        let tracker = ReplicationTracker(clock: clock)
        let served = try extra?(store, tracker)
        let app = try SyncServer(store: store, config: config, tracker: tracker).application(host: config.listenHost, port: config.listenPort,
                                                                           extra: served?.routes ?? []) { port in
            bound(store, port)
        }
        let peers = follow ? config.peers : []
        let client = SyncClient(store: store, config: config)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            if let task = served?.task {
                group.addTask { await task() }
            }
            if !peers.isEmpty {
                group.addTask { await client.follow(peers, stop: { false }, onPull: pulled) }
            }
            // The PostgreSQL projection, woken by this process's appends and replications.
            if let projection {
                group.addTask { try await self.project(to: projection, follow: true, store: store, round: projected) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Pulls once from each of `peers` in turn; a peer that fails does not
    /// stop the others. Returns each peer's report or failure, in order.
    public func pull(from peers: [SyncConfig.Peer], _ config: SyncConfig,
                     progress: @escaping @Sendable (String) -> Void) async throws -> [(peer: SyncConfig.Peer, result: Result<SyncClient.Report, any Error>)] {
        let store = try openStore()
        defer { store.close() }
        let client = SyncClient(store: store, config: config)
        var results: [(peer: SyncConfig.Peer, result: Result<SyncClient.Report, any Error>)] = []
        for peer in peers {
            do {
                results.append((peer, .success(try await client.pull(from: peer, progress: progress))))
            } catch {
                results.append((peer, .failure(error)))
            }
        }
        return results
    }

    /// Keeps pulling from `peers` (long polls) until cancelled.
    public func follow(_ peers: [SyncConfig.Peer], _ config: SyncConfig,
                       pulled: @escaping @Sendable (SyncConfig.Peer, SyncClient.Report) -> Void) async throws {
        let store = try openStore()
        defer { store.close() }
        await SyncClient(store: store, config: config).follow(peers, stop: { false }, onPull: pulled)
    }

    /// Each peer's heads (origin → last seq and head hash); peers that could
    /// not be asked are listed with the reason.
    public func peerHeads(_ config: SyncConfig, store: LogStore) async -> (heads: [String: [String: (seq: UInt64, hash: String)]], unreachable: [String: String]) {
        let client = SyncClient(store: store, config: config)
        var heads: [String: [String: (seq: UInt64, hash: String)]] = [:]
        var unreachable: [String: String] = [:]
        for peer in config.peers {
            do {
                let list = try await client.heads(of: peer)
                heads[peer.name] = Dictionary(list.map { ($0.origin, (seq: $0.lastSeq, hash: $0.headHash)) }, uniquingKeysWith: { a, _ in a })
            } catch { unreachable[peer.name] = "\(error)" }
        }
        return (heads, unreachable)
    }

    /// Restores a damaged origin from the config's peers, trying them one
    /// after another until one supplies everything acknowledged; nil when
    /// none could (each failure goes to ``warn``).
    public func repair(_ need: LogStore.RepairNeed, store: LogStore, _ config: SyncConfig) async throws -> LogStore.RepairReport? {
        let client = SyncClient(store: store, config: config)
        for peer in config.peers {
            do {
                let repair = try store.beginRepair(origin: need.origin, publicKey: config.keys[need.origin])
                while true {
                    let blocks = try await client.blocks(of: need.origin, after: repair.lastSeq, from: peer)
                    if try blocks.isEmpty || repair.add(blocks) == 0 { break }
                }
                guard repair.isComplete else {
                    warn("repair: \(peer.name) holds '\(need.origin)' only through seq \(repair.lastSeq), short of \(need.acknowledgedSeq)")
                    continue
                }
                return try repair.finish()
            } catch {
                warn("repair: \(peer.name): \(error)")
            }
        }
        return nil
    }
}
