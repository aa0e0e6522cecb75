import JourneyModel

/// A query as named options: the same names `journey query` takes
/// (`--repeated-to-channel chat`), the console's URLs (`?repeated-to-channel=chat`)
/// and its JSON API use, written once so that every figure the console shows
/// links to the command that reproduces it.
extension ProjectionQuery {
    /// The query's kind, as `journey query KIND` names it.
    public var kindName: String {
        switch self {
        case .intervals: return "intervals"
        case .agents: return "agents"
        case .teams: return "teams"
        case .sites: return "sites"
        case .customers: return "customers"
        case .journey: return "journey"
        case .contacts: return "contacts"
        }
    }

    /// The kinds of query, in the order `journey query` lists them.
    public static let kindNames = ["intervals", "agents", "teams", "sites", "customers", "journey", "contacts"]

    /// The options that ask this query, in a fixed order: (name, value),
    /// with a nil value for a flag. Defaults are left out.
    public var parameters: [(name: String, value: String?)] {
        var out: [(name: String, value: String?)] = []
        func add(_ name: String, _ value: String?) { if let value { out.append((name, value)) } }
        func flag(_ name: String, _ on: Bool) { if on { out.append((name, nil)) } }
        func filter(_ f: Filter) {
            add("site", f.site); add("queue", f.queue); add("team", f.team); add("agent", f.agent); add("customer", f.customer)
            if let from = f.fromDay, let to = f.toDay, from == to {
                add("day", Timestamp.dateString(day: from))
            } else {
                add("from", f.fromDay.map { Timestamp.dateString(day: $0) }); add("to", f.toDay.map { Timestamp.dateString(day: $0) })
            }
            add("outcome", f.outcome); flag("repeats", f.repeatsOnly); add("route", f.route); add("reason", f.reason)
            flag("repeated", f.repeatedOnly); add("channel", f.channel); flag("counted", f.countedOnly)
            add("repeated-to-channel", f.repeatedToChannel); add("repeated-at-site", f.repeatedAtSite)
            add("window", f.windowMs.map { "\($0 / 3_600_000)h" })
            if f.limit != Filter().limit { add("limit", String(f.limit)) }
        }
        switch self {
        case .intervals(let f), .sites(let f), .contacts(let f): filter(f)
        case .agents(let f, let sort): filter(f); add("sort", sort)
        case .teams(let f, let by): filter(f); if by != .range { add("by", by.rawValue) }
        case .customers(let minRepeats, let limit):
            if minRepeats != 1 { add("min-repeats", String(minRepeats)) }
            if limit != Filter().limit { add("limit", String(limit)) }
        case .journey(let customer): add("customer", customer)
        }
        return out
    }

    /// The `journey query` command that asks this query (with `--data` when
    /// given), each word quoted for a POSIX shell where it needs it.
    public func commandLine(data: String? = nil, json: Bool = false) -> String {
        var words = ["journey", "query", kindName]
        if let data { words += ["--data", data] }
        for p in parameters { words.append("--" + p.name); if let v = p.value { words.append(v) } }
        if json { words.append("--json") }
        return words.map(Self.shellQuoted).joined(separator: " ")
    }

    /// `s` as one shell word: as is when it is made of safe characters, else in single quotes.
    public static func shellQuoted(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "-_./=:,@+".unicodeScalars.contains(c)
        }
        return safe && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The names ``parse(kind:_:)`` accepts; a flag's value is empty, `true`, `1`, `false` or `0`.
    public static let parameterNames: Set<String> = [
        "site", "queue", "team", "agent", "customer", "day", "from", "to", "outcome", "repeats", "route", "reason", "repeated",
        "channel", "counted", "repeated-to-channel", "repeated-at-site", "window", "limit", "sort", "by", "min-repeats",
    ]

    /// The query of kind `kind` with the options `parameters` (name → value,
    /// the names of ``parameters``): what the console's URLs and API ask.
    /// Unknown names and values out of range are refused with the name, as
    /// `journey query` refuses them; `limit` is at most `rowsMax`.
    public static func parse(kind: String, _ parameters: [String: String], rowsMax: Int = 10_000) throws -> ProjectionQuery {
        func bad(_ message: String) -> ProjectionError { ProjectionError(.invalidRequest, message) }
        guard kindNames.contains(kind) else { throw bad("unknown query '\(kind)'; use one of \(kindNames.joined(separator: ", "))") }
        if let unknown = parameters.keys.sorted().first(where: { !parameterNames.contains($0) }) {
            throw bad("unknown parameter '\(unknown)'; the parameters are journey query's options: \(parameterNames.sorted().joined(separator: ", "))")
        }
        func text(_ name: String) throws -> String? {
            guard let v = parameters[name] else { return nil }
            guard !v.isEmpty, v.unicodeScalars.count <= 512 else { throw bad("'\(name)' must be 1 to 512 characters") }
            return v
        }
        func day(_ name: String) throws -> Int64? {
            guard let v = try text(name) else { return nil }
            guard let d = LocalDay(v) else { throw bad("'\(name)' must be a date, YYYY-MM-DD (got '\(v)')") }
            return d.number
        }
        func flag(_ name: String) throws -> Bool {
            guard let v = parameters[name] else { return false }
            switch v {
            case "", "true", "1": return true
            case "false", "0": return false
            default: throw bad("'\(name)' is a flag: give it no value, true or false")
            }
        }
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let v = try text(name) else { return nil }
            guard let n = Int(v), range.contains(n) else { throw bad("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return n
        }
        var f = Filter()
        f.site = try text("site"); f.queue = try text("queue"); f.team = try text("team"); f.agent = try text("agent")
        f.customer = try text("customer")
        let oneDay = try day("day")
        if oneDay != nil && (parameters["from"] != nil || parameters["to"] != nil) { throw bad("give 'day' or 'from'/'to', not both") }
        f.fromDay = try oneDay ?? day("from")
        f.toDay = try oneDay ?? day("to")
        f.outcome = try text("outcome"); f.repeatsOnly = try flag("repeats"); f.route = try text("route"); f.reason = try text("reason")
        f.repeatedOnly = try flag("repeated"); f.channel = try text("channel"); f.countedOnly = try flag("counted")
        f.repeatedToChannel = try text("repeated-to-channel"); f.repeatedAtSite = try text("repeated-at-site")
        if let w = try text("window") {
            let unit = w.last
            guard let n = Int(unit == "h" || unit == "d" ? String(w.dropLast()) : w), n > 0, n <= 24 * 60 else {
                throw bad("'window' must be hours (72h) or days (3d), at most 60 days")
            }
            f.windowMs = Int64(unit == "d" ? n * 24 : n) * 3_600_000
        }
        f.limit = try int("limit", 0...rowsMax) ?? f.limit
        let sort = try text("sort")
        if let sort, !QueryRenderer.agentKPIs.contains(sort) {
            throw bad("'sort' must be one of \(QueryRenderer.agentKPIs.joined(separator: ", "))")
        }
        // Every option given is checked, whether or not this kind uses it (as `journey query` checks them).
        let by = try text("by").map { v -> TeamGrouping in
            guard let g = TeamGrouping(rawValue: v) else { throw bad("'by' must be range, day or week") }
            return g
        }
        let minRepeats = try int("min-repeats", 0...1_000_000) ?? 1
        switch kind {
        case "intervals": return .intervals(f)
        case "agents": return .agents(f, sort: sort)
        case "teams": return .teams(f, by: by ?? .range)
        case "sites": return .sites(f)
        case "customers": return .customers(minRepeats: minRepeats, limit: f.limit)
        case "journey":
            guard let customer = f.customer else { throw bad("journey needs 'customer'") }
            return .journey(customer: customer)
        default: return .contacts(f)
        }
    }

    /// The query's filter; nil for `customers` and `journey`, which have none.
    public var filter: Filter? {
        switch self {
        case .intervals(let f), .sites(let f), .contacts(let f), .agents(let f, _), .teams(let f, _): return f
        case .customers, .journey: return nil
        }
    }
}
