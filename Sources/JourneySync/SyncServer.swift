import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import JourneyLog
import JourneyModel
import Logging
import NIOCore
import NIOSSL

/// Routes served beside the sync protocol on the same port (the web console).
public protocol RouteProvider: Sendable {
    /// Adds this provider's routes to `router`.
    func addRoutes(to router: Router<BasicRequestContext>)
}

/// Serves the logs this node holds (its own and the replicas it relays) to
/// authenticated peers over HTTP/1.1 (TLS when configured).
///
/// - `GET /v1/heads` → `{"site": …, "origins": [{"origin", "lastSeq", "headHash"}, …]}`
/// - `GET /v1/blocks?cursors=a:120,b:0&maxBytes=N&waitMs=W` → the stored
///   blocks after each cursor (origins not named start at 0), back to back,
///   at most `maxBytes` (but always whole blocks, at least one); with `waitMs`,
///   a request with nothing to send waits up to that long for new blocks
///   (long poll) and is answered as soon as one is stored.
///
/// Every request needs `Authorization: Bearer <token>` matching a configured
/// client (compared in constant time); otherwise 401 and nothing is read. A
/// client limited to some origins sees and is sent only those.
public struct SyncServer: Sendable {
    /// The store whose blocks are served.
    public let store: LogStore
    /// Client tokens, the origins each may read, TLS.
    public let config: SyncConfig
    /// Where requests and refusals are logged.
    public let logger: Logger
    /// How often a long poll on a read-only store looks for blocks a separate
    /// writer process appended (the writer's own appends wake it at once).
    public var pollMilliseconds = 20
    /// When false, a long poll on the writer's store also only looks every
    /// `pollMilliseconds` (the behaviour before wake-on-append): the baseline
    /// `journey bench sync` measures beside the woken server.
    public var wakesOnAppend = true
    /// Longest long poll accepted.
    public static let waitMillisecondsMax = 60_000
    /// A connection with no request in flight this long is closed: one that
    /// connects and sends nothing, or half a request head, holds a socket
    /// (and the process's descriptors, which its log needs) no longer. A
    /// long poll is a request in flight, so it is not cut.
    public var idleSeconds: Int64 = 30
    /// Where each client stood at its last pull (replication lag).
    public let tracker: ReplicationTracker

    /// A server of `store` to the clients of `config`, recording their positions in `tracker`.
    public init(store: LogStore, config: SyncConfig, tracker: ReplicationTracker = ReplicationTracker(),
                logger: Logger = Logger(label: "journey.sync.server")) {
        self.store = store
        self.config = config
        self.tracker = tracker
        self.logger = logger
    }

    /// The application, listening on `host:port` (0 picks a free port; `onRunning` gets the bound port),
    /// serving the sync routes and those of `extra` (the web console) on the same port and TLS.
    public func application(host: String, port: Int, extra: [any RouteProvider] = [],
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        throws -> some ApplicationProtocol {
        let router = Router()
        // Requests by route and status, and their durations, for /metrics.
        router.add(middleware: MetricsMiddleware())
        for provider in extra { provider.addRoutes(to: router) }
        let server = self
        router.get("v1/heads") { request, _ -> Response in
            let client = try server.authenticate(request)
            return server.heads(for: client)
        }
        router.get("v1/blocks") { request, _ -> Response in
            let client = try server.authenticate(request)
            return try await server.blocks(request, client: client)
        }
        let builder: HTTPServerBuilder
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(idleSeconds))
        if let cert = config.tlsCertificate, let key = config.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(key))
            builder = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } else {
            builder = .http1(configuration: http1)
        }
        return Application(
            router: router, server: builder,
            configuration: .init(address: .hostname(host, port: port), serverName: "journey"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    func authenticate(_ request: Request) throws -> SyncConfig.Client {
        let header = request.headers[.authorization] ?? ""
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        // Compare against every client so the time taken does not tell which one nearly matched.
        var match: SyncConfig.Client?
        for c in config.clients where SyncConfig.constantTimeEquals(c.token, token) && !token.isEmpty { match = match ?? c }
        guard let client = match else {
            logger.warning("sync request refused: \(header.isEmpty ? "no token" : "wrong token")",
                           metadata: ["sync.path": "\(request.uri.path)"])
            throw HTTPError(.unauthorized, message: "a valid bearer token is required")
        }
        return client
    }

    func allowed(_ origin: String, _ client: SyncConfig.Client) -> Bool { client.origins?.contains(origin) ?? true }

    func heads(for client: SyncConfig.Client) -> Response {
        let origins: [JSONValue] = store.origins.filter { allowed($0, client) }.compactMap { origin in
            guard let snap = store.snapshot(origin: origin) else { return nil }
            return .object(["origin": .string(origin), "lastSeq": .integer(Int64(snap.lastSeq)),
                            "headHash": .string(snap.lastSeq == 0 ? "" : Checksum.hex(snap.headHash))])
        }
        var body: [UInt8] = []
        JSONWriter.write(.object(["site": .string(store.site), "origins": .array(origins)]), into: &body)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func blocks(_ request: Request, client: SyncConfig.Client) async throws -> Response {
        let q = request.uri.queryParameters
        var cursors: [String: UInt64] = [:]
        if let text = q.get("cursors"), !text.isEmpty {
            for part in text.split(separator: ",") {
                let kv = part.split(separator: ":")
                guard kv.count == 2, SiteID.isValid(String(kv[0])), let seq = UInt64(kv[1]) else {
                    throw HTTPError(.badRequest, message: "cursors must be origin:seq pairs separated by commas")
                }
                cursors[String(kv[0])] = seq
            }
        }
        // `origins`: only these origins (a repair asks for one); all when absent.
        let only = q.get("origins").map { Set($0.split(separator: ",").map(String.init)) }
        let maxBytes = min(BlockFrames.responseBytesMax, max(1, q.get("maxBytes").flatMap { Int($0) } ?? BlockFrames.responseBytesMax))
        let waitMs = min(Self.waitMillisecondsMax, max(0, q.get("waitMs").flatMap { Int($0) } ?? 0))
        // Cursors of origins this client may not read are ignored: those origins are simply not served.
        var heads: [String: UInt64] = [:]
        for origin in store.origins where allowed(origin, client) && (only?.contains(origin) ?? true) { heads[origin] = store.lastSeq(of: origin) }
        tracker.record(peer: client.name, cursors: cursors, heads: heads)
        let deadline = ContinuousClock.now + .milliseconds(waitMs)
        while true {
            // Read the append generation before looking, so an append in between wakes the wait below.
            let generation = store.appended.generation
            let body = try collect(cursors: cursors, maxBytes: maxBytes, client: client, only: only)
            let now = ContinuousClock.now
            if !body.isEmpty || now >= deadline {
                return Response(status: .ok, headers: [.contentType: "application/vnd.journey.blocks"],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            // The writer's own appends wake the wait at once; a read-only server also looks again
            // every `pollMilliseconds`, for what a separate writer process appends.
            let left = deadline - now
            try Task.checkCancellation()
            await store.appended.wait(after: generation, timeout: store.options.readOnly || !wakesOnAppend ? min(left, .milliseconds(pollMilliseconds)) : left)
        }
    }

    /// Whole stored blocks after each cursor, origin by origin, up to `maxBytes`.
    func collect(cursors: [String: UInt64], maxBytes: Int, client: SyncConfig.Client, only: Set<String>? = nil) throws -> [UInt8] {
        var body: [UInt8] = []
        // A damaged origin's intact part is served (its blocks were checked at open); nothing past the damage.
        for origin in store.origins where allowed(origin, client) && (only?.contains(origin) ?? true) {
            guard let snap = store.snapshot(origin: origin) else { continue }
            let after = cursors[origin] ?? 0
            guard snap.lastSeq > after else { continue }
            var i = snap.firstBlock(after: after)
            while i < snap.blocks.count {
                if !body.isEmpty && body.count + snap.blocks[i].totalBytes > maxBytes { return body }
                body.append(contentsOf: try snap.block(at: i).bytes)
                i += 1
            }
        }
        return body
    }
}
