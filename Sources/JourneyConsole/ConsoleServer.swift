import Foundation
import HTTPTypes
import Hummingbird
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneySync
import Logging

/// The operations console, served by `journey serve` beside the sync
/// protocol (same port, same TLS): pages for people, a JSON API for
/// programs and agent desktops, a live stream, and Prometheus metrics.
///
/// Everything needs a viewer of `sync.json`'s `viewers`: browsers sign in at
/// `/login` and carry a session cookie; programs send `Authorization: Bearer
/// TOKEN`. Roles: `viewer` reads, `manager` also acts, `metrics` reads
/// `/metrics` only. Peers' tokens open nothing here (docs/console.md).
public struct ConsoleServer: RouteProvider {
    /// The node whose data is shown.
    public let node: Node
    /// The projection the console reads, kept current by ``ProjectionHost/follow(failed:)``.
    public let host: ProjectionHost
    /// The viewers, peers and TLS settings.
    public let config: SyncConfig
    /// Browser sessions.
    public let sessions: SessionStore
    /// Appends the events an action records (a plan, coaching) to this node's
    /// own log: through the serving process's store when it writes, else by
    /// opening the store for that call.
    public let record: @Sendable ([Event]) throws -> LogStore.AppendResult
    /// Where refused requests are logged.
    public let logger: Logger
    /// Where the peers that pull from this node stood at their last pull.
    public let tracker: ReplicationTracker
    /// Audits of recorded plans run from the console, kept for the node's life.
    public let audits = PlanAudits()

    /// The name of the session cookie.
    public static let cookieName = "journey_session"

    /// A console of `node` reading `host`, for the viewers of `config`.
    public init(node: Node, host: ProjectionHost, config: SyncConfig, tracker: ReplicationTracker = ReplicationTracker(),
                record: @escaping @Sendable ([Event]) throws -> LogStore.AppendResult, logger: Logger = Logger(label: "journey.console")) {
        ConsoleMetrics.bootstrap()
        self.node = node
        self.tracker = tracker
        self.host = host
        self.config = config
        self.sessions = SessionStore(clock: node.clock)
        self.record = record
        self.logger = logger
    }

    /// True when the console is served over TLS (cookies are then `Secure`).
    public var tls: Bool { config.tlsCertificate != nil }

    /// Adds the console's routes.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.add(middleware: ReadOnlyMethods())
        addPageRoutes(to: router)
        addAPIRoutes(to: router)
    }

    // MARK: Who is asking

    /// The viewer a request is made by, and its session when it came with the cookie.
    public struct Principal: Sendable {
        /// The viewer.
        public var viewer: SyncConfig.Viewer
        /// The browser session (nil for a bearer token).
        public var session: SessionStore.Session?
    }

    /// The viewer of the request's bearer token or session cookie; nil when it has neither (or neither is valid).
    func principal(_ request: Request) -> Principal? {
        let header = request.headers[.authorization] ?? ""
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst(7))
            var match: SyncConfig.Viewer?
            // Compare against every viewer so the time taken does not tell which one nearly matched.
            for v in config.viewers where SyncConfig.constantTimeEquals(v.token, token) && !token.isEmpty { match = match ?? v }
            if match == nil { logger.warning("console request refused: wrong token", metadata: ["console.path": "\(request.uri.path)"]) }
            return match.map { Principal(viewer: $0, session: nil) }
        }
        guard let id = request.cookies[Self.cookieName]?.value, let session = sessions.session(id) else { return nil }
        return Principal(viewer: session.viewer, session: session)
    }

    /// The request's viewer, who must hold one of `roles`; else 401 (nobody) or 403 (another role).
    func require(_ request: Request, _ roles: Set<SyncConfig.Viewer.Role>) throws -> Principal {
        guard let p = principal(request) else {
            throw ConsoleError(.unauthorized, "sign in at /login, or send Authorization: Bearer TOKEN with a viewer token of sync.json")
        }
        guard roles.contains(p.viewer.role) else {
            throw ConsoleError(.forbidden, "the \(p.viewer.role.rawValue) role may not do this; it needs \(roles.map(\.rawValue).sorted().joined(separator: " or "))")
        }
        return p
    }

    /// Checks the form's `csrf` field against the session's token: a
    /// state-changing request made with the cookie must carry it (a request
    /// with a bearer token has no ambient credential and needs none).
    func checkCSRF(_ p: Principal, _ form: [String: String]) throws {
        guard let session = p.session else { return }
        guard let given = form["csrf"], SyncConfig.constantTimeEquals(given, session.csrf) else {
            throw ConsoleError(.csrf, "the form's CSRF token is missing or stale; reload the page and try again")
        }
    }

    /// A manager's state-changing request: who made it and its form, after the
    /// role and (for a browser session) the CSRF token are checked.
    func action(_ request: Request) async throws -> (Principal, [String: String]) {
        let p = try require(request, [.manager])
        let form = try await Self.form(request)
        try checkCSRF(p, form)
        return (p, form)
    }

    /// `site` when `p` may see it; 403 otherwise.
    static func checkSite(_ site: String?, _ p: Principal) throws {
        if let site, !p.viewer.sees(site) {
            throw ConsoleError(.forbidden, "\(p.viewer.name) may not see site '\(site)'")
        }
    }

    /// Refuses a filter naming a site, queue, team or agent the projection
    /// does not hold: 404, with what it holds.
    static func checkKnown(_ f: ProjectionQuery.Filter, _ engine: ProjectionEngine) throws {
        do { try engine.checkFilter(f) } catch let e as ProjectionError { throw ConsoleError(.notFound, e.message) }
    }

    /// Refuses a site the projection does not hold: 404, with the sites it holds.
    static func checkKnown(site: String?, _ engine: ProjectionEngine) throws {
        var f = ProjectionQuery.Filter()
        f.site = site
        try checkKnown(f, engine)
    }

    // MARK: Request helpers

    /// The request's query fields (a name given twice is refused).
    static func query(_ request: Request) throws -> [String: String] {
        try URLForm.fields((request.uri.query ?? "")[...])
    }

    /// The request's form body (at most ``ConsoleLimits/formBytesMax`` bytes).
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: ConsoleLimits.formBytesMax)
        } catch {
            throw ConsoleError(.invalid, "the form is larger than \(ConsoleLimits.formBytesMax) bytes")
        }
        return try URLForm.fields(String(decoding: buffer.readableBytesView, as: UTF8.self)[...])
    }

    /// A path parameter, percent-decoded.
    static func parameter(_ context: BasicRequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw ConsoleError(.invalid, "the path needs a '\(name)'")
        }
        return value
    }

    /// The headers every console response carries: no caching, no framing,
    /// no sniffing, no referrer, and only this server's own scripts and styles.
    static func securityHeaders(contentType: String) -> HTTPFields {
        var h = fixedHeaders
        h[.contentType] = contentType
        return h
    }

    /// The headers of ``securityHeaders(contentType:)`` but the content type, built once.
    static let fixedHeaders: HTTPFields = {
        var h: HTTPFields = [:]
        h[.cacheControl] = "no-store"
        let fixed = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
                     ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'")]
        for (name, value) in fixed { if let n = HTTPField.Name(name) { h[n] = value } }
        return h
    }()

    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, extra: [(HTTPField.Name, String)] = []) -> Response {
        var body: [UInt8] = []
        JSONWriter.write(value, into: &body)
        body.append(0x0A)
        var headers = securityHeaders(contentType: "application/json; charset=utf-8")
        for (k, v) in extra { headers[k] = v }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON response of bytes already written.
    static func json(bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: securityHeaders(contentType: "application/json; charset=utf-8"),
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An HTML response.
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers = securityHeaders(contentType: "text/html; charset=utf-8")
        for (k, v) in extra { headers[k] = v }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.text)))
    }

    /// A redirect to `location` (303: the browser follows it with a GET).
    static func redirect(_ location: String, cookie: Cookie? = nil) -> Response {
        var headers = securityHeaders(contentType: "text/plain; charset=utf-8")
        headers[.location] = location
        var r = Response(status: .seeOther, headers: headers)
        if let cookie { r.setCookie(cookie) }
        return r
    }

    /// Runs `body`, turning errors of the projection, the insights and the
    /// node into console errors with the same message (a bad filter is a 400,
    /// not a 500), and anything unexpected into 503 without its details.
    func answering<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as ConsoleError {
            throw e
        } catch let e as any CodedError {
            if e.kind == .badInput { throw ConsoleError(.invalid, e.description) }
            logger.error("console: \(e.qualifiedCode): \(e)")
            throw ConsoleError(.unavailable, "the node could not answer (\(e.qualifiedCode)); see its log")
        } catch {
            logger.error("console: \(error)")
            throw ConsoleError(.unavailable, "the node could not answer; see its log")
        }
    }
}

extension ConsoleServer {
    /// What `Node.serve` runs for the console when `config` has viewers: its
    /// routes, and the follower that keeps its projection current. Actions
    /// append through the served store when it writes (`serve --follow`),
    /// else by opening the store for that call. Nil without viewers.
    public static func served(node: Node, config: SyncConfig, logger: Logger = Logger(label: "journey.console"))
        -> (@Sendable (LogStore, ReplicationTracker) throws -> Served)? {
        guard !config.viewers.isEmpty else { return nil }
        return { store, tracker in try served(node: node, config: config, store: store, tracker: tracker, logger: logger) }
    }

    static func served(node: Node, config: SyncConfig, store: LogStore, tracker: ReplicationTracker, logger: Logger) throws -> Served {
        let host = try ProjectionHost(node: node, store: store)
        let record: @Sendable ([Event]) throws -> LogStore.AppendResult
        if store.options.readOnly {
            record = { events in try node.record(events) }
        } else {
            record = { events in try store.append(events) }
        }
        let console = ConsoleServer(node: node, host: host, config: config, tracker: tracker, record: record, logger: logger)
        return Served(routes: [console], task: {
            await host.follow { error in logger.error("console: the projection could not catch up: \(error)") }
        })
    }
}
