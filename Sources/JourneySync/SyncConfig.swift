import JourneyLog
import JourneyModel

/// A node's replication settings, read from a JSON file (example:
/// `config/sync.example.json`, reference in docs/sync-protocol.md):
///
/// ```json
/// {"listen": "127.0.0.1:7401",
///  "tls": {"certificate": "/etc/journey/cert.pem", "key": "/etc/journey/key.pem"},
///  "peers":   [{"name": "south", "url": "https://10.0.0.2:7401", "token": "…", "ca": "/etc/journey/ca.pem"}],
///  "clients": [{"name": "south", "token": "…", "origins": ["north", "east"]}],
///  "keys":    {"north": "<64 hex>", "south": "<64 hex>", "east": "<64 hex>"},
///  "viewers": [{"name": "ops", "token": "…", "role": "manager", "sites": ["north"]}]}
/// ```
///
/// `peers` are the nodes this one pulls from, with the token it presents;
/// `clients` are the nodes allowed to pull from it, each with its token and
/// optionally the only origins it may read; `keys` pins each site's public
/// signing key — a block of an origin without a pinned key is refused;
/// `viewers` are the people and scrapers allowed into the web console and its
/// API (``Viewer``), with tokens separate from the peers'.
public struct SyncConfig: Sendable, Equatable {
    /// A node this one pulls from.
    public struct Peer: Sendable, Equatable {
        /// A name for messages and status (default: the URL).
        public var name: String
        /// The peer's base URL, `http://` or `https://`.
        public var url: String
        /// The bearer token this node presents to the peer.
        public var token: String
        /// PEM file of the CA (or self-signed certificate) to trust for this https peer, instead of the system's CAs.
        public var caCertificate: String?
        /// A peer at `url`, asked with `token`.
        public init(name: String, url: String, token: String, caCertificate: String? = nil) {
            self.name = name
            self.url = url
            self.token = token
            self.caCertificate = caCertificate
        }
    }

    /// A node allowed to pull from this one.
    public struct Client: Sendable, Equatable {
        /// A name for logs and messages.
        public var name: String
        /// The bearer token the client presents.
        public var token: String
        /// When set, the only origins this client may read.
        public var origins: Set<String>?
        /// A client known by `token`, optionally limited to `origins`.
        public init(name: String, token: String, origins: Set<String>? = nil) {
            self.name = name
            self.token = token
            self.origins = origins
        }
    }

    /// The address `journey serve` listens on.
    public var listenHost = "127.0.0.1"
    /// The port `journey serve` listens on.
    public var listenPort = 7400
    /// PEM certificate chain to serve TLS with (with ``tlsKey``); nil serves plain HTTP.
    public var tlsCertificate: String?
    /// PEM private key of ``tlsCertificate``.
    public var tlsKey: String?
    /// The nodes this one pulls from.
    public var peers: [Peer] = []
    /// The nodes allowed to pull from this one.
    public var clients: [Client] = []
    /// Pinned Ed25519 public keys by site.
    public var keys: [String: [UInt8]] = [:]
    /// Who may open the console, its API and its metrics.
    public var viewers: [Viewer] = []

    /// An empty config: listen on 127.0.0.1:7400, no peers, no clients, no keys.
    public init() {}

    /// Shortest token accepted: tokens are secrets, not passwords to remember.
    public static let tokenLengthMin = 16

    /// Parses a sync config; unknown keys and bad values are errors naming the key.
    public static func parse(_ text: String) throws -> SyncConfig {
        do {
            return try ConfigDecoder.decode(SyncConfig.self, from: text)
        } catch let e as ConfigDecoder.Failure {
            throw SyncError(.config, "\(e); see docs/sync-protocol.md")
        }
    }

    /// The config as the JSON ``parse(_:)`` reads (members in a fixed
    /// order, keys sorted): what `journey demo` writes for its stores.
    public var json: JSONValue {
        var o = JSONObject()
        o.members.append(.init("listen", .string("\(listenHost):\(listenPort)")))
        if let tlsCertificate, let tlsKey {
            o.members.append(.init("tls", .object(JSONObject([.init("certificate", .string(tlsCertificate)), .init("key", .string(tlsKey))]))))
        }
        o.members.append(.init("peers", .array(peers.map { p in
            var m: [JSONObject.Member] = [.init("name", .string(p.name)), .init("url", .string(p.url)), .init("token", .string(p.token))]
            if let ca = p.caCertificate { m.append(.init("ca", .string(ca))) }
            return .object(JSONObject(m))
        })))
        o.members.append(.init("clients", .array(clients.map { c in
            var m: [JSONObject.Member] = [.init("name", .string(c.name)), .init("token", .string(c.token))]
            if let origins = c.origins { m.append(.init("origins", .array(origins.sorted().map { .string($0) }))) }
            return .object(JSONObject(m))
        })))
        o.members.append(.init("keys", .object(JSONObject(keys.keys.sorted().map { .init($0, .string(Checksum.hex(keys[$0] ?? []))) }))))
        if !viewers.isEmpty { o.members.append(.init("viewers", .array(viewers.map(\.json)))) }
        return .object(o)
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// Compares two secrets in time independent of where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}

extension SyncConfig: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case listen, tls, peers, clients, keys, viewers }

    private struct TLS: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case certificate, key }
        var certificate: String
        var key: String
    }

    /// Reads a sync config: `listen` as HOST:PORT, peers with http(s) URLs,
    /// client tokens of at least ``tokenLengthMin`` characters, keys of 32 bytes.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let listen = try c.decodeIfPresent(String.self, forKey: .listen) {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ConfigDecoder.Failure(path: "listen", message: "must be HOST:PORT, e.g. 127.0.0.1:7400")
            }
            listenHost = String(listen[..<colon])
            listenPort = port
        }
        if let tls = try c.decodeIfPresent(TLS.self, forKey: .tls) {
            tlsCertificate = tls.certificate
            tlsKey = tls.key
        }
        peers = try c.decodeIfPresent([Peer].self, forKey: .peers) ?? []
        clients = try c.decodeIfPresent([Client].self, forKey: .clients) ?? []
        for (i, client) in clients.enumerated() where client.name.isEmpty { clients[i].name = "client \(i)" }
        for (site, hex) in (try c.decodeIfPresent([String: String].self, forKey: .keys) ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard SiteID.isValid(site), let bytes = Self.hexBytes(hex), bytes.count == 32 else {
                throw ConfigDecoder.Failure(path: "keys.\(site)", message: "must be the 64 hex digits that `journey keys` prints for that site")
            }
            keys[site] = bytes
        }
        viewers = try c.decodeIfPresent([Viewer].self, forKey: .viewers) ?? []
        for (i, viewer) in viewers.enumerated() where viewer.name.isEmpty { viewers[i].name = "viewer \(i)" }
        // A token opens one door: a peer's token must not open the console, nor a viewer's pull blocks.
        for (i, viewer) in viewers.enumerated() {
            if clients.contains(where: { Self.constantTimeEquals($0.token, viewer.token) }) {
                throw ConfigDecoder.Failure(path: "viewers[\(i)].token", message: "is also a client's token; viewers and peers need separate tokens")
            }
            if viewers[..<i].contains(where: { Self.constantTimeEquals($0.token, viewer.token) }) {
                throw ConfigDecoder.Failure(path: "viewers[\(i)].token", message: "is also an earlier viewer's token; give each viewer its own")
            }
        }
    }
}

extension SyncConfig.Peer: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case name, url, token, ca }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let url = try c.decode(String.self, forKey: .url)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigDecoder.failure(c.codingPath + [CodingKeys.url], "must start with http:// or https://")
        }
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? url, url: url,
                  token: try c.decode(String.self, forKey: .token), caCertificate: try c.decodeIfPresent(String.self, forKey: .ca))
    }
}

extension SyncConfig.Client: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case name, token, origins }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let token = try c.decode(String.self, forKey: .token)
        guard token.utf8.count >= SyncConfig.tokenLengthMin else {
            throw ConfigDecoder.failure(c.codingPath + [CodingKeys.token], "is shorter than \(SyncConfig.tokenLengthMin) characters; use a long random secret")
        }
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "", token: token,
                  origins: try c.decodeIfPresent([String].self, forKey: .origins).map(Set.init))
    }
}
