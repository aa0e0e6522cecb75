import AsyncHTTPClient
import Foundation
import JourneyLog
import JourneyModel
import Logging
import Metrics
import NIOCore
import NIOSSL
import Synchronization

/// Pulls blocks from peers into the local store.
///
/// The cursor of each origin is the local store's own last seq of that
/// origin: it is read from durable data before every request, so it can
/// never be ahead of what is stored, and a pull cut at any point resumes
/// exactly where the stored data ends. Every block goes through
/// ``LogStore/checkReplicated(_:keys:)`` and ``LogStore/appendReplicated(_:)``: CRC, recomputed chain hash,
/// the origin's pinned signature key, and chain continuity (a fork is a
/// divergence, refused and reported with both hashes).
public final class SyncClient: Sendable {
    /// The store pulled blocks are checked against and stored in.
    public let store: LogStore
    /// Pinned keys and peers' CA files.
    public let config: SyncConfig
    /// Where refusals and divergence are logged.
    public let logger: Logger
    let http: HTTPClient
    /// Longest a request may take (a long poll adds its wait).
    public let requestTimeoutSeconds: Int64 = 60
    /// Most bytes asked for per request (the server sends at least one whole block).
    public let responseBytes: Int

    /// A client storing into `store`, checking blocks against the keys of `config`.
    public init(store: LogStore, config: SyncConfig, http: HTTPClient = .shared,
                logger: Logger = Logger(label: "journey.sync.client"), responseBytes: Int = BlockFrames.responseBytesMax) {
        self.responseBytes = max(1, min(responseBytes, BlockFrames.responseBytesMax))
        self.store = store
        self.config = config
        self.http = http
        self.logger = logger
    }

    /// What a pull stored.
    public struct Report: Sendable, Equatable {
        /// Blocks stored.
        public var blocks = 0
        /// Events in those blocks.
        public var events = 0
        /// Events stored per origin.
        public var origins: [String: Int] = [:]
        /// Nothing stored yet.
        public init() {}
        mutating func add(_ b: Block) {
            blocks += 1
            events += Int(b.header.count)
            origins[b.header.origin, default: 0] += Int(b.header.count)
        }
    }

    /// Pulls everything `peer` has that this node lacks. With `waitMs`, the
    /// first request waits that long for new blocks when there are none.
    ///
    /// A block refused for one origin (bad signature, fork, damage held
    /// locally) stops that origin only: the other origins are still pulled,
    /// and the refusals are thrown together at the end.
    @discardableResult
    public func pull(from peer: SyncConfig.Peer, waitMs: Int = 0, progress: (@Sendable (String) -> Void)? = nil) async throws -> Report {
        let peerHeads = try await heads(of: peer)
        var refused: [String: String] = try checkHeads(peerHeads, of: peer)
        for origin in store.damagedOrigins.keys where refused[origin] == nil {
            refused[origin] = "the local copy of '\(origin)' is damaged; run `journey repair` first"
        }
        var report = Report()
        // How far behind the peer this node is, so progress can say how far along and how long is left.
        let behind = peerHeads.reduce(UInt64(0)) { sum, h in
            let held = store.snapshot(origin: h.origin)?.lastSeq ?? 0
            return h.origin == store.site || refused[h.origin] != nil || h.lastSeq <= held ? sum : sum + (h.lastSeq - held)
        }
        let started = ContinuousClock.now
        var line = ProgressLine(verb: "pulled from \(peer.name)")
        while true {
            let wanted = peerHeads.map(\.origin).filter { $0 != store.site && refused[$0] == nil }
            guard !wanted.isEmpty else { break }
            let asked = cursorSeqs()
            let blocks = try await fetch(peer, origins: wanted, cursors: Self.cursorText(asked), waitMs: report.blocks == 0 ? waitMs : 0)
            if blocks.isEmpty { break }
            // The pull asks again until an answer is empty; an answer with nothing after the cursors
            // asked for would be asked for, and answered, for ever. (Blocks past them that another
            // process stored meanwhile are progress: the next request's cursors move.)
            guard blocks.contains(where: { $0.header.lastSeq > (asked[$0.header.origin] ?? 0) }) else {
                throw SyncError(.protocolViolation, "\(peer.name) answered with blocks this node already holds, none after the positions it asked from (\(Self.cursorText(asked))); it does not follow the sync protocol, so the pull stopped. Check the peer's version and configuration")
            }
            // Checking and storing block (both cores, writes, fsync): off the cooperative pool.
            let alreadyRefused = refused
            let outcome = await Self.offload { self.store(blocks, from: peer, refused: alreadyRefused) }
            for b in outcome.stored { report.add(b) }
            refused = outcome.refused
            if let progress, behind > 0, let text = line.line(done: UInt64(report.events), total: behind,
                                                  elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                progress(text)
            }
        }
        if !refused.isEmpty {
            let stored = report.events > 0 ? " (stored \(report.events) events of the other origins)" : ""
            throw SyncError(.rejected, refused.keys.sorted().compactMap { refused[$0] }.joined(separator: "; ") + stored)
        }
        return report
    }

    /// Checks and stores one pulled batch. The checks that need no store state
    /// (hash, signature, decode, event bounds) run on both cores for the whole
    /// batch; the blocks are then stored one by one, in order. A refused
    /// block stops its origin: its later blocks are passed over. Blocking:
    /// call it through ``offload(_:)``.
    func store(_ blocks: [Block], from peer: SyncConfig.Peer, refused: [String: String]) -> (stored: [Block], refused: [String: String]) {
        var refused = refused
        var stored: [Block] = []
        let checked = store.checkReplicated(blocks, keys: config.keys)
        for (b, check) in zip(blocks, checked) {
            let origin = b.header.origin
            guard refused[origin] == nil else { continue }
            guard config.keys[origin] != nil else {
                Self.refused(peer: peer.name, origin: origin, reason: "unpinned-key")
                logger.error("refused a block of an origin with no pinned key", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(origin)"])
                refused[origin] = "\(peer.name) sent blocks of '\(origin)', whose public key is not pinned; add it to 'keys' in the sync config"
                continue
            }
            do {
                if try store.appendReplicated(try check.get()) {
                    stored.append(b)
                    Counter(label: "journey_blocks_stored_total", dimensions: [("peer", peer.name), ("origin", origin)]).increment()
                }
            } catch {
                Self.refused(peer: peer.name, origin: origin, reason: (error as? any CodedError)?.codeName ?? "failure")
                logger.error("refused a block: \(error)", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(origin)",
                                                                   "log.seq": "\(b.header.firstSeq)"])
                refused[origin] = "\(peer.name): \(error)"
            }
        }
        return (stored, refused)
    }

    /// Counts a refused block (`/metrics`: `journey_blocks_refused_total` by peer, origin and reason; the console's replication page).
    static func refused(peer: String, origin: String, reason: String) {
        Counter(label: "journey_blocks_refused_total", dimensions: [("peer", peer), ("origin", origin), ("reason", reason)]).increment()
        refusals.withLock { $0[RefusalKey(peer: peer, origin: origin, reason: reason), default: 0] += 1 }
    }

    /// Blocks refused by this process since it started, by peer, origin and reason.
    public static var refusedBlocks: [(peer: String, origin: String, reason: String, blocks: Int)] {
        refusals.withLock { all in
            all.map { (peer: $0.key.peer, origin: $0.key.origin, reason: $0.key.reason, blocks: $0.value) }
                .sorted { ($0.peer, $0.origin, $0.reason) < ($1.peer, $1.origin, $1.reason) }
        }
    }

    struct RefusalKey: Hashable, Sendable { var peer: String; var origin: String; var reason: String }
    static let refusals = Mutex<[RefusalKey: Int]>([:])

    /// The queue blocking store work runs on, so that it never holds a thread
    /// of Swift's cooperative pool (two threads on a 2-core node) while it
    /// waits for the disk.
    static let storeQueue = DispatchQueue(label: "journey.sync.store")

    /// Runs blocking `work` on ``storeQueue`` and resumes with its result.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            storeQueue.async { continuation.resume(returning: work()) }
        }
    }

    /// Compares the peer's heads with ours: a peer whose head for an origin
    /// lies at or before ours must have exactly our chain hash at that seq,
    /// else it holds a fork of that origin's history. Returns the forked
    /// origins with the reason (they are not pulled).
    func checkHeads(_ peerHeads: [(origin: String, lastSeq: UInt64, headHash: String)], of peer: SyncConfig.Peer) throws -> [String: String] {
        var forks: [String: String] = [:]
        for h in peerHeads where h.lastSeq > 0 {
            guard let local = store.snapshot(origin: h.origin), local.lastSeq > 0, h.lastSeq <= local.lastSeq else { continue }
            let mine = try local.chainHash(endingAt: h.lastSeq).map { Checksum.hex($0) }
            if mine != h.headHash {
                logger.critical("divergence", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(h.origin)", "log.seq": "\(h.lastSeq)"])
                forks[h.origin] = "\(peer.name) holds a fork of '\(h.origin)': at seq \(h.lastSeq) its head is \(ModelError.excerpt(h.headHash)), ours is \(mine ?? "not a block boundary")\(h.lastSeq < local.lastSeq ? " (the peer is behind us on another history)" : ""); refusing to merge — find which history is genuine before syncing this origin again"
            }
        }
        return forks
    }

    /// The cursors sent with a request: this node's last seq of every origin it holds.
    func cursors() -> String { Self.cursorText(cursorSeqs()) }

    /// The last seq this node holds of each origin: where a pull asks from.
    func cursorSeqs() -> [String: UInt64] {
        var seqs: [String: UInt64] = [:]
        for o in store.origins { if let snap = store.snapshot(origin: o) { seqs[o] = snap.lastSeq } }
        return seqs
    }

    /// Cursors as a request carries them: `origin:seq` pairs, by origin, separated by commas.
    static func cursorText(_ seqs: [String: UInt64]) -> String {
        seqs.keys.sorted().compactMap { o in seqs[o].map { "\(o):\($0)" } }.joined(separator: ",")
    }

    func fetch(_ peer: SyncConfig.Peer, origins: [String]? = nil, cursors explicit: String? = nil, waitMs: Int) async throws -> [Block] {
        var url = "\(peer.url)/v1/blocks?cursors=\(explicit ?? cursors())&maxBytes=\(responseBytes)&waitMs=\(waitMs)"
        if let origins { url += "&origins=\(origins.joined(separator: ","))" }
        let body = try await get(url, peer: peer, timeoutSeconds: requestTimeoutSeconds + Int64(waitMs / 1000))
        do {
            return try BlockFrames.parse(body)
        } catch {
            throw SyncError(.rejected, "\(peer.name) sent blocks that do not parse: \(error)")
        }
    }

    /// Blocks of one origin after `seq`, as `peer` holds them (for repair):
    /// at most one response's worth; empty when the peer has nothing more.
    public func blocks(of origin: String, after seq: UInt64, from peer: SyncConfig.Peer) async throws -> [Block] {
        try await fetch(peer, origins: [origin], cursors: "\(origin):\(seq)", waitMs: 0).filter { $0.header.origin == origin }
    }

    /// A peer's heads: per origin, last seq and head hash.
    public func heads(of peer: SyncConfig.Peer) async throws -> [(origin: String, lastSeq: UInt64, headHash: String)] {
        try Self.parseHeads(try await get("\(peer.url)/v1/heads", peer: peer, timeoutSeconds: 10), peer: peer.name)
    }

    /// Parses a `/v1/heads` body. Whatever `peer` sent, the result is its
    /// heads or a ``SyncError`` (`protocol`), never a trap.
    public static func parseHeads(_ body: [UInt8], peer: String) throws -> [(origin: String, lastSeq: UInt64, headHash: String)] {
        guard case .object(let o) = try? body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
              case .array(let origins)? = o["origins"] else {
            throw SyncError(.protocolViolation, "\(peer): /v1/heads did not return the expected JSON")
        }
        return try origins.map { v in
            guard case .object(let h) = v, let origin = h["origin"]?.stringValue, SiteID.isValid(origin),
                  let seq = h["lastSeq"]?.intValue, let lastSeq = UInt64(exactly: seq) else {
                throw SyncError(.protocolViolation, "\(peer): /v1/heads holds an entry without a valid origin and a non-negative lastSeq")
            }
            return (origin, lastSeq, h["headHash"]?.stringValue ?? "")
        }
    }

    /// Clients for https peers with their own CA, made once per CA file.
    private static let pinnedClients = PinnedClients()

    func client(for peer: SyncConfig.Peer) throws -> HTTPClient {
        guard let ca = peer.caCertificate else { return http }
        return try Self.pinnedClients.client(ca: ca)
    }

    /// One GET of `url` from `peer`, the whole answer — head and body —
    /// within `timeoutSeconds`. The client's own timeout covers the head
    /// only: a peer that sent a head and part of a body and then nothing
    /// held a pull for ever, so the body is read under the same deadline.
    func get(_ url: String, peer: SyncConfig.Peer, timeoutSeconds: Int64) async throws -> [UInt8] {
        let http = try client(for: peer)
        let deadline = NIODeadline.now() + .seconds(timeoutSeconds)
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: "Bearer \(peer.token)")
                let response: HTTPClientResponse
                do {
                    response = try await http.execute(request, deadline: deadline)
                } catch {
                    throw SyncError(.transport, "\(peer.name) (\(peer.url)): \(error)")
                }
                switch response.status.code {
                case 200: break
                case 401: throw SyncError(.unauthorized, "\(peer.name) refused our token (401): check 'token' of this peer in the sync config")
                case 403: throw SyncError(.forbidden, "\(peer.name) does not let this node read some origin (403)")
                default: throw SyncError(.protocolViolation, "\(peer.name) answered HTTP \(response.status.code)")
                }
                do {
                    let buffer = try await response.body.collect(upTo: BlockFrames.bodyBytesMax)
                    return Array(buffer.readableBytesView)
                } catch {
                    throw SyncError(.transport, "\(peer.name): the response was cut (\(error))")
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeoutSeconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else {
                throw SyncError(.transport, "\(peer.name) (\(peer.url)): no whole answer within \(timeoutSeconds) s; the pull stopped and will start again from what was stored")
            }
            return body
        }
    }

    /// Pulls from every peer continuously (long polls of `waitMs`), retrying
    /// after transport errors with a growing pause, until `stop()` says so.
    /// Refused blocks (bad signature, divergence) are logged and retried
    /// later too: nothing is stored from them meanwhile.
    public func follow(_ peers: [SyncConfig.Peer], waitMs: Int = 2_000, stop: @escaping @Sendable () -> Bool,
                       onPull: @escaping @Sendable (SyncConfig.Peer, Report) -> Void = { _, _ in }) async {
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask {
                    var pause = 0.05
                    while !stop() && !Task.isCancelled {
                        do {
                            let r = try await self.pull(from: peer, waitMs: waitMs)
                            if r.blocks > 0 { onPull(peer, r) }
                            pause = 0.05
                        } catch {
                            self.logger.warning("pull failed: \(error)", metadata: ["sync.peer": "\(peer.name)"])
                            try? await Task.sleep(for: .seconds(pause))
                            pause = min(5, pause * 2)
                        }
                    }
                }
            }
        }
    }
}

/// HTTP clients that trust one CA file each (for https peers with a private CA).
final class PinnedClients: Sendable {
    // Clients live for the whole process, like HTTPClient.shared.
    private let clients = Mutex<[String: HTTPClient]>([:])

    func client(ca: String) throws -> HTTPClient {
        try clients.withLock { clients in
            if let c = clients[ca] { return c }
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw SyncError(.config, "cannot read the CA certificate \(ca): \(error)")
            }
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = tls
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[ca] = c
            return c
        }
    }
}
