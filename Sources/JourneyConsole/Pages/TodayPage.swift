import JourneyModel
import JourneyProjections
import JourneyStaffing

/// Today at one site: offered, answered and abandoned contacts per interval
/// against the service-level target, the day's figures, and "now" tiles
/// (contacts waiting, the longest wait, agents ready, busy and not ready).
/// "Today" is the site's local day at the data horizon unless `day` is given.
struct TodayPage: Sendable {
    var sites: [String]
    var site: String
    var day: Int64
    /// The site's figures for the day: the same row as `journey query sites --site S --day D`.
    var totals: SiteRow?
    /// Per interval of the day (every slot, empty ones included), all queues summed.
    var slots: [(start: Int64, label: String, row: IntervalRow?)]
    var now: SiteNowRow?
    var serviceLevelSeconds: Int
    var positions: [String: UInt64]
    var horizon: Timestamp

    /// The service-level target drawn on the chart: the staffing plan's default.
    static let target = PlanParameters().target

    /// Reads the page's figures from `engine`.
    static func read(_ engine: ProjectionEngine, _ fields: [String: String], _ p: ConsoleServer.Principal, own: String) throws -> TodayPage {
        let (sites, site) = try ConsoleServer.pickSite(fields, known: try engine.knownValues(.site), p, own: own)
        let day: Int64
        if let text = fields["day"] {
            guard let d = LocalDay(text) else { throw ConsoleError(.invalid, "'day' must be a date, YYYY-MM-DD") }
            day = d.number
        } else {
            day = engine.horizonDay(site: site)
        }
        var f = ProjectionQuery.Filter()
        f.site = site; f.fromDay = day; f.toDay = day; f.limit = 100_000
        let reads = engine.reads
        let rows = try engine.read(reads.intervals(f))
        let byStart = Dictionary(grouping: rows, by: \.intervalStart)
        let length = engine.parameters.intervalMs
        let first = engine.calendar.dayStartUTC(day, site: site), end = engine.calendar.dayStartUTC(day + 1, site: site)
        var slots: [(start: Int64, label: String, row: IntervalRow?)] = []
        var t = first
        while t < end && slots.count < 200 {
            let label = String(engine.calendar.rfc3339(t, site: site).dropFirst(11).prefix(5))
            slots.append((t, label, IntervalRow.total(byStart[t] ?? [], site: site, queue: "all", intervalStart: t)))
            t += length
        }
        return TodayPage(sites: sites, site: site, day: day, totals: try engine.read(reads.sites(f)).first,
                         slots: slots, now: try engine.read(reads.now(site: site)).first,
                         serviceLevelSeconds: engine.parameters.serviceLevelSeconds, positions: engine.positions, horizon: engine.dataHorizon)
    }

    /// The page's content.
    var content: HTML {
        let date = Timestamp.dateString(day: day)
        let t = totals
        func share(_ x: Double?) -> String { x.map { HTML.decimal($0 * 100, digits: 1) + " %" } ?? "—" }
        func seconds(_ x: Double?) -> String { x.map { HTML.decimal($0, digits: 1) + " s" } ?? "—" }
        func tile(_ label: String, _ value: String, _ cls: String = "", id: String) -> HTML {
            "<div class=\"tile \(cls)\" id=\"\(id)\"><div class=\"label\">\(label)</div><div class=\"value\">\(value)</div></div>"
        }
        let sl = t?.serviceLevel
        let slClass = sl.map { $0 >= Self.target ? "good" : "bad" } ?? ""
        let dayTiles: [HTML] = [
            tile("Offered", String(t?.offered ?? 0), id: "offered"), tile("Answered", String(t?.answered ?? 0), id: "answered"),
            tile("Abandoned", String(t?.abandoned ?? 0), id: "abandoned"),
            tile("Service level", share(sl), slClass, id: "service-level"), tile("ASA", seconds(t?.asaSeconds), id: "asa"),
            tile("AHT", seconds(t?.ahtSeconds), id: "aht"),
        ]
        let n = now
        let longest = n?.longestWaitMs.map { HTML.decimal(Double($0) / 1000, digits: 0) + " s" } ?? "—"
        let nowTiles: [HTML] = [
            tile("Waiting", String(n?.waiting ?? 0), (n?.waiting ?? 0) > 0 ? "bad" : "", id: "waiting"), tile("Longest wait", longest, id: "longest-wait"),
            tile("Agents ready", String(n?.ready ?? 0), id: "ready"), tile("Agents busy", String(n?.busy ?? 0), id: "busy"),
            tile("Not ready", String(n?.notReady ?? 0), id: "not-ready"),
        ]
        let chart = SVGChart(
            labels: slots.map(\.label),
            bars: [
                .init(name: "offered", cssClass: "offered", fill: "#c9d6f2", values: slots.map { Double($0.row?.offered ?? 0) }),
                .init(name: "answered", cssClass: "answered", fill: "#2456c7", values: slots.map { Double($0.row?.answered ?? 0) }),
                .init(name: "abandoned", cssClass: "abandoned", fill: "#c23b22", values: slots.map { Double($0.row?.abandoned ?? 0) }),
            ],
            lines: [
                .init(name: "service level", stroke: "#1f8a4c", values: slots.map { $0.row?.serviceLevel }),
                .init(name: "target \(Int(Self.target * 100)) % in \(serviceLevelSeconds) s", stroke: "#b7791f",
                      values: slots.map { _ in Self.target }, dashed: true),
            ],
            title: "\(site) \(date): contacts and service level per interval")
        let table = Layout.table(["interval", "offered", "answered", "abandoned", "service level", "ASA s", "AHT s"],
                                 slots.compactMap { s -> [HTML]? in
                                     guard let r = s.row, r.offered > 0 || r.handled > 0 else { return nil }
                                     return ["\(s.label)", "\(r.offered)", "\(r.answered)", "\(r.abandoned)", "\(share(r.serviceLevel))",
                                             "\(r.asaSeconds.map { HTML.decimal($0, digits: 1) } ?? "—")",
                                             "\(r.ahtSeconds.map { HTML.decimal($0, digits: 1) } ?? "—")"]
                                 }, numeric: Set(1...6))
        let sitesQuery = ProjectionQuery.sites(filter(site: site, day: day))
        let intervalsQuery = ProjectionQuery.intervals(filter(site: site, day: day))
        return """
            <h1>Today at \(site) <span class="muted">\(date)</span></h1>
            \(Layout.sitePicker(action: "/today", sites: sites, current: site))
            <h2>Now <span class="muted">at \(horizon.rfc3339)</span></h2>
            <div class="tiles" id="now">\(nowTiles)</div>
            <h2>The day</h2>
            <div class="tiles" id="day">\(dayTiles)</div>
            \(Layout.command(sitesQuery.commandLine(json: true)))
            \(chart.svg)\(chart.legend)
            <h2>Intervals</h2>
            \(table)
            \(Layout.command(intervalsQuery.commandLine()))
            \(Layout.stamp(positions: positions, horizon: horizon))
            """
    }

    func filter(site: String, day: Int64) -> ProjectionQuery.Filter {
        var f = ProjectionQuery.Filter()
        f.site = site; f.fromDay = day; f.toDay = day
        return f
    }
}

extension ConsoleServer {
    /// `/today?site=S&day=D`.
    func today(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, ["site", "day"])
        let own = host.store.site
        let page = try await host.read { engine in try TodayPage.read(engine, fields, p, own: own) }
        return PageContent(title: "Today", site: page.site, content: page.content)
    }
}
