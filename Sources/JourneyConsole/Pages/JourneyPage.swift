import JourneyModel
import JourneyProjections

/// A customer's journey: every contact across channels and sites, newest
/// first, with its outcome and who handled it; repeats are marked.
struct JourneyPage: Sendable {
    var customer: String
    var rows: [ContactRow]
    var result: QueryResult
    var hidden: Int
    var windowMs: Int64

    static func read(_ engine: ProjectionEngine, customer: String, _ p: ConsoleServer.Principal) throws -> JourneyPage {
        guard customer.utf8.count <= 512 else { throw ConsoleError(.invalid, "a customer key is at most 512 bytes") }
        let all = try engine.read(engine.reads.recentContacts(customer: customer, limit: ConsoleLimits.journeyPageContacts))
        let rows = all.filter { p.viewer.sees($0.site) }
        guard !rows.isEmpty else { throw ConsoleError(.notFound, "no contacts of customer '\(customer)' here") }
        return JourneyPage(customer: customer, rows: rows, result: engine.renderer.contacts(rows), hidden: all.count - rows.count,
                           windowMs: engine.parameters.repeatWindowMs)
    }

    var content: HTML {
        let r = result
        let items = zip(rows, r.rows).map { row, values -> HTML in
            func value(_ name: String) -> String { r.columns.firstIndex(of: name).map { HTML.display(values[$0]) } ?? "—" }
            let isRepeat = row.repeatOf != nil
            let repeatNote: HTML = isRepeat ? "<span class=\"flag\">repeat of \(row.repeatOf ?? "")</span> · " : ""
            let handled: HTML = row.agent.map { "handled by <strong>\($0)</strong>" } ?? "not handled by an agent"
            return """
                <li class="\(isRepeat ? "repeat" : "")"><strong>\(value("startedAt"))</strong> · \(row.channel ?? "unknown channel") at \(row.site)
                · \(repeatNote)\(row.reason ?? "no reason given") · queue \(row.queue ?? "—") · \(handled) ·
                outcome <strong>\(row.outcome)</strong>\(row.resolved == true ? " (resolved)" : row.resolved == false ? " (not resolved)" : "")
                · wait \(value("waitSeconds")) s · talk \(value("talkSeconds")) s\(row.csat.map { " · CSAT \($0)" } ?? "")
                <div class="muted">contact \(row.contact)</div></li>
                """
        }
        let repeats = rows.filter { $0.repeatOf != nil }.count
        let channels = Set(rows.compactMap(\.channel)).sorted().joined(separator: ", ")
        let sites = Set(rows.map(\.site)).sorted().joined(separator: ", ")
        let hiddenNote: HTML = hidden > 0 ? "<p class=\"notice\">\(hidden) contact(s) at sites you may not see are left out.</p>" : ""
        return """
            <h1>Journey of \(customer)</h1>
            <p>\(rows.count) contact(s), \(repeats) repeat(s) within \(Int(windowMs / 3_600_000)) h; channels \(channels); sites \(sites). Newest first.</p>
            \(hiddenNote)
            <ul class="timeline" id="journey">\(items)</ul>
            \(Layout.command(ProjectionQuery.journey(customer: customer).commandLine()))
            \(Layout.stamp(positions: r.positions, horizon: r.horizon))
            """
    }
}

extension ConsoleServer {
    /// `/journey/CUSTOMER`.
    func journey(_ customer: String, _ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, [])
        let page = try await host.read { engine in try JourneyPage.read(engine, customer: customer, p) }
        return PageContent(title: "Journey", site: page.rows.first?.site ?? "—", content: page.content)
    }
}
