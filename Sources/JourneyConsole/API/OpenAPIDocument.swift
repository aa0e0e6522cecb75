import JourneyModel
import JourneyProjections

/// The OpenAPI 3.0 description of the console's JSON API, served at
/// `/v1/api/openapi.json`; the API tests check every answer against it.
public enum OpenAPIDocument {
    /// The document.
    public static let document: JSONValue = {
        var paths: [JSONObject.Member] = []
        paths.append(.init("/v1/api/query/{kind}", .object(["get": operation(
            id: "query", summary: "A projection query, as `journey query KIND --json` answers it",
            description: "The same options as `journey query` (without the dashes in front), with its rules across options: "
                + "`day` or `from`/`to`, not both; `from` not after `to`; `journey` needs `customer`. A request breaking one is "
                + "answered 400 naming it. The response header X-Journey-Command carries the command that reproduces the answer.",
            parameters: [pathParameter("kind", enumeration: ProjectionQuery.kindNames)] + queryParameters,
            response: ref("QueryResult"))])))
        paths.append(.init("/v1/api/now", .object(["get": operation(
            id: "now", summary: "Each site's contacts waiting and agents' states at the data horizon",
            parameters: [queryParameter("site", "Only this site.")], response: ref("Now"))])))
        paths.append(.init("/v1/customers/{key}/journey", .object(["get": operation(
            id: "screenPop", summary: "The customer's latest contacts across channels and sites, newest first, open repeats flagged",
            parameters: [pathParameter("key"), queryParameter("limit", "Most contacts (default 50).", type: "integer", minimum: 1, maximum: Int64(ConsoleLimits.rowsMax))],
            response: ref("Journey"), notFound: true)])))
        paths.append(.init("/v1/api/positions", .object(["get": operation(
            id: "positions", summary: "Per origin, the last seq the console's projection has applied", parameters: [], response: ref("Positions"))])))
        for name in InsightRequest.names {
            paths.append(.init("/v1/api/insights/\(name)", .object(["get": operation(
                id: "insight-\(name)", summary: "The \(name) report, as `journey \(name == "coaching" ? "coach" : "insights " + name) --json` answers it",
                description: "Options as the command takes them, without the dashes in front, with its rules across options "
                    + "(`day` or `from`/`to`, not both; `from` not after `to`): a request breaking one is answered 400 naming it.",
                parameters: InsightRequest.parameters(of: name).map(insightParameter),
                response: ref("Report"))])))
        }
        paths.append(.init("/v1/api/openapi.json", .object(["get": operation(
            id: "openapi", summary: "This document", parameters: [], response: .object(["type": "object"]))])))

        let scalar: JSONValue = .object(["nullable": .bool(true), "oneOf": .array([
            .object(["type": "string"]), .object(["type": "number"]), .object(["type": "boolean"]),
        ])])
        let positions: JSONValue = .object(["type": "object", "additionalProperties": .object(["type": "integer", "minimum": .integer(0)])])
        let rows: JSONValue = .object(["type": "array", "items": .object(["type": "object", "additionalProperties": scalar])])
        let schemas: JSONObject = [
            "Positions": positions,
            "QueryResult": object(["positions": ref("Positions"), "horizon": .object(["type": "string"]), "rows": rows]),
            "Report": object(["title": .object(["type": "string"]), "findings": .object(["type": "array", "items": .object(["type": "string"])]),
                              "positions": ref("Positions"), "horizon": .object(["type": "string"]), "rows": rows]),
            "Now": object(["positions": ref("Positions"), "horizon": .object(["type": "string"]), "rows": .object(["type": "array", "items": object([
                "site": .object(["type": "string"]), "waiting": .object(["type": "integer"]),
                "longestWaitSeconds": .object(["type": "number", "nullable": .bool(true)]),
                "ready": .object(["type": "integer"]), "busy": .object(["type": "integer"]), "notReady": .object(["type": "integer"]),
            ])])]),
            "Journey": object(["customer": .object(["type": "string"]), "positions": ref("Positions"), "horizon": .object(["type": "string"]),
                               "openRepeats": .object(["type": "integer", "minimum": .integer(0)]),
                               "contacts": .object(["type": "array", "items": .object(["type": "object", "additionalProperties": scalar])])]),
            "Error": object(["error": object(["code": .object(["type": "string"]), "message": .object(["type": "string"])])]),
        ]
        return .object([
            "openapi": "3.0.3",
            "info": .object(["title": "JourneyStore console API", "version": "1",
                             "description": .string("Read a node's projections, insights and live state. Authenticate with a viewer token of sync.json "
                                + "(Authorization: Bearer TOKEN) or the console's session cookie.")]),
            "servers": .array([.object(["url": "/"])]),
            "security": .array([.object(["bearer": .array([])]), .object(["session": .array([])])]),
            "paths": .object(JSONObject(paths)),
            "components": .object([
                "securitySchemes": .object([
                    "bearer": .object(["type": "http", "scheme": "bearer"]),
                    "session": .object(["type": "apiKey", "in": "cookie", "name": .string(ConsoleServer.cookieName)]),
                ]),
                "schemas": .object(schemas),
            ]),
        ])
    }()

    /// The query options of `/v1/api/query/{kind}`.
    static var queryParameters: [JSONValue] {
        let help: [String: (String, String)] = [
            "day": ("Only this day.", "date"), "from": ("From this day.", "date"), "to": ("To this day, inclusive.", "date"),
            "limit": ("Most rows.", "integer"), "min-repeats": ("customers: at least this many repeats.", "integer"),
            "repeats": ("contacts: only repeats (a flag: empty, true or false).", "boolean"),
            "repeated": ("contacts: only those repeated within the window.", "boolean"),
            "counted": ("contacts: only those the repeat causes count.", "boolean"),
            "window": ("The repeat window, e.g. 72h or 3d.", "string"), "by": ("teams: range, day or week.", "string"),
            "sort": ("agents: sort by this KPI.", "string"),
        ]
        return ProjectionQuery.parameterNames.sorted().map { name in
            let (text, type) = help[name] ?? ("Only this \(name).", "string")
            switch type {
            case "integer":
                // As ProjectionQuery.parse bounds them.
                return queryParameter(name, text, type: "integer", minimum: 0, maximum: name == "min-repeats" ? 1_000_000 : Int64(ConsoleLimits.rowsMax))
            case "date": return queryParameter(name, text, format: "date")
            case "boolean": return queryParameter(name, text, enumeration: ["", "true", "false", "1", "0"])
            default:
                if name == "by" { return queryParameter(name, text, enumeration: ProjectionQuery.TeamGrouping.allCases.map(\.rawValue)) }
                if name == "sort" { return queryParameter(name, text, enumeration: QueryRenderer.agentKPIs) }
                return queryParameter(name, text)
            }
        }
    }

    /// An insight's option, typed as ``InsightRequest`` reads it.
    static func insightParameter(_ name: String) -> JSONValue {
        switch name {
        case "from", "to", "day", "as-of": return queryParameter(name, "A date, YYYY-MM-DD.", format: "date")
        case "all": return queryParameter(name, "A flag: empty, true or false.", enumeration: ["", "true", "false", "1", "0"])
        case "metric": return queryParameter(name, "fcr or csat.", enumeration: ["fcr", "csat"])
        case "dimension": return queryParameter(name, "Only this dimension.", enumeration: ["route", "queue", "reason", "agent", "handoff", "cross-site"])
        case "window": return queryParameter(name, "The repeat window in hours, e.g. 72 or 72h.", pattern: "^[0-9]{1,4}h?$")
        default:
            if let range = InsightRequest.integerRanges[name] {
                return queryParameter(name, "A whole number.", type: "integer", minimum: Int64(range.lowerBound), maximum: Int64(range.upperBound))
            }
            if let range = InsightRequest.numberRanges[name] {
                return queryParameter(name, "A number.", type: "number", minimumNumber: range.lowerBound, maximumNumber: range.upperBound)
            }
            return queryParameter(name, "As the command's option of the same name.")
        }
    }

    static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    static func object(_ properties: JSONObject) -> JSONValue {
        .object(["type": "object", "required": .array(properties.members.filter { $0.key != "longestWaitSeconds" }.map { .string($0.key) }),
                 "properties": .object(properties)])
    }

    static func pathParameter(_ name: String, enumeration: [String]? = nil) -> JSONValue {
        var schema: JSONObject = ["type": "string", "minLength": .integer(1)]
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        return .object(["name": .string(name), "in": "path", "required": .bool(true), "schema": .object(schema)])
    }

    static func queryParameter(_ name: String, _ description: String, type: String = "string", format: String? = nil,
                               minimum: Int64? = nil, maximum: Int64? = nil, minimumNumber: Double? = nil, maximumNumber: Double? = nil,
                               enumeration: [String]? = nil, pattern: String? = nil) -> JSONValue {
        var schema: JSONObject = ["type": .string(type)]
        if type == "string" && format == nil && enumeration == nil {
            // Values name things (a site, an agent): 1 to 512 characters.
            schema["minLength"] = .integer(1)
            schema["maxLength"] = .integer(512)
        }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let minimumNumber { schema["minimum"] = .exact(minimumNumber) }
        if let maximumNumber { schema["maximum"] = .exact(maximumNumber) }
        if let format { schema["format"] = .string(format) }
        if let minimum { schema["minimum"] = .integer(minimum) }
        if let maximum { schema["maximum"] = .integer(maximum) }
        if let enumeration { schema["enum"] = .array(enumeration.map { .string($0) }) }
        return .object(["name": .string(name), "in": "query", "required": .bool(false), "description": .string(description), "schema": .object(schema)])
    }

    static func operation(id: String, summary: String, description: String? = nil, parameters: [JSONValue], response: JSONValue,
                          notFound: Bool = false) -> JSONValue {
        func error(_ text: String) -> JSONValue {
            .object(["description": .string(text), "content": .object(["application/json": .object(["schema": ref("Error")])])])
        }
        var responses: JSONObject = [
            "200": .object(["description": "The answer", "content": .object(["application/json": .object(["schema": response])])]),
            "400": error("A parameter is not valid (the message names it)"),
            "401": error("No valid token or session"),
            "403": error("The role or the sites do not allow it"),
        ]
        responses["404"] = error(notFound ? "Nothing of that key here" : "A site, queue, team or agent the projection does not hold (the message lists what it holds)")
        var o: JSONObject = ["operationId": .string(id), "summary": .string(summary), "parameters": .array(parameters), "responses": .object(responses)]
        if let description { o["description"] = .string(description) }
        return .object(o)
    }
}
