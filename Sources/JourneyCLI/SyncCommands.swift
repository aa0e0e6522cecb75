import ArgumentParser
import Foundation
import JourneyConsole
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyPostgres
import JourneySync
import Logging

/// The sync config: `--config FILE`, else `DATA/sync.json`.
struct SyncConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp("Sync config (peers, client tokens, pinned keys); default DATA/sync.json.", valueName: "file"))
    var config: String?

    /// The config when `--config` was given or `DATA/sync.json` exists; nil otherwise.
    func loadIfPresent(_ store: StoreOptions) throws -> SyncConfig? {
        try DataDirectory(store.directory).syncConfigIfPresent(at: config)
    }

    /// The config file in use, when there is one.
    func loadedPath(_ store: StoreOptions) -> String? {
        let path = config ?? DataDirectory(store.directory).syncConfigPath
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The config; a missing one is an error that says how to write it.
    func load(_ store: StoreOptions) throws -> SyncConfig {
        try DataDirectory(store.directory).syncConfig(at: config)
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Print this site's public signing key, for other centres to pin.")
    @OptionGroup var store: StoreOptions
    func run() throws {
        let id = try LogStore.identity(directory: store.directory)
        Console.line("\(id.site) \(Checksum.hex(id.publicKey))")
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve this node's logs to authenticated peers, and the web console to its viewers, over HTTP (TLS when configured).",
        discussion: """
        Runs until interrupted. Protocol: docs/sync-protocol.md. When the sync config lists 'viewers', the operations \
        console (pages, live updates, the JSON API under /v1/api/) is served on the same port: docs/console.md.
        """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption
    @Option(help: ArgumentHelp("Address to listen on (overrides 'listen' in the config).", valueName: "host:port"))
    var listen: String?

    @Flag(help: "Also follow the config's peers, pulling their logs into this store (the node runs as one process).")
    var follow = false

    @Option(help: ArgumentHelp("Also keep a PostgreSQL projection current, as `journey project --follow` does (password: --password-file, JOURNEY_POSTGRES_PASSWORD_FILE or PGPASSWORD).",
                               valueName: "url"))
    var projectTo: String?

    @Option(help: ArgumentHelp("With --project-to: a file whose first line is the password.", valueName: "file"))
    var passwordFile: String?

    func run() async throws {
        var config = try syncConfig.load(store)
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw CLIError(.badInput, "--listen must be HOST:PORT")
            }
            config.listenHost = String(listen[..<colon])
            config.listenPort = port
        }
        let host = config.listenHost
        let peers = follow ? config.peers : []
        let target = try projectTo.map {
            try PostgresTarget.resolve(url: $0, passwordFile: passwordFile, environment: ProcessInfo.processInfo.environment)
        }
        let console = Console.current
        let node = store.node()
        let viewers = config.viewers.count
        let scheme = config.tlsCertificate == nil ? "http" : "https"
        try await node.serve(config, follow: follow, projectTo: target.map { PostgresProjection(target: $0) },
                             extra: ConsoleServer.served(node: node, config: config), bound: { s, port in
            Console.error("serve: \(s.site) serving \(s.origins.joined(separator: ", ")) on \(host):\(port)"
                          + (peers.isEmpty ? "" : "; following \(peers.map(\.name).joined(separator: ", "))"))
            if viewers > 0 { Console.error("serve: console for \(viewers) viewer(s) at \(scheme)://\(host):\(port)/") }
        }, pulled: { peer, r in
            Console.error("serve: pulled \(r.events) events in \(r.blocks) blocks from \(peer.name)")
        }, projected: { round in
            if let target { console.err(ProjectCommand.describe(round, target: target)) }
        })
    }
}

struct SyncCommand: AsyncParsableCommand {
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

    func run() async throws {
        let config = try syncConfig.load(store)
        var peers = config.peers
        if !peerURLs.isEmpty {
            peers = try peerURLs.map { url in
                if let p = config.peers.first(where: { $0.url == url }) { return p }
                guard let token else { throw CLIError(.badInput, "\(url) is not in the config's peers; give its --token") }
                return SyncConfig.Peer(name: url, url: url, token: token)
            }
        }
        guard !peers.isEmpty else { throw CLIError(.badInput, "no peers: add 'peers' to the sync config or pass --peer URL") }
        let node = store.node()
        if follow {
            return try await node.follow(peers, config) { peer, r in
                Console.error("sync: \(peer.name): stored \(r.events) events in \(r.blocks) blocks")
            }
        }
        var failed: (any Error)?
        for (peer, result) in try await node.pull(from: peers, config, progress: { Console.error("sync: \($0)") }) {
            switch result {
            case .success(let r):
                let detail = r.origins.keys.sorted().map { "\($0) +\(r.origins[$0] ?? 0)" }.joined(separator: ", ")
                Console.line("\(peer.name): stored \(r.events) events in \(r.blocks) blocks" + (detail.isEmpty ? "" : " (\(detail))"))
            case .failure(let error):
                Console.error("journey: sync: \(error)")
                failed = error
            }
        }
        if let failed {
            throw CLIError((failed as? any CodedError)?.kind ?? .failure, "some peers could not be synced; see above")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Per origin: local head seq and hash, each peer's head, and the lag.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var syncConfig: SyncConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        // Without a sync config the node has no peers: its own heads are still its status.
        let config = try syncConfig.loadIfPresent(store) ?? SyncConfig()
        let node = store.node()
        let s = try node.openStore(readOnly: true)
        if config.peers.isEmpty && !json {
            Console.error("status: no peers configured (\(syncConfig.config ?? DataDirectory(store.directory).syncConfigPath) is \(syncConfig.loadedPath(store) == nil ? "missing" : "without peers")): local heads only; see config/sync.example.json")
        }
        let (peerHeads, unreachable) = await node.peerHeads(config, store: s)
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
    }
}
