import HTTPTypes
import Hummingbird
import JourneyModel
import JourneyProjections
import JourneySync

/// The JSON API under `/v1/api/` (described by ``OpenAPIDocument``) and the
/// screen-pop `/v1/customers/{key}/journey`.
extension ConsoleServer {
    /// Readers of the pages and the API.
    static let readers: Set<SyncConfig.Viewer.Role> = [.viewer, .manager]

    func addAPIRoutes(to router: Router<BasicRequestContext>) {
        let server = self
        router.get("v1/api/openapi.json") { request, _ -> Response in
            _ = try server.require(request, Self.readers)
            return Self.json(OpenAPIDocument.document)
        }
        router.get("v1/api/query/:kind") { request, context -> Response in
            let p = try server.require(request, Self.readers)
            return try await server.queryResponse(kind: try Self.parameter(context, "kind"), try Self.query(request), p)
        }
        router.get("v1/api/now") { request, _ -> Response in
            let p = try server.require(request, Self.readers)
            let site = try Self.query(request)["site"]
            return Self.json(try await server.now(site: site, p).json)
        }
        router.get("v1/customers/:key/journey") { request, context -> Response in
            let p = try server.require(request, Self.readers)
            return Self.json(bytes: try await server.screenPop(customer: try Self.parameter(context, "key"), try Self.query(request), p))
        }
        router.get("v1/api/insights/:name") { request, context -> Response in
            let p = try server.require(request, Self.readers)
            let insight = try InsightRequest.parse(try Self.parameter(context, "name"), try Self.query(request))
            try Self.checkSite(insight.site, p)
            if insight.site == nil, p.viewer.sites != nil {
                throw ConsoleError(.forbidden, "\(p.viewer.name) sees only some sites: name one of them with 'site'")
            }
            let report = try await server.answering { try await server.host.read { engine in try insight.report(engine) } }
            return Self.json(report.json)
        }
        router.get("v1/live") { request, _ -> Response in
            _ = try server.require(request, Self.readers)
            return server.liveResponse()
        }
        router.get("metrics") { request, _ -> Response in
            _ = try server.require(request, [.metrics, .viewer, .manager])
            let body = ConsoleMetrics.exposition(store: server.host.store, projected: await server.host.positions, tracker: server.tracker)
            var headers = Self.securityHeaders(contentType: "text/plain; version=0.0.4; charset=utf-8")
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("v1/api/positions") { request, _ -> Response in
            _ = try server.require(request, Self.readers)
            return Self.json(Self.positionsJSON(await server.host.positions))
        }
    }

    /// `journey query KIND` with the request's options: the same JSON as `--json`.
    func queryResponse(kind: String, _ fields: [String: String], _ p: Principal) async throws -> Response {
        let q = try await answering { try ProjectionQuery.parse(kind: kind, fields, rowsMax: ConsoleLimits.rowsMax) }
        try Self.checkSite(q.filter?.site, p)
        let result = try await answering {
            try await host.read { engine in
                if let f = q.filter { try ConsoleServer.checkKnown(f, engine) }
                return try engine.query(q)
            }
        }
        let command = q.commandLine(json: true)
        let printable = command.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        return Self.json(restricted(result, p).json, extra: printable ? [(HTTPField.Name("X-Journey-Command") ?? .via, command)] : [])
    }

    /// `result` with only the rows of sites `p` may see (the `site` column,
    /// or any of a customer's `sites`); all of it for a viewer of every site.
    func restricted(_ result: QueryResult, _ p: Principal) -> QueryResult {
        guard p.viewer.sites != nil else { return result }
        var r = result
        if let i = result.columns.firstIndex(of: "site") {
            r.rows = result.rows.filter { row in row[i].stringValue.map(p.viewer.sees) ?? false }
        } else if let i = result.columns.firstIndex(of: "sites") {
            r.rows = result.rows.filter { row in (row[i].stringValue ?? "").split(separator: ",").contains { p.viewer.sees(String($0)) } }
        }
        return r
    }

    /// Each visible site's state at the horizon (`site`: that one only).
    func now(site: String?, _ p: Principal) async throws -> NowResult {
        try Self.checkSite(site, p)
        let (rows, positions, horizon) = try await answering {
            try await host.read { engine in
                try ConsoleServer.checkKnown(site: site, engine)
                return (try engine.read(engine.reads.now(site: site)), engine.positions, engine.dataHorizon)
            }
        }
        return NowResult(rows: rows.filter { p.viewer.sees($0.site) }, positions: positions, horizon: horizon)
    }

    /// Sites' states at the horizon, with the positions they were read at.
    struct NowResult: Sendable {
        var rows: [SiteNowRow]
        var positions: [String: UInt64]
        var horizon: Timestamp
        var json: JSONValue {
            .object(["positions": ConsoleServer.positionsJSON(positions), "horizon": .string(horizon.rfc3339), "rows": .array(rows.map { r in
                .object(["site": .string(r.site), "waiting": .integer(r.waiting),
                         "longestWaitSeconds": r.longestWaitMs.map { .exact(Double($0) / 1000) } ?? .null,
                         "ready": .integer(r.ready), "busy": .integer(r.busy), "notReady": .integer(r.notReady)])
            })])
        }
    }

    /// The screen-pop: the customer's latest contacts across channels and
    /// sites, newest first; a contact that repeats an earlier one and whose
    /// own repeat window is still open at the horizon is an open repeat.
    func screenPop(customer: String, _ fields: [String: String], _ p: Principal) async throws -> [UInt8] {
        if let unknown = fields.keys.first(where: { $0 != "limit" }) {
            throw ConsoleError(.invalid, "unknown parameter '\(unknown)'; the screen-pop takes only 'limit'")
        }
        let limit = try fields["limit"].map { v -> Int in
            guard let n = Int(v), (1...ConsoleLimits.rowsMax).contains(n) else {
                throw ConsoleError(.invalid, "'limit' must be a whole number from 1 to \(ConsoleLimits.rowsMax)")
            }
            return n
        } ?? ConsoleLimits.screenPopContacts
        guard customer.utf8.count <= 512 else { throw ConsoleError(.invalid, "a customer key is at most 512 bytes") }
        // Read beside the projection's engine (on any core), with the positions and horizon of the same transaction.
        let snapshot = try await answering { try host.reader.read { $0.recentContacts(customer: customer, limit: limit) } }
        let windowMs = host.reader.parameters.repeatWindowMs
        let result = QueryRenderer(calendar: host.calendar, parameters: host.reader.parameters, horizon: snapshot.horizon,
                                   positions: snapshot.positions).contacts(snapshot.value)
        let horizon = result.horizon.ms
        // The rows this viewer may see, each with its open-repeat flag.
        let shown = zip(snapshot.value, result.rows).filter { p.viewer.sees($0.0.site) }.map { row, values in
            (values, row.repeatOf != nil && (row.endedAt.map { horizon - $0 < windowMs } ?? true))
        }
        guard !shown.isEmpty else { throw ConsoleError(.notFound, "no contacts of customer '\(customer)' here") }
        // Written straight to bytes (the most frequent request): {"customer", "positions", "horizon", "openRepeats", "contacts"}.
        var out: [UInt8] = []
        out.reserveCapacity(256 + shown.count * 640)
        out += Array(#"{"customer":"#.utf8)
        JSONWriter.writeString(customer, into: &out)
        out += Array(#","positions":"#.utf8)
        JSONWriter.write(Self.positionsJSON(result.positions), into: &out)
        out += Array(#","horizon":"#.utf8)
        JSONWriter.writeString(result.horizon.rfc3339, into: &out)
        out += Array(#","openRepeats":"#.utf8)
        JSONWriter.writeInteger(Int64(shown.filter(\.1).count), into: &out)
        out += Array(#","contacts":["#.utf8)
        for (k, (values, openRepeat)) in shown.enumerated() {
            out.append(k == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
            if k > 0 { out.append(UInt8(ascii: "{")) }
            for (i, column) in result.columns.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(column, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.write(values[i], into: &out)
            }
            out += Array((openRepeat ? #","openRepeat":true}"# : #","openRepeat":false}"#).utf8)
        }
        out += Array("]}\n".utf8)
        return out
    }

    /// `{"origin": lastSeq, …}` in origin order.
    static func positionsJSON(_ positions: [String: UInt64]) -> JSONValue {
        .object(JSONObject(positions.keys.sorted().map { .init($0, .integer(Int64(positions[$0] ?? 0))) }))
    }
}
