import Hummingbird
import JourneyModel
import JourneyProjections
import JourneyStaffing

/// Tomorrow's staffing plan (or `date`'s): required against available agents
/// per interval at one site, the lending between centres, and the plans
/// recorded so far. A manager may record the plan shown.
struct PlanPage: Sendable {
    var sites: [String]
    var site: String
    /// The plan; nil when the node holds too little history (``unavailable`` says why).
    var record: PlanRecord?
    var unavailable: String?
    var recorded: [RecordedAction]
    var canAct: Bool
    var csrf: String?
    var notice: String?
    var labels: [String]
    var positions: [String: UInt64]
    var horizon: Timestamp
    /// Outcomes of the recorded plans audited so far, by plan id.
    var audited: [String: PlanAudits.Outcome] = [:]

    static let fields: Set<String> = ["site", "date", "done"]

    /// The plan of `fields["date"]` (default: the day after the data horizon), with default parameters.
    static func plan(_ engine: ProjectionEngine, date: String?) throws -> PlanRecord {
        guard engine.dataHorizon.ms > 0 else { throw ConsoleError(.notFound, "the node holds no events to plan from yet") }
        let day: Int64
        if let date {
            guard let d = LocalDay(date) else { throw ConsoleError(.invalid, "'date' must be a date, YYYY-MM-DD") }
            day = d.number
        } else {
            day = engine.horizonDay() + 1
        }
        return try PlanRecord(engine: engine, day: day, parameters: PlanParameters())
    }

    static func read(_ engine: ProjectionEngine, _ fields: [String: String], _ p: ConsoleServer.Principal, own: String) throws -> PlanPage {
        let (sites, site) = try ConsoleServer.pickSite(fields, known: try engine.knownValues(.site), p, own: own)
        var record: PlanRecord?, unavailable: String?
        do {
            record = try plan(engine, date: fields["date"])
        } catch let e as ProjectionError where e.code == .insufficientHistory {
            unavailable = e.message
        } catch let e as StaffingError where e.code == .insufficientHistory {
            unavailable = e.message
        }
        let starts = Set((record?.plan.sites ?? []).filter { $0.site == site }.map(\.start)).sorted()
        let labels = starts.map { String(engine.calendar.rfc3339($0, site: site).dropFirst(11).prefix(5)) }
        return PlanPage(sites: sites, site: site, record: record, unavailable: unavailable, recorded: try engine.recordedActions(kind: .staffingPlanned).reversed(),
                        canAct: p.viewer.role == .manager, csrf: p.session?.csrf, notice: fields["done"], labels: labels,
                        positions: engine.positions, horizon: engine.dataHorizon)
    }

    var content: HTML {
        guard let record else {
            return """
                <h1>Staffing plan</h1>
                \(Layout.sitePicker(action: "/plan", sites: sites, current: site))
                <p class="notice">No plan can be made yet: \(unavailable ?? "")</p>
                <h2>Recorded plans</h2>
                \(history)
                \(Layout.stamp(positions: positions, horizon: horizon))
                """
        }
        let plan = record.plan
        let rows = plan.sites.filter { $0.site == site }.sorted { $0.start < $1.start }
        let hours = Double(plan.parameters.intervalMinutes) / 60
        let date = Timestamp.dateString(day: plan.day)
        let chart = SVGChart(
            labels: labels,
            bars: [
                .init(name: "required agents", cssClass: "required", fill: "#f2b8ab", values: rows.map { Double($0.required) }),
                .init(name: "available agents", cssClass: "available", fill: "#2456c7", values: rows.map { Double($0.available) }),
                .init(name: "short after lending", cssClass: "short", fill: "#c23b22", values: rows.map { Double($0.shortfallAfter) }),
            ],
            title: "\(site) \(date): agents required and available per interval", countAxis: "agents")
        func sum(_ f: (StaffingPlan.SiteInterval) -> Int) -> String { HTML.decimal(Double(rows.reduce(0) { $0 + f($1) }) * hours, digits: 1) }
        let summary = Layout.table(["required agent-h", "available agent-h", "short before", "short after", "lent", "borrowed"],
                                   [["\(sum(\.required))", "\(sum(\.available))", "\(sum(\.shortfallBefore))", "\(sum(\.shortfallAfter))",
                                     "\(sum(\.lent))", "\(sum(\.borrowed))"]], numeric: Set(0...5))
        let loans = plan.loans.map { l -> [HTML] in
            ["\(l.from)", "\(l.to)", "\(l.queue)", "\(l.agents)", "\(Timestamp(ms: l.start).rfc3339)", "\(Timestamp(ms: l.end).rfc3339)"]
        }
        let lending = loans.isEmpty ? "<p>No lending needed: no centre is short where another has spare skilled agents.</p>" as HTML
            : Layout.table(["from", "to", "skill", "agents", "start", "end"], loans, numeric: [3])
        var action: HTML = ""
        if canAct {
            let csrfField: HTML = csrf.map { "<input type=\"hidden\" name=\"csrf\" value=\"\($0)\">" } ?? ""
            action = """
                <form method="post" action="/plan/commit" class="picker" id="commit-plan">\(csrfField)
                <input type="hidden" name="date" value="\(date)"><input type="hidden" name="site" value="\(site)">
                <button type="submit" class="primary">Record this plan</button>
                <span class="muted">appends staffing.planned and agent.lent events, which replicate; stamped with your name</span></form>
                """
        }
        let notice: HTML = self.notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? ""
        return """
            <h1>Staffing plan \(record.id) <span class="muted">for \(date)</span></h1>
            \(Layout.sitePicker(action: "/plan", sites: sites, current: site, extra: [("date", date)]))
            \(notice)
            <p>Target \(Int(plan.parameters.target * 100)) % answered within \(Int(plan.parameters.withinSeconds)) s; demand is the mean of the same weekday over the last \(plan.parameters.weeks) weeks.</p>
            \(chart.svg)\(chart.legend)
            \(summary)
            \(action)
            \(Layout.command("journey staffing plan --date \(date)"))
            <h2>Lending</h2>
            \(lending)
            <h2>Recorded plans</h2>
            \(history)
            \(Layout.stamp(positions: positions, horizon: horizon))
            """
    }
}

extension PlanPage {
    /// The plans recorded so far, newest first (at most 20), each with the command that audits it.
    var history: HTML {
        let rows = recorded.prefix(20).map { a -> [HTML] in
            let id = a.data["plan"]?.stringValue ?? ""
            let audit: HTML
            switch audited[id]?.identical {
            case true?: audit = "<a href=\"/plan/audit/\(URLForm.encode(id))\">identical</a>"
            case false?: audit = "<a class=\"flag\" href=\"/plan/audit/\(URLForm.encode(id))\">DIFFERS</a>"
            case nil: audit = "<a href=\"/plan/audit/\(URLForm.encode(id))\">audit now</a>"
            }
            return ["\(id)", "\(a.data["date"]?.stringValue ?? "—")", "\(a.at.rfc3339)", "\(a.origin)",
                    "\(a.data["by"]?.stringValue ?? "command line")", audit]
        }
        return rows.isEmpty ? "<p>No plan recorded yet.</p>" : Layout.table(["plan", "date", "recorded at", "centre", "by", "audit"], rows)
    }
}

extension ConsoleServer {
    /// `/plan?site=S&date=D`.
    func plan(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, PlanPage.fields)
        let own = host.store.site
        var page = try await host.read { engine in try PlanPage.read(engine, fields, p, own: own) }
        for a in page.recorded { if let id = a.data["plan"]?.stringValue, let o = audits.outcome(id) { page.audited[id] = o } }
        return PageContent(title: "Plan", site: page.site, content: page.content, liveEveryMs: 10_000)
    }

    /// `POST /plan/commit` (manager, CSRF): records the plan of `date`, as `journey staffing plan --commit` does.
    func commitPlan(_ request: Request) async throws -> Response {
        let (p, form) = try await action(request)
        let own = host.store.site
        let at = node.clock.now()
        let by = p.viewer.name
        let date = form["date"]
        let record = try await answering { try await host.read { engine in try PlanPage.plan(engine, date: date) } }
        let events = record.events(site: own, at: at).map { Self.stamped($0, by: by) }
        let result = try await answering { try self.record(events) }
        try await host.refresh()
        logger.info("console: \(by) recorded plan \(record.id) (\(result.appended) events)")
        let done = result.appended > 0 ? "Recorded plan \(record.id): \(result.appended) events; they replicate with the next sync."
            : "Plan \(record.id) was already recorded: nothing appended."
        if p.session == nil {
            return Self.json(.object(["plan": .string(record.id), "appended": .integer(Int64(result.appended)),
                                      "duplicates": .integer(Int64(result.duplicates))]))
        }
        var back: [(name: String, value: String?)] = [("done", done)]
        if let site = form["site"] { back.insert(("site", site), at: 0) }
        if let date { back.insert(("date", date), at: 0) }
        return Self.redirect("/plan?" + URLForm.encode(back))
    }
}
