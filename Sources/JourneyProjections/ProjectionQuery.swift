import GRDB
import JourneyModel

/// The questions the projections answer (`journey query KIND`).
public enum ProjectionQuery: Sendable {
    /// Filters shared by the queries; days are local day numbers (days since 1970-01-01).
    public struct Filter: Sendable {
        /// Only this site.
        public var site: String?
        /// Only this queue.
        public var queue: String?
        /// Only agents of this team.
        public var team: String?
        /// Only this agent.
        public var agent: String?
        /// Only this customer.
        public var customer: String?
        /// First day (days since 1970-01-01, site-local), inclusive.
        public var fromDay: Int64?
        /// Last day, inclusive.
        public var toDay: Int64?
        /// Only contacts with this outcome.
        public var outcome: String?
        /// Only contacts that repeat an earlier one.
        public var repeatsOnly = false
        /// Only contacts answered on this route (e.g. `overflow`).
        public var route: String?
        /// Contacts: only this contact reason.
        public var reason: String?
        /// Contacts: only this channel.
        public var channel: String?
        /// Contacts: only those the customer contacted again within W after they ended.
        public var repeatedOnly = false
        /// Contacts: only those `insights repeats` counts — ended, with a
        /// customer, and their repeat window closed by the data horizon.
        public var countedOnly = false
        /// Contacts: only those repeated on this channel (a hand-off cause).
        public var repeatedToChannel: String?
        /// Contacts: only those repeated at this site (a cross-site cause).
        public var repeatedAtSite: String?
        /// Contacts: the repeat window W for `repeatedOnly`, `countedOnly` and
        /// the two above, in ms (default: the projection's).
        public var windowMs: Int64?
        /// Most rows returned.
        public var limit = 500
        /// No filter: every site, queue, team, agent and day, 500 rows.
        public init() {}
    }

    /// How `teams` groups its rows.
    public enum TeamGrouping: String, Sendable, CaseIterable { case range, day, week }

    case intervals(Filter)
    case agents(Filter, sort: String?)
    /// Per team over the range (with weekly FCR trend and stability), or one row per team per day or week.
    case teams(Filter, by: TeamGrouping = .range)
    case sites(Filter)
    case customers(minRepeats: Int, limit: Int)
    case journey(customer: String)
    case contacts(Filter)
}

extension ProjectionEngine {
    /// How this projection's query results are rendered (its calendar, parameters, horizon and positions).
    public var renderer: QueryRenderer {
        QueryRenderer(calendar: calendar, parameters: parameters, horizon: horizon, positions: positions)
    }

    /// Answers a query from the projection as it stands (catch up first to include new events).
    public func query(_ q: ProjectionQuery) throws -> QueryResult {
        let r = renderer
        return try read(r.read(q))
    }

    /// The KPI columns of `agents`, which `--sort` accepts.
    public static let agentKPIs = QueryRenderer.agentKPIs

    /// The counts a query's figures are computed from (see ``QueryRenderer/countColumns(_:)``).
    public static func countColumns(_ q: ProjectionQuery) -> [String] { QueryRenderer.countColumns(q) }

    /// Least-squares slope and standard deviation of (x, y) points.
    static func trend(_ points: [(Double, Double)]) -> (Double?, Double?) {
        guard points.count >= 2 else { return (nil, nil) }
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let variance = points.reduce(0) { $0 + ($1.1 - my) * ($1.1 - my) } / (n - 1)
        return (sxx > 0 ? sxy / sxx : nil, variance.squareRoot())
    }
}

/// Renders the typed rows of a query as `journey query` prints them (and
/// `--json` carries them): one renderer per projection, whichever backend
/// the rows come from, so the SQLite file and a PostgreSQL projection
/// answer with the same output.
public struct QueryRenderer: Sendable {
    /// The sites' local calendars (times are written in each site's zone).
    public var calendar: SiteCalendar
    /// The projection's KPI parameters.
    public var parameters: KPIParameters
    /// The data horizon (ms).
    public var horizon: Int64
    /// The positions the projection reflects.
    public var positions: [String: UInt64]

    /// A renderer for a projection in this state.
    public init(calendar: SiteCalendar, parameters: KPIParameters, horizon: Int64, positions: [String: UInt64]) {
        self.calendar = calendar
        self.parameters = parameters
        self.horizon = horizon
        self.positions = positions
    }

    var reads: ProjectionReads { ProjectionReads(parameters: parameters, horizon: horizon) }

    /// The read that answers `q`, rendered.
    public func read(_ q: ProjectionQuery) -> ProjectionRead<QueryResult> {
        let rows: ProjectionRead<([String], [[JSONValue]])>
        switch q {
        case .intervals(let f): rows = reads.intervals(f).map { intervals(f, $0) }
        case .agents(let f, let sort): rows = reads.agentRange(f).map { agentRows(f, sort: sort, $0) }
        case .teams(let f, let by):
            rows = by == .range ? reads.teamRange(f).map { teams(f, $0) }
                : reads.teamPeriods(f, byWeek: by == .week).map { teamPeriods(f, byWeek: by == .week, $0) }
        case .sites(let f): rows = reads.sites(f).map { sites(f, $0) }
        case .customers(let min, let limit): rows = reads.customers(minRepeats: min, limit: limit).map { customers($0) }
        case .journey(let customer): rows = reads.journey(customer: customer).map { (Self.contactColumns, $0.map(contactJSON)) }
        case .contacts(let f): rows = reads.contacts(f).map { (Self.contactColumns, $0.map(contactJSON)) }
        }
        let positions = positions, horizon = horizon
        return rows.map { columns, rows in
            QueryResult(columns: columns, rows: rows, positions: positions, horizon: Timestamp(ms: horizon), countColumns: Set(Self.countColumns(q)))
        }
    }
    func ratio(_ num: Double?, _ den: Double?) -> JSONValue {
        guard let num, let den, den > 0 else { return .null }
        return number(num / den)
    }

    /// A figure as computed, unrounded (tables round for reading; `--json` and `--csv` keep every digit).
    func number(_ x: Double?) -> JSONValue { .exact(x) }

    /// NPS in points (−100 … 100) = 100 × (promoters 9–10 − detractors 0–6) / answers; unknown without answers.
    static func nps(_ counts: (answers: Double, promoters: Double, detractors: Double)?) -> JSONValue {
        guard let c = counts, c.answers > 0 else { return .null }
        return .exact(100 * (c.promoters - c.detractors) / c.answers)
    }

    /// Occupancy: busy / (busy + ready). Unknown (null) when the agents have
    /// no ready and no not-ready time at all: the source recorded no agent
    /// states, and handling calls alone says nothing about idle time.
    func occupancy(busy: Double?, ready: Double?, notReady: Double?) -> JSONValue {
        number(Ratio.occupancy(busyMs: busy, readyMs: ready, notReadyMs: notReady))
    }

    func time(_ ms: Int64?, site: String?) -> JSONValue {
        guard let ms else { return .null }
        return .string(calendar.rfc3339(ms, site: site))
    }

    func dayText(_ day: Int64) -> JSONValue { .string(Timestamp.dateString(day: day)) }

    // MARK: Queries

    func intervals(_ f: ProjectionQuery.Filter, _ rows: [IntervalRow]) -> ([String], [[JSONValue]]) {
        let columns = ["site", "queue", "start", "offered", "answered", "abandoned", "shortAbandoned", "serviceLevel", "asa", "aht",
                       "abandonRate", "loggedAgents", "readyAgents", "refused"] + Self.countColumns(.intervals(f))
        return (columns, rows.map { r in
            [.string(r.site), .string(r.queue), time(r.intervalStart, site: r.site), .integer(r.offered), .integer(r.answered),
             .integer(r.abandoned), .integer(r.shortAbandoned), number(r.serviceLevel), number(r.asaSeconds), number(r.ahtSeconds),
             number(r.abandonRate), number(r.loggedAgents), number(r.readyAgents), .integer(r.refused),
             .integer(r.answeredInSL), .integer(r.waitMsAnswered), .integer(r.handled), .integer(r.handleMs)]
        })
    }

    /// The counts a query's figures are computed from, last in each row: in
    /// `--json` and `--csv`, so a consumer can check a figure or re-aggregate
    /// it (a week's service level from its intervals); tables leave them out.
    /// Durations are in ms. Documented in docs/kpi-definitions.md.
    public static func countColumns(_ q: ProjectionQuery) -> [String] {
        let work = ["closed", "repeated", "transferred", "fcrElapsed", "fcrOK", "surveys", "satisfied", "handleMs", "busyMs", "readyMs", "notReadyMs"]
        switch q {
        case .intervals: return ["answeredInSL", "waitMsAnswered", "handled", "handleMs"]
        case .agents: return ["closed", "repeated", "fcrElapsed", "fcrOK", "surveys", "satisfied", "talkMs", "holdMs", "acwMs", "busyMs", "readyMs", "notReadyMs"]
        case .teams: return work
        case .sites: return ["answeredInSL", "waitMsAnswered", "handled", "handleMs", "closed", "repeated", "fcrElapsed", "fcrOK",
                             "surveys", "satisfied", "busyMs", "readyMs", "notReadyMs", "containedSessions", "npsAnswers", "promoters", "detractors"]
        case .customers, .journey, .contacts: return []
        }
    }

    /// The KPI columns of `agents`, which `--sort` accepts.
    public static let agentKPIs = ["handled", "aht", "talk", "hold", "acw", "fcr", "repeatRate", "transferRate", "csat", "occupancy", "missed", "notReadyMinutes"]

    func agentRows(_ f: ProjectionQuery.Filter, sort: String?, _ rows: [AgentRow]) -> ([String], [[JSONValue]]) {
        let columns = ["agent", "site", "team", "hiredAt"] + Self.agentKPIs + ["coaching"] + Self.countColumns(.agents(f, sort: sort))
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var out: [[JSONValue]] = rows.map { r in
            [.string(r.agent), text(r.site), text(r.team), text(r.hiredAt),
             .integer(r.handled), number(r.ahtSeconds), number(r.talkSeconds), number(r.holdSeconds), number(r.acwSeconds),
             number(r.fcr), number(r.repeatRate), number(r.transferRate), number(r.csat), number(r.occupancy),
             .integer(r.missed), number(Double(r.notReadyMs) / 60_000), .integer(r.coaching)]
                + [r.closed, r.repeated, r.fcrElapsed, r.fcrOK, r.surveys, r.satisfied, r.talkMs, r.holdMs, r.acwMs, r.busyMs, r.readyMs,
                   r.notReadyMs].map { .integer($0) }
        }
        if let sort, let i = columns.firstIndex(of: sort) {
            out.sort { a, b in
                let x = a[i].doubleValue ?? -Double.infinity, y = b[i].doubleValue ?? -Double.infinity
                return x != y ? x > y : (a[0].stringValue ?? "").bytesPrecede(b[0].stringValue ?? "")
            }
        } else {
            // By the agent id's bytes, as SQLite orders them.
            out.sort { ($0[0].stringValue ?? "").bytesPrecede($1[0].stringValue ?? "") }
        }
        return (columns, Array(out.prefix(f.limit)))
    }

    func teams(_ f: ProjectionQuery.Filter, _ rows: [TeamRow]) -> ([String], [[JSONValue]]) {
        let columns = ["team", "site", "agents", "handled", "aht", "fcr", "repeatRate", "transferRate", "csat", "occupancy",
                       "weeks", "fcrTrendPerWeek", "fcrStability"] + Self.countColumns(.teams(f, by: .range))
        return (columns, rows.map { t in
            let r = t.totals
            func d(_ x: Int64) -> Double { Double(x) }
            return [.string(t.team), .string(t.site), .integer(t.agents), .integer(r.handled),
                    ratio(d(r.handleMs) / 1000, d(r.handled)), ratio(d(r.fcrOK), d(r.fcrElapsed)), ratio(d(r.repeated), d(r.closed)),
                    ratio(d(r.transferred), d(r.handled)), ratio(d(r.satisfied), d(r.surveys)),
                    occupancy(busy: d(r.busyMs), ready: d(r.readyMs), notReady: d(r.notReadyMs)), .integer(t.weeks),
                    number(t.fcrTrendPerWeek), number(t.fcrStability)]
                + [r.closed, r.repeated, r.transferred, r.fcrElapsed, r.fcrOK, r.surveys, r.satisfied, r.handleMs, r.busyMs, r.readyMs,
                   r.notReadyMs].map { .integer($0) }
        })
    }

    /// One row per team per day (or week, Monday to Sunday, labelled by its Monday).
    func teamPeriods(_ f: ProjectionQuery.Filter, byWeek: Bool, _ rows: [TeamPeriodRow]) -> ([String], [[JSONValue]]) {
        let columns = ["team", "site", byWeek ? "week" : "day", "agents", "handled", "aht", "fcr", "repeatRate", "transferRate", "csat", "occupancy"]
            + Self.countColumns(.teams(f, by: byWeek ? .week : .day))
        return (columns, rows.map { r in
            func d(_ x: Int64) -> Double { Double(x) }
            return [r.team.map { .string($0) } ?? .null, r.site.map { .string($0) } ?? .null, dayText(r.period),
                    .integer(r.agents), .integer(r.handled), ratio(d(r.handleMs) / 1000, d(r.handled)), ratio(d(r.fcrOK), d(r.fcrElapsed)),
                    ratio(d(r.repeated), d(r.closed)), ratio(d(r.transferred), d(r.handled)), ratio(d(r.satisfied), d(r.surveys)),
                    occupancy(busy: d(r.busyMs), ready: d(r.readyMs), notReady: d(r.notReadyMs))]
                + [r.closed, r.repeated, r.transferred, r.fcrElapsed, r.fcrOK, r.surveys, r.satisfied, r.handleMs, r.busyMs, r.readyMs,
                   r.notReadyMs].map { .integer($0) }
        })
    }

    func sites(_ f: ProjectionQuery.Filter, _ rows: [SiteRow]) -> ([String], [[JSONValue]]) {
        let columns = ["site", "offered", "answered", "abandoned", "shortAbandoned", "serviceLevel", "asa", "aht", "abandonRate",
                       "fcr", "repeatRate", "csat", "occupancy", "agents", "selfServiceSessions", "containment", "refused", "nps"]
            + Self.countColumns(.sites(f))
        return (columns, rows.map { r in
            let w = r.work
            let figures: [JSONValue] = [.string(r.site), .integer(r.offered), .integer(r.answered), .integer(r.abandoned), .integer(r.shortAbandoned),
                                        number(r.serviceLevel), number(r.asaSeconds), number(r.ahtSeconds), number(r.abandonRate),
                                        number(r.fcr), number(r.repeatRate), number(r.csat), number(r.occupancy),
                                        w.map { .integer($0.agents) } ?? .null, .integer(r.selfServiceSessions ?? 0), number(r.containment),
                                        .integer(r.refused), number(r.nps)]
            let traffic: [JSONValue] = [r.answeredInSL, r.waitMsAnswered, r.handled, r.handleMs].map { .integer($0) }
            let work: [JSONValue] = [w?.closed, w?.repeated, w?.fcrElapsed, w?.fcrOK, w?.surveys, w?.satisfied, w?.busyMs, w?.readyMs,
                                     w?.notReadyMs].map { .integer($0 ?? 0) }
            let answers: [JSONValue] = [r.npsAnswers, r.promoters, r.detractors].map { .integer($0 ?? 0) }
            return figures + traffic + work + [.integer(r.containedSessions ?? 0)] + answers
        })
    }

    func customers(_ rows: [CustomerRow]) -> ([String], [[JSONValue]]) {
        let columns = ["customer", "contacts", "repeats", "unresolved", "channels", "sites", "firstAt", "lastAt", "csat", "health"]
        return (columns, rows.map { r in
            [.string(r.customer), .integer(r.contacts), .integer(r.repeats), .integer(r.unresolved), .string(r.channels.joined(separator: ",")),
             .string(r.sites.joined(separator: ",")), time(r.firstAt, site: nil), time(r.lastAt, site: nil), number(r.csat),
             number(r.health(horizon: horizon))]
        })
    }

    static let contactColumns = ["site", "contact", "channel", "customer", "reason", "queue", "agent", "startedAt", "answeredAt",
                                 "endedAt", "waitSeconds", "talkSeconds", "holdSeconds", "acwSeconds", "outcome", "resolved",
                                 "transfers", "route", "csat", "nps", "repeatOf", "repeated"]

    /// Contact rows as `journey query contacts` renders them (times in each site's zone).
    public func contacts(_ rows: [ContactRow]) -> QueryResult {
        QueryResult(columns: Self.contactColumns, rows: rows.map(contactJSON), positions: positions, horizon: Timestamp(ms: horizon))
    }

    func contactJSON(_ r: ContactRow) -> [JSONValue] {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        func seconds(_ ms: Int64?) -> JSONValue { ms.map { number(Double($0) / 1000) } ?? .null }
        func int(_ i: Int64?) -> JSONValue { i.map { .integer($0) } ?? .null }
        let repeated: JSONValue = r.endedAt == nil ? .null
            : r.repeated(windowMs: parameters.repeatWindowMs, horizon: horizon).map { .bool($0) } ?? .string("pending")
        return [.string(r.site), .string(r.contact), text(r.channel), text(r.customer), text(r.reason), text(r.queue), text(r.agent),
                time(r.startedAt, site: r.site), time(r.answeredAt, site: r.site), time(r.endedAt, site: r.site), seconds(r.waitMs),
                seconds(r.talkMs), seconds(r.holdMs), seconds(r.acwMs), .string(r.outcome), r.resolved.map { .bool($0) } ?? .null,
                int(r.transfers), text(r.route), int(r.csat), int(r.nps), text(r.repeatOf), repeated]
    }
}
