import AsyncHTTPClient
import Foundation
import JourneyConsole
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneySync
import JourneyTestSupport
import NIOCore
import NIOHTTP1
import XCTest

/// A simulated two-centre node (`east`, with `west` replicated into it)
/// serving the sync protocol and the console on a loopback port, and an
/// HTTP client that does not follow redirects.
final class ConsoleTestBed: Sendable {
    let directory: String
    let store: LogStore
    let node: Node
    let host: ProjectionHost
    let server: RunningServer
    let client: HTTPClient
    let config: SyncConfig

    static let viewerToken = "viewer-token-0123456789abcdef"
    static let managerToken = "manager-token-0123456789abcdef"
    static let metricsToken = "metrics-token-0123456789abcdef"
    static let westOnlyToken = "westonly-token-0123456789abcdef"
    static let peerToken = "peer-token-0123456789abcdef"

    /// An answer: status, headers, body.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: JSONValue? { try? JSONParser.parse(body) }
        /// The cookie the answer sets, `name=value`.
        var cookie: String? { headers["set-cookie"].first.flatMap { $0.split(separator: ";").first.map(String.init) } }
    }

    init(seed: UInt64, days: Int = 8, clock: any NodeClock = SystemClock()) async throws {
        directory = NSTemporaryDirectory() + "journey-console-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SimulatedNode.twoCentres(directory: directory, seed: seed, days: days)
        node = Node(directory: DataDirectory(directory + "/node"), clock: clock)
        var config = SyncConfig()
        config.clients = [.init(name: "peer", token: Self.peerToken)]
        config.viewers = [
            .init(name: "ops-viewer", token: Self.viewerToken, role: .viewer),
            .init(name: "ops-manager", token: Self.managerToken, role: .manager),
            .init(name: "prometheus", token: Self.metricsToken, role: .metrics),
            .init(name: "west-only", token: Self.westOnlyToken, role: .viewer, sites: ["west"]),
        ]
        self.config = config
        host = try ProjectionHost(node: node, store: store)
        let store = self.store
        let tracker = ReplicationTracker()
        let console = ConsoleServer(node: node, host: host, config: config, tracker: tracker, record: { try store.append($0) })
        server = try await RunningServer.start(SyncServer(store: store, config: config, tracker: tracker), extra: [console])
        client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    }

    func shutdown() async {
        try? await client.shutdown()
        server.stop()
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `GET path` with a bearer token or a cookie.
    func get(_ path: String, token: String? = nil, cookie: String? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: server.url + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        return try await send(request)
    }

    /// `POST path` with a form body.
    func post(_ path: String, form: [(String, String)], token: String? = nil, cookie: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        request.body = .bytes(ByteBuffer(string: URLForm.encode(form.map { (name: $0.0, value: Optional($0.1)) })))
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    /// Signs in with `token`: the session cookie and the page's CSRF token.
    func signIn(_ token: String) async throws -> (cookie: String, csrf: String) {
        let answer = try await post("/login", form: [("token", token), ("next", "/today")])
        XCTAssertEqual(answer.status, 303, answer.body)
        guard let cookie = answer.cookie else { throw XCTSkip("no cookie set") }
        let page = try await get("/today", cookie: cookie)
        guard let r = page.body.range(of: "name=\"csrf\" value=\""),
              let end = page.body[r.upperBound...].firstIndex(of: "\"") else { return (cookie, "") }
        return (cookie, String(page.body[r.upperBound..<end]))
    }
}

extension JSONValue {
    /// The member `key` of an object; nil for anything else.
    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}
