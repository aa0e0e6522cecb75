import JourneyInsights
import JourneyModel
import JourneyProjections

/// Repeat causes at one site, ranked (the rows of `journey insights
/// repeats`), each a link to the contacts it counts; from a contact to the
/// customer's journey.
struct RepeatsPage: Sendable {
    var sites: [String]
    var site: String
    var options: RepeatCauses.Options
    var range: DayRange
    var report: InsightReport

    static let fields: Set<String> = ["site", "from", "to", "window", "dimension", "min-contacts", "limit"]

    static func read(_ engine: ProjectionEngine, _ fields: [String: String], _ p: ConsoleServer.Principal, own: String) throws -> RepeatsPage {
        let (sites, site) = try ConsoleServer.pickSite(fields, known: try engine.knownValues(.site), p, own: own)
        var asked = fields
        asked["site"] = site
        guard case .repeats(let options) = try InsightRequest.parse("repeats", asked) else {
            throw ConsoleError(.invalid, "not a repeats request")
        }
        return RepeatsPage(sites: sites, site: site, options: options, range: try RepeatCauses.range(engine, options),
                           report: try RepeatCauses.report(engine, options))
    }

    /// The console URL listing the contacts of a query.
    static func contactsLink(_ q: ProjectionQuery) -> String {
        "/contacts?" + URLForm.encode(q.parameters)
    }

    var content: HTML {
        let r = report.result
        func value(_ name: String, _ row: [JSONValue]) -> JSONValue { r.columns.firstIndex(of: name).map { row[$0] } ?? .null }
        let rows = r.rows.map { row -> [HTML] in
            let dimension = value("dimension", row).stringValue ?? "", causeValue = value("value", row).stringValue ?? ""
            let drill = RepeatCauses.drillQuery(dimension: dimension, site: site, value: causeValue, fromDay: range.from, toDay: range.to,
                                                windowHours: options.windowHours)
            let link: HTML = "<a class=\"cause\" href=\"\(Self.contactsLink(drill))\">\(causeValue)</a>"
            return ["\(HTML.display(value("rank", row)))", "\(dimension)", link, "\(HTML.display(value("contacts", row)))",
                    "\(HTML.display(value("repeats", row)))", "\(percent(value("rate", row)))", "\(percent(value("previousRate", row)))",
                    "\(value("excess", row).doubleValue.map { HTML.decimal($0, digits: 1) } ?? "—")", "\(value("agents", row).stringValue ?? "")"]
        }
        let findings = report.findings.map { f -> HTML in "<li>\(f)</li>" }
        var command = ["journey", "insights", "repeats", "--site", site, "--from", Timestamp.dateString(day: range.from),
                       "--to", Timestamp.dateString(day: range.to)]
        if let w = options.windowHours { command += ["--window", "\(w)h"] }
        if let d = options.dimension { command += ["--dimension", d] }
        return """
            <h1>Repeat causes at \(site) <span class="muted">\(range.text)</span></h1>
            \(Layout.sitePicker(action: "/repeats", sites: sites, current: site))
            <div class="card"><ul>\(findings)</ul></div>
            \(Layout.table(["rank", "dimension", "cause", "contacts", "repeats", "rate", "previous", "excess", "first contacts handled by"],
                           rows, numeric: [0, 3, 4, 5, 6, 7], caption: "Ranked by excess: repeats beyond the cause's own rate in the previous period of the same length. Follow a cause to its contacts."))
            \(Layout.command(command.map(ProjectionQuery.shellQuoted).joined(separator: " ")))
            \(Layout.stamp(positions: r.positions, horizon: r.horizon))
            """
    }

    func percent(_ v: JSONValue) -> String {
        v.doubleValue.map { HTML.decimal($0 * 100, digits: 1) + " %" } ?? "—"
    }
}

/// Contacts of a query (a repeat cause's drill-down), each linked to its customer's journey.
struct ContactsPage: Sendable {
    var query: ProjectionQuery
    var result: QueryResult

    static func read(_ engine: ProjectionEngine, _ fields: [String: String], _ p: ConsoleServer.Principal) throws -> ContactsPage {
        let q = try ProjectionQuery.parse(kind: "contacts", fields, rowsMax: ConsoleLimits.rowsMax)
        guard let site = q.filter?.site else { throw ConsoleError(.invalid, "the contacts page needs a 'site'") }
        try ConsoleServer.checkSite(site, p)
        if let f = q.filter { try ConsoleServer.checkKnown(f, engine) }
        return ContactsPage(query: q, result: try engine.query(q))
    }

    var content: HTML {
        let r = result
        func value(_ name: String, _ row: [JSONValue]) -> JSONValue { r.columns.firstIndex(of: name).map { row[$0] } ?? .null }
        let rows = r.rows.map { row -> [HTML] in
            let customer = value("customer", row).stringValue
            let link: HTML = customer.map { "<a href=\"/journey/\(URLForm.encode($0))\">\($0)</a>" } ?? "—"
            return ["\(HTML.display(value("startedAt", row)))", "\(HTML.display(value("contact", row)))", "\(HTML.display(value("channel", row)))",
                    link, "\(HTML.display(value("reason", row)))", "\(HTML.display(value("queue", row)))", "\(HTML.display(value("agent", row)))",
                    "\(HTML.display(value("outcome", row)))", "\(HTML.display(value("repeated", row)))"]
        }
        let filters = query.parameters.map { p -> HTML in "<code>\(p.name)\(p.value.map { "=" + $0 } ?? "")</code> " }
        return """
            <h1>Contacts <span class="muted">\(r.rows.count) shown</span></h1>
            <p>\(filters)</p>
            \(Layout.table(["started", "contact", "channel", "customer", "reason", "queue", "agent", "outcome", "repeated"], rows))
            \(Layout.command(query.commandLine()))
            \(Layout.stamp(positions: r.positions, horizon: r.horizon))
            """
    }
}

extension ConsoleServer {
    /// `/repeats?site=S&from=…&to=…`.
    func repeats(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, RepeatsPage.fields)
        let own = host.store.site
        let page = try await host.read { engine in try RepeatsPage.read(engine, fields, p, own: own) }
        return PageContent(title: "Repeats", site: page.site, content: page.content, liveEveryMs: 5_000)
    }

    /// `/contacts?site=S&…` with `journey query contacts`'s options.
    func contacts(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        let page = try await host.read { engine in try ContactsPage.read(engine, fields, p) }
        return PageContent(title: "Contacts", site: page.query.filter?.site ?? "—", content: page.content)
    }
}
