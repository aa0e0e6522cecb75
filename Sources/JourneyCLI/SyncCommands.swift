import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneySync
import Logging

/// Runs async work from a synchronous command and waits for it.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    guard let result = box.result else { throw CLIError(ExitStatus.failure, "internal error: no result") }
    return try result.get()
}

/// The result of async work, written once by the task and read after the semaphore.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// The sync config: `--config FILE`, else `DATA/sync.json`.
struct SyncConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp("Sync config (peers, client tokens, pinned keys); default DATA/sync.json.", valueName: "file"))
    var config: String?

    /// The config when `--config` was given or `DATA/sync.json` exists; nil otherwise.
    func loadIfPresent(_ store: StoreOptions) throws -> SyncConfig? {
        guard config != nil || FileManager.default.fileExists(atPath: store.directory + "/sync.json") else { return nil }
        return try load(store)
    }

    /// The config file in use, when there is one.
    func loadedPath(_ store: StoreOptions) -> String? {
        let path = config ?? store.directory + "/sync.json"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    func load(_ store: StoreOptions) throws -> SyncConfig {
        let path = config ?? store.directory + "/sync.json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(ExitStatus.badInput, "no sync config at \(path); write one (see config/sync.example.json) or pass --config")
        }
        do {
            return try SyncConfig.parse(String(decoding: try InputFile.read(path), as: UTF8.self))
        } catch let e as SyncError {
            throw CLIError(ExitStatus.badInput, "\(path): \(e.message)")
        } catch let e as JSONParser.Failure {
            throw CLIError(ExitStatus.badInput, "\(path) is not valid JSON at byte \(e.offset + 1): \(e.reason)")
        }
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Print this site's public signing key, for other centres to pin.")
    @OptionGroup var store: StoreOptions
    func run() throws {
        do {
            let id = try LogStore.identity(directory: store.directory)
            Console.line("\(id.site) \(Checksum.hex(id.publicKey))")
        } catch { throw ExitStatus.report(error) }
    }
}

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve this node's logs to authenticated peers over HTTP (TLS when configured).",
        discussion: "Runs until interrupted. Protocol: docs/sync-protocol.md.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption
    @Option(help: ArgumentHelp("Address to listen on (overrides 'listen' in the config).", valueName: "host:port"))
    var listen: String?

    @Flag(help: "Also follow the config's peers, pulling their logs into this store (the node runs as one process).")
    var follow = false

    func run() throws {
        do {
            var config = try syncConfig.load(store)
            if let listen {
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                    throw CLIError(ExitStatus.badInput, "--listen must be HOST:PORT")
                }
                config.listenHost = String(listen[..<colon])
                config.listenPort = port
            }
            guard !config.clients.isEmpty else {
                throw CLIError(ExitStatus.badInput, "the sync config has no 'clients': no peer could authenticate; add one per peer with its token")
            }
            // Without --follow, serving only reads: a separate writer (journey sync --follow, import --follow) may run beside it.
            let s = try store.open(readOnly: !follow)
            let server = SyncServer(store: s, config: config)
            let host = config.listenHost, port = config.listenPort
            let peers = follow ? config.peers : []
            let client = SyncClient(store: s, config: config)
            try blockingAwait {
                let app = try server.application(host: host, port: port) { bound in
                    Console.error("serve: \(s.site) serving \(s.origins.joined(separator: ", ")) on \(host):\(bound)"
                                  + (peers.isEmpty ? "" : "; following \(peers.map(\.name).joined(separator: ", "))"))
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await app.runService() }
                    if !peers.isEmpty {
                        group.addTask {
                            await client.follow(peers, stop: { false }) { peer, r in
                                Console.error("serve: pulled \(r.events) events in \(r.blocks) blocks from \(peer.name)")
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch { throw ExitStatus.report(error) }
    }
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull the logs of peers (and every origin they relay) into this store.",
        discussion: """
        Each block is checked (CRC, chain hash, the origin's pinned signature key, chain continuity) before \
        it is stored; a refused block stops the pull from that peer with the reason (exit 4). With --follow, \
        keeps pulling (long polls) until interrupted.
        """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption
    @Option(name: .customLong("peer"), help: ArgumentHelp("Pull from this peer URL (default: every peer in the config).", valueName: "url"))
    var peerURLs: [String] = []
    @Option(help: "Token for --peer URLs not in the config.") var token: String?
    @Flag(help: "Keep following the peers.") var follow = false

    func run() throws {
        do {
            let config = try syncConfig.load(store)
            var peers = config.peers
            if !peerURLs.isEmpty {
                peers = try peerURLs.map { url in
                    if let p = config.peers.first(where: { $0.url == url }) { return p }
                    guard let token else { throw CLIError(ExitStatus.badInput, "\(url) is not in the config's peers; give its --token") }
                    return SyncConfig.Peer(name: url, url: url, token: token)
                }
            }
            guard !peers.isEmpty else { throw CLIError(ExitStatus.badInput, "no peers: add 'peers' to the sync config or pass --peer URL") }
            let client = SyncClient(store: try store.open(), config: config)
            if follow {
                let selected = peers
                try blockingAwait {
                    await client.follow(selected, stop: { false }) { peer, r in
                        Console.error("sync: \(peer.name): stored \(r.events) events in \(r.blocks) blocks")
                    }
                }
                return
            }
            var failed: (any Error)?
            for peer in peers {
                do {
                    let r = try blockingAwait { try await client.pull(from: peer, progress: { Console.error("sync: \($0)") }) }
                    let detail = r.origins.keys.sorted().map { "\($0) +\(r.origins[$0] ?? 0)" }.joined(separator: ", ")
                    Console.line("\(peer.name): stored \(r.events) events in \(r.blocks) blocks" + (detail.isEmpty ? "" : " (\(detail))"))
                } catch {
                    Console.error("journey: sync: \(error)")
                    failed = error
                }
            }
            if let failed {
                let code = (failed as? SyncError).map(ExitStatus.status(of:)) ?? ExitStatus.failure
                throw CLIError(code, "some peers could not be synced; see above")
            }
        } catch { throw ExitStatus.report(error) }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Per origin: local head seq and hash, each peer's head, and the lag.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        do {
            // Without a sync config the node has no peers: its own heads are still its status.
            let config = try syncConfig.loadIfPresent(store) ?? SyncConfig()
            let s = try store.open(readOnly: true)
            if config.peers.isEmpty && !json {
                Console.error("status: no peers configured (\(syncConfig.config ?? store.directory + "/sync.json") is \(syncConfig.loadedPath(store) == nil ? "missing" : "without peers")): local heads only; see config/sync.example.json")
            }
            let client = SyncClient(store: s, config: config)
            var peerHeads: [String: [String: (UInt64, String)]] = [:]
            var unreachable: [String: String] = [:]
            for peer in config.peers {
                do {
                    let heads = try blockingAwait { try await client.heads(of: peer) }
                    peerHeads[peer.name] = Dictionary(heads.map { ($0.origin, ($0.lastSeq, $0.headHash)) }, uniquingKeysWith: { a, _ in a })
                } catch { unreachable[peer.name] = "\(error)" }
            }
            let origins = Set(s.origins).union(peerHeads.values.flatMap(\.keys)).sorted()
            var rows: [JSONValue] = []
            var table = Table(["origin", "local seq", "local head", "peer", "peer seq", "lag (events)", "same head"], numeric: [1, 4, 5])
            for origin in origins {
                let snap = s.snapshot(origin: origin)
                let local = snap?.lastSeq ?? 0
                let hash = snap.map { $0.lastSeq == 0 ? "" : Checksum.hex($0.headHash) } ?? ""
                for peer in config.peers {
                    let ph = peerHeads[peer.name]?[origin]
                    let lag = ph.map { Int64($0.0) - Int64(local) }
                    table.add([origin, String(local), String(hash.prefix(12)), peer.name, ph.map { String($0.0) } ?? "—",
                               lag.map(String.init) ?? "—", ph.map { $0.1 == hash ? "yes" : ($0.0 == local ? "NO" : "-") } ?? "—"])
                    rows.append(.object(["origin": .string(origin), "localSeq": .integer(Int64(local)), "localHead": .string(hash),
                                         "peer": .string(peer.name), "peerSeq": ph.map { .integer(Int64($0.0)) } ?? .null,
                                         "peerHead": ph.map { .string($0.1) } ?? .null, "lag": lag.map { .integer($0) } ?? .null]))
                }
                if config.peers.isEmpty { table.add([origin, String(local), String(hash.prefix(12)), "—", "—", "—", "—"]) }
            }
            if json {
                Console.line(JSONWriter.string(.object(["site": .string(s.site), "origins": .array(rows),
                                                        "unreachable": .object(JSONObject(unreachable.map { .init($0.key, .string($0.value)) }))])))
            } else {
                Console.line(table.render())
                for (peer, why) in unreachable.sorted(by: { $0.key < $1.key }) { Console.error("status: \(peer) unreachable: \(why)") }
            }
        } catch { throw ExitStatus.report(error) }
    }
}
