import Hummingbird
import JourneyInsights
import JourneyModel
import JourneyProjections

/// People at one site: the coaching list (adjusted FCR against peers on the
/// same queues and tenure), team trends and stability, and the attrition
/// watch with its reasons. A manager may schedule the listed coaching.
struct PeoplePage: Sendable {
    var sites: [String]
    var site: String
    var below: Double
    var coaching: InsightReport
    var teams: InsightReport
    var attrition: InsightReport
    var canAct: Bool
    var csrf: String?
    var ownSite: String
    var notice: String?

    static let fields: Set<String> = ["site", "below", "done"]

    static func read(_ engine: ProjectionEngine, _ fields: [String: String], _ p: ConsoleServer.Principal, own: String) throws -> PeoplePage {
        let (sites, site) = try ConsoleServer.pickSite(fields, known: try engine.knownValues(.site), p, own: own)
        guard case .coaching(let o) = try InsightRequest.parse("coaching", ["site": site, "below": fields["below"] ?? "0.7"]) else {
            throw ConsoleError(.invalid, "not a coaching request")
        }
        var teams = TeamHealth.Options(), attrition = AttritionWatch.Options()
        teams.site = site; attrition.site = site
        return PeoplePage(sites: sites, site: site, below: o.below, coaching: try CoachingList.report(engine, o),
                          teams: try TeamHealth.report(engine, teams), attrition: try AttritionWatch.report(engine, attrition),
                          canAct: p.viewer.role == .manager, csrf: p.session?.csrf, ownSite: own, notice: fields["done"])
    }

    var content: HTML {
        let below = HTML.decimal(self.below, digits: 2)
        var action: HTML = ""
        if canAct && site == ownSite {
            let csrfField: HTML = csrf.map { "<input type=\"hidden\" name=\"csrf\" value=\"\($0)\">" } ?? ""
            action = """
                <form method="post" action="/coaching/schedule" class="picker" id="schedule-coaching">\(csrfField)
                <input type="hidden" name="site" value="\(site)"><input type="hidden" name="below" value="\(below)">
                <button type="submit" class="primary">Schedule coaching for the listed agents</button>
                <span class="muted">appends coaching.scheduled events to \(ownSite)'s log, stamped with your name</span></form>
                """
        } else if canAct {
            action = "<p class=\"muted\">Coaching for \(site)'s agents is scheduled by \(site)'s own console.</p>"
        }
        let notice: HTML = self.notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? ""
        return """
            <h1>People at \(site)</h1>
            \(Layout.sitePicker(action: "/people", sites: sites, current: site))
            \(notice)
            <h2>Coaching list <span class="muted">FCR below \(below), adjusted for tenure and queue mix</span></h2>
            \(ReportView.render(coaching, hide: ["site"]))
            \(action)
            \(Layout.command("journey coach --below \(below) --site \(ProjectionQuery.shellQuoted(site))"))
            <h2>Teams</h2>
            \(ReportView.render(teams, hide: ["site"]))
            \(Layout.command("journey insights teams --site \(ProjectionQuery.shellQuoted(site))"))
            <h2>Attrition watch</h2>
            \(ReportView.render(attrition, hide: ["site"]))
            \(Layout.command("journey insights attrition --site \(ProjectionQuery.shellQuoted(site))"))
            \(Layout.stamp(positions: coaching.result.positions, horizon: coaching.result.horizon))
            """
    }
}

/// An insight report as a page shows it: its findings, then its rows.
enum ReportView {
    static func render(_ report: InsightReport, hide: Set<String> = []) -> HTML {
        let r = report.result
        let keep = r.columns.indices.filter { !hide.contains(r.columns[$0]) }
        let numeric = Set(keep.enumerated().compactMap { k, i in r.rows.first.map { $0[i].doubleValue != nil && $0[i].stringValue == nil } == true ? k : nil })
        let rows = r.rows.map { row in keep.map { i -> HTML in "\(HTML.display(row[i]))" } }
        let findings = report.findings.map { f -> HTML in "<li>\(f)</li>" }
        return """
            <div class="card"><ul>\(findings)</ul></div>
            \(Layout.table(keep.map { r.columns[$0] }, rows, numeric: numeric))
            """
    }
}

extension ConsoleServer {
    /// `/people?site=S&below=0.7`.
    func people(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, PeoplePage.fields)
        let own = host.store.site
        let page = try await host.read { engine in try PeoplePage.read(engine, fields, p, own: own) }
        return PageContent(title: "People", site: page.site, content: page.content, liveEveryMs: 10_000)
    }

    /// `POST /coaching/schedule` (manager, CSRF): records coaching for this centre's listed agents.
    func scheduleCoaching(_ request: Request) async throws -> Response {
        let (p, form) = try await action(request)
        let own = host.store.site
        guard form["site"] == own else {
            throw ConsoleError(.forbidden, "this console schedules coaching for \(own)'s agents only; other centres schedule their own")
        }
        guard case .coaching(let options) = try InsightRequest.parse("coaching", ["site": own, "below": form["below"] ?? "0.7"]) else {
            throw ConsoleError(.invalid, "not a coaching request")
        }
        let at = node.clock.now()
        let by = p.viewer.name
        let (events, listed) = try await answering {
            try await host.read { engine in
                let judged = try CoachingList.entries(engine, options)
                let listed = judged.entries.filter { $0.adjusted < options.below }
                let events = CoachingList.scheduledEvents(listed, site: own, options: options, engine: engine, at: at)
                return (events.map { ConsoleServer.stamped($0, by: by) }, listed.count)
            }
        }
        let result = try await answering { try record(events) }
        logger.info("console: \(by) scheduled coaching for \(result.appended) agent(s)")
        try await host.refresh()
        var done = "Scheduled coaching for \(result.appended) agent(s) of \(own)"
        if result.duplicates > 0 { done += " (\(result.duplicates) already scheduled for this data)" }
        if listed > events.count { done += "; \(listed - events.count) listed agent(s) belong to other centres" }
        done += "."
        if p.session == nil {
            return Self.json(.object(["appended": .integer(Int64(result.appended)), "duplicates": .integer(Int64(result.duplicates))]))
        }
        return Self.redirect("/people?" + URLForm.encode([("site", own), ("below", form["below"] ?? "0.7"), ("done", done)]))
    }

    /// `event` with `by` (the signed-in viewer who acted) in its data.
    static func stamped(_ event: Event, by: String) -> Event {
        var e = event
        e.data["by"] = .string(by)
        return e
    }
}
