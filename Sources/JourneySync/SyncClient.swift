import AsyncHTTPClient
import Foundation
import JourneyLog
import JourneyModel
import Logging
import NIOCore
import NIOSSL

/// Pulls blocks from peers into the local store.
///
/// The cursor of each origin is the local store's own last seq of that
/// origin: it is read from durable data before every request, so it can
/// never be ahead of what is stored, and a pull cut at any point resumes
/// exactly where the stored data ends. Every block goes through
/// ``LogStore/appendReplicated(_:publicKey:)``: CRC, recomputed chain hash,
/// the origin's pinned signature key, and chain continuity (a fork is a
/// divergence, refused and reported with both hashes).
public final class SyncClient: Sendable {
    public let store: LogStore
    public let config: SyncConfig
    public let logger: Logger
    let http: HTTPClient
    /// Longest a request may take (a long poll adds its wait).
    public let requestTimeoutSeconds: Int64 = 60
    /// Most bytes asked for per request (the server sends at least one whole block).
    public let responseBytes: Int

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
        public var blocks = 0
        public var events = 0
        /// Events stored per origin.
        public var origins: [String: Int] = [:]
        public init() {}
        mutating func add(_ b: Block) {
            blocks += 1
            events += Int(b.header.count)
            origins[b.header.origin, default: 0] += Int(b.header.count)
        }
    }

    /// Pulls everything `peer` has that this node lacks. With `waitMs`, the
    /// first request waits that long for new blocks when there are none.
    @discardableResult
    public func pull(from peer: SyncConfig.Peer, waitMs: Int = 0) async throws -> Report {
        try await checkHeads(of: peer)
        var report = Report()
        while true {
            let blocks = try await fetch(peer, waitMs: report.blocks == 0 ? waitMs : 0)
            if blocks.isEmpty { return report }
            for b in blocks {
                let origin = b.header.origin
                guard let key = config.keys[origin] else {
                    logger.error("refused a block of an origin with no pinned key", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(origin)"])
                    throw SyncError(.rejected, "\(peer.name) sent blocks of '\(origin)', whose public key is not pinned; add it to 'keys' in the sync config")
                }
                do {
                    if try store.appendReplicated(b, publicKey: key) { report.add(b) }
                } catch {
                    logger.error("refused a block: \(error)", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(origin)",
                                                                       "log.seq": "\(b.header.firstSeq)"])
                    throw SyncError(.rejected, "\(peer.name): \(error)")
                }
            }
        }
    }

    /// A peer whose head for an origin is at the same seq as ours but with
    /// another hash holds a fork of that origin's history: refuse loudly.
    func checkHeads(of peer: SyncConfig.Peer) async throws {
        for h in try await heads(of: peer) {
            guard let local = store.snapshot(origin: h.origin), local.lastSeq == h.lastSeq, local.lastSeq > 0 else { continue }
            let mine = Checksum.hex(local.headHash)
            if mine != h.headHash {
                logger.critical("divergence", metadata: ["sync.peer": "\(peer.name)", "log.origin": "\(h.origin)", "log.seq": "\(h.lastSeq)"])
                throw SyncError(.rejected, "\(peer.name) holds a fork of '\(h.origin)': at seq \(h.lastSeq) its head is \(h.headHash), ours is \(mine); refusing to merge — find which history is genuine before syncing this origin again")
            }
        }
    }

    /// The cursors sent with a request: this node's last seq of every origin it holds.
    func cursors() -> String {
        store.origins.compactMap { o in store.snapshot(origin: o).map { "\(o):\($0.lastSeq)" } }.joined(separator: ",")
    }

    func fetch(_ peer: SyncConfig.Peer, waitMs: Int) async throws -> [Block] {
        let url = "\(peer.url)/v1/blocks?cursors=\(cursors())&maxBytes=\(responseBytes)&waitMs=\(waitMs)"
        let body = try await get(url, peer: peer, timeoutSeconds: requestTimeoutSeconds + Int64(waitMs / 1000))
        return try BlockFrames.parse(body)
    }

    /// A peer's heads: per origin, last seq and head hash.
    public func heads(of peer: SyncConfig.Peer) async throws -> [(origin: String, lastSeq: UInt64, headHash: String)] {
        let body = try await get("\(peer.url)/v1/heads", peer: peer, timeoutSeconds: 10)
        guard case .object(let o) = try body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
              case .array(let origins)? = o["origins"] else {
            throw SyncError(.protocolViolation, "\(peer.name): /v1/heads did not return the expected JSON")
        }
        return origins.compactMap { v in
            guard case .object(let h) = v, let origin = h["origin"]?.stringValue, let seq = h["lastSeq"]?.intValue else { return nil }
            return (origin, UInt64(seq), h["headHash"]?.stringValue ?? "")
        }
    }

    /// Clients for https peers with their own CA, made once per CA file.
    private static let pinnedClients = PinnedClients()

    func client(for peer: SyncConfig.Peer) throws -> HTTPClient {
        guard let ca = peer.caCertificate else { return http }
        return try Self.pinnedClients.client(ca: ca)
    }

    func get(_ url: String, peer: SyncConfig.Peer, timeoutSeconds: Int64) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(peer.token)")
        let response: HTTPClientResponse
        do {
            response = try await client(for: peer).execute(request, timeout: .seconds(timeoutSeconds))
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
            let buffer = try await response.body.collect(upTo: BlockFrames.responseBytesMax + (1 << 20))
            return Array(buffer.readableBytesView)
        } catch {
            throw SyncError(.transport, "\(peer.name): the response was cut (\(error))")
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
final class PinnedClients: @unchecked Sendable {
    // Guarded by `lock`; clients live for the whole process, like HTTPClient.shared.
    private let lock = NSLock()
    private var clients: [String: HTTPClient] = [:]

    func client(ca: String) throws -> HTTPClient {
        try lock.withLock {
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
