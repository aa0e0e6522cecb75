import ArgumentParser
import Foundation
import JourneyModel
import JourneyPostgres
import JourneyProjections

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query the projections: intervals, agents, teams, sites, customers, journey, contacts.",
        discussion: """
        The projections are first caught up with the log. KPI definitions: docs/kpi-definitions.md. \
        --json output carries the position vector the figures were computed from. With --db postgres://…, \
        the same query is answered by a PostgreSQL projection (`journey project`), password from \
        --password-file, JOURNEY_POSTGRES_PASSWORD_FILE or PGPASSWORD.
        """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case intervals, agents, teams, sites, customers, journey, contacts }

    @OptionGroup var store: StoreOptions

    @Argument(help: "What to list: intervals | agents | teams | sites | customers | journey | contacts.")
    var kind: Kind

    @Option(help: "Only this site.") var site: String?
    @Option(help: "Only this queue.") var queue: String?
    @Option(help: "Only this team.") var team: String?
    @Option(help: "Only this agent.") var agent: String?
    @Option(help: "The customer (journey, contacts).") var customer: String?
    @Option(help: ArgumentHelp("Only this day (YYYY-MM-DD).", valueName: "date")) var day: DayArgument?
    @Option(help: ArgumentHelp("From this day (YYYY-MM-DD).", valueName: "date")) var from: DayArgument?
    @Option(help: ArgumentHelp("To this day, inclusive (YYYY-MM-DD).", valueName: "date")) var to: DayArgument?
    @Option(help: "Sort agents by this KPI, highest first (handled, aht, fcr, repeatRate, transferRate, csat, occupancy, missed…).")
    var sort: String?
    @Option(help: "teams: one row per team over the range (with trend), or per day or week.") var by: TeamGroupingArgument = .range
    @Option(help: "customers: only those with at least this many repeats.") var minRepeats = 1
    @Option(help: "contacts: only this outcome.") var outcome: String?
    @Flag(help: "contacts: only repeats.") var repeats = false
    @Option(help: "contacts: only this route (e.g. overflow).") var route: String?
    @Option(help: "contacts: only this contact reason.") var reason: String?
    @Flag(help: "contacts: only contacts the customer contacted again within the repeat window.") var repeated = false
    @Option(help: "contacts: only this channel (voice, chat, email, …).") var channel: String?
    @Flag(help: "contacts: only those the repeat causes count (ended, with a customer, repeat window closed).") var counted = false
    @Option(help: ArgumentHelp("contacts: only those repeated on this channel (a hand-off).", valueName: "channel")) var repeatedToChannel: String?
    @Option(help: ArgumentHelp("contacts: only those repeated at this site (a cross-site move).", valueName: "site")) var repeatedAtSite: String?
    @Option(help: "contacts: the repeat window for --repeated, --counted and the two above, e.g. 48h (default: the projection's).")
    var window: WindowArgument?
    @Option(help: "Most rows.") var limit = 500
    @Option(help: ArgumentHelp("Read this projection file (from `journey replay`), or a PostgreSQL projection (postgres://USER@HOST:PORT/DATABASE), instead of the store's.",
                               valueName: "file|url"))
    var db: String?
    @Option(help: ArgumentHelp("With --db postgres://…: a file whose first line is the password.", valueName: "file"))
    var passwordFile: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV.") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
        if kind == .journey && customer == nil { throw ValidationError("journey needs --customer") }
        if day != nil && (from != nil || to != nil) { throw ValidationError("give --day or --from/--to, not both") }
        if let sort, !ProjectionEngine.agentKPIs.contains(sort) {
            throw ValidationError("--sort must be one of \(ProjectionEngine.agentKPIs.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let q = query
        let result: QueryResult
        if let db, PostgresTarget.isURL(db) {
            let reader = PostgresReader(target: try PostgresTarget.resolve(url: db, passwordFile: passwordFile,
                                                                          environment: ProcessInfo.processInfo.environment))
            for (dimension, value) in filterValues {
                try Projections.checkFilter(dimension, value, known: try await reader.knownValues(dimension))
            }
            result = try await reader.query(q)
        } else {
            let engine = try db.map { try store.node().projections(at: $0) } ?? Projections.caughtUp(store).1
            for (dimension, value) in filterValues { try Projections.checkFilter(dimension, value, known: try engine.knownValues(dimension)) }
            result = try engine.query(q)
        }
        Output.print(result, json: json, csv: csv)
        if kind != .journey && kind != .sites && result.rows.count >= limit {
            Console.error("query: the first \(limit) rows are shown (--limit); there may be more")
        }
    }
}

extension QueryCommand {
    /// The filters naming a site, queue, team or agent, to check against what the projection holds.
    var filterValues: [(ProjectionEngine.FilterDimension, String)] {
        [(.site, site), (.queue, queue), (.team, team), (.agent, agent)].compactMap { d, v in v.map { (d, $0) } }
    }

    /// The query the options ask.
    var query: ProjectionQuery {
        var f = ProjectionQuery.Filter()
        f.site = site; f.queue = queue; f.team = team; f.agent = agent; f.customer = customer
        f.fromDay = day?.day ?? from?.day
        f.toDay = day?.day ?? to?.day
        f.outcome = outcome; f.repeatsOnly = repeats; f.route = route; f.limit = limit
        f.reason = reason; f.channel = channel; f.repeatedOnly = repeated
        f.countedOnly = counted; f.repeatedToChannel = repeatedToChannel; f.repeatedAtSite = repeatedAtSite
        f.windowMs = window.map { Int64($0.hours) * 3_600_000 }
        switch kind {
        case .intervals: return .intervals(f)
        case .agents: return .agents(f, sort: sort)
        case .teams: return .teams(f, by: ProjectionQuery.TeamGrouping(rawValue: by.rawValue) ?? .range)
        case .sites: return .sites(f)
        case .customers: return .customers(minRepeats: minRepeats, limit: limit)
        case .journey: return .journey(customer: customer ?? "")
        case .contacts: return .contacts(f)
        }
    }
}

/// Prints query results as a table, JSON or CSV.
enum Output {
    /// One `printf` format per column, nil for a column without fractions: a
    /// column holding any fraction shows every number with the same decimals —
    /// as many as its values carry, at most 3 when all are below 10 in size,
    /// else 1 — so 2.7, -5 and 22.7 read 2.7, -5.0, 22.7, and z-scores of one
    /// decimal are not padded to three.
    static func columnFormats(_ r: QueryResult) -> [String?] {
        r.columns.indices.map { i in
            let fractions = r.rows.compactMap { row -> String? in if case .number(let text) = row[i] { return text }; return nil }
            guard !fractions.isEmpty else { return nil }
            let carried = fractions.map { text in
                text.split(separator: "e", maxSplits: 1).first?.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
            }.max() ?? 0
            let small = r.rows.allSatisfy { abs($0[i].doubleValue ?? 0) < 10 }
            return "%.\(max(1, min(small ? 3 : 1, carried)))f"
        }
    }

    static func print(_ full: QueryResult, json: Bool, csv: Bool) {
        if json { Console.line(JSONWriter.string(full.json)); return }
        if csv {
            Console.line(full.columns.joined(separator: ","))
            for row in full.rows { Console.line(row.map { csvField(text($0)) }.joined(separator: ",")) }
            return
        }
        // Tables are for reading: the counts behind the figures stay in --json and --csv.
        let r = full.withoutCounts
        var t = Table(r.columns, numeric: Set(r.columns.indices.filter { i in r.rows.first.map { $0[i].doubleValue != nil } ?? false }))
        let formats = columnFormats(r)
        for row in r.rows {
            t.add(row.enumerated().map { i, v in
                guard let f = formats[i], let d = v.doubleValue else { return text(v, rounded: true) }
                return String(format: f, d)
            })
        }
        Console.line(t.render())
        Console.line("(\(r.rows.count) row(s); data up to \(r.horizon.rfc3339); positions " +
                     r.positions.keys.sorted().map { "\($0)=\(r.positions[$0] ?? 0)" }.joined(separator: ",") + ")")
    }

    static func text(_ v: JSONValue, rounded: Bool = false) -> String {
        switch v {
        case .null: return rounded ? "—" : ""
        case .string(let s): return s
        case .bool(let b): return b ? "yes" : "no"
        case .integer(let i): return String(i)
        case .number(let n):
            guard rounded, let d = Double(n) else { return n }
            return String(format: abs(d) < 10 ? "%.3f" : "%.1f", d)
        default: return JSONWriter.string(v)
        }
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

enum TeamGroupingArgument: String, ExpressibleByArgument, CaseIterable { case range, day, week }
