import JourneyModel

extension SyncConfig {
    /// Someone allowed into the web console, its JSON API or its metrics:
    /// `{"name": "ops", "token": "…", "role": "manager", "sites": ["north"]}`.
    ///
    /// Viewer tokens are separate from peer tokens: a viewer cannot pull
    /// blocks, and a peer cannot open the console.
    public struct Viewer: Sendable, Equatable {
        /// What a viewer may do.
        public enum Role: String, Sendable, CaseIterable {
            /// Reads pages and the API.
            case viewer
            /// Reads, and acts: commits staffing plans, schedules coaching.
            case manager
            /// Reads `/metrics` only (a Prometheus scraper).
            case metrics
        }

        /// A name for logs, and the `by` of the actions this viewer records.
        public var name: String
        /// The bearer token (also what the sign-in form asks for).
        public var token: String
        /// What the viewer may do.
        public var role: Role
        /// When set, the only sites whose figures the viewer sees.
        public var sites: Set<String>?

        /// A viewer known by `token`.
        public init(name: String, token: String, role: Role, sites: Set<String>? = nil) {
            self.name = name
            self.token = token
            self.role = role
            self.sites = sites
        }

        /// True when the viewer may see `site`'s figures.
        public func sees(_ site: String) -> Bool { sites?.contains(site) ?? true }

        /// The viewer as `sync.json` holds it.
        public var json: JSONValue {
            var m: [JSONObject.Member] = [.init("name", .string(name)), .init("token", .string(token)), .init("role", .string(role.rawValue))]
            if let sites { m.append(.init("sites", .array(sites.sorted().map { .string($0) }))) }
            return .object(JSONObject(m))
        }
    }
}

extension SyncConfig.Viewer: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case name, token, role, sites }

    /// Reads a viewer: a token of at least ``SyncConfig/tokenLengthMin``
    /// characters, a known role, valid site names.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let token = try c.decode(String.self, forKey: .token)
        guard token.utf8.count >= SyncConfig.tokenLengthMin else {
            throw ConfigDecoder.failure(c.codingPath + [CodingKeys.token], "is shorter than \(SyncConfig.tokenLengthMin) characters; use a long random secret")
        }
        let roleText = try c.decode(String.self, forKey: .role)
        guard let role = Role(rawValue: roleText) else {
            throw ConfigDecoder.failure(c.codingPath + [CodingKeys.role], "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let sites = try c.decodeIfPresent([String].self, forKey: .sites)
        if let bad = sites?.first(where: { !SiteID.isValid($0) }) {
            throw ConfigDecoder.failure(c.codingPath + [CodingKeys.sites], "holds '\(bad)', which is not a site name")
        }
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "", token: token, role: role, sites: sites.map(Set.init))
    }
}
