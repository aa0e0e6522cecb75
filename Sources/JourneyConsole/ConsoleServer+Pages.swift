import Foundation
import HTTPTypes
import Hummingbird
import JourneyModel
import JourneyProjections
import JourneySync

/// The console's pages, sign-in and sign-out, and its assets.
extension ConsoleServer {
    /// A request for only a page's content (the live update asks with it).
    static let fragmentHeader = HTTPField.Name("X-Journey-Fragment")

    /// True when the request asks for only the page's content.
    static func isFragment(_ request: Request) -> Bool { fragmentHeader.map { request.headers[$0] != nil } ?? false }

    /// What a page handler returns: the site it shows and its content.
    struct PageContent: Sendable {
        var title: String
        var site: String
        var content: HTML
        /// Least milliseconds between two live refreshes (pages slow to compute refresh less often).
        var liveEveryMs = 0
    }

    func addPageRoutes(to router: Router<BasicRequestContext>) {
        let server = self
        router.get("assets/console.css") { _, _ -> Response in Self.asset(Assets.css, type: "text/css; charset=utf-8") }
        router.get("assets/console.js") { _, _ -> Response in Self.asset(Assets.js, type: "text/javascript; charset=utf-8") }
        router.get("login") { request, _ -> Response in
            let next = try? Self.query(request)["next"]
            return Self.html(LoginPage.render(message: nil, next: Self.safeNext(next ?? nil)))
        }
        router.post("login") { request, _ -> Response in try await server.signIn(request) }
        router.post("logout") { request, _ -> Response in try await server.signOut(request) }
        router.get("/") { request, _ -> Response in
            server.principal(request) == nil ? Self.redirect("/login") : Self.redirect("/today")
        }
        router.post("plan/commit") { request, _ -> Response in try await server.commitPlan(request) }
        router.post("coaching/schedule") { request, _ -> Response in try await server.scheduleCoaching(request) }
        for page in Self.pages {
            router.get(RouterPath(page.path)) { request, context -> Response in
                try await server.page(request, active: page.active) { p, fields in try await page.build(server, p, fields, context) }
            }
        }
    }

    /// Builds a page for a signed-in reader from the request's query fields (and its path parameters).
    typealias PageBuilder = @Sendable (ConsoleServer, Principal, [String: String], BasicRequestContext) async throws -> PageContent

    /// The pages: path, the navigation entry they belong to, and their builder.
    static let pages: [(path: String, active: String, build: PageBuilder)] = [
        ("today", "/today", { s, p, f, _ in try await s.today(p, f) }),
        ("repeats", "/repeats", { s, p, f, _ in try await s.repeats(p, f) }),
        ("contacts", "/repeats", { s, p, f, _ in try await s.contacts(p, f) }),
        ("journey/:customer", "/repeats", { s, p, f, c in try await s.journey(try parameter(c, "customer"), p, f) }),
        ("people", "/people", { s, p, f, _ in try await s.people(p, f) }),
        ("plan", "/plan", { s, p, f, _ in try await s.plan(p, f) }),
        ("plan/audit/:id", "/plan", { s, p, f, c in try await s.auditPlan(try parameter(c, "id"), p, f) }),
        ("replication", "/replication", { s, p, f, _ in try await s.replication(p, f) }),
    ]

    static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders(contentType: type)
        headers[.cacheControl] = "max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Serves a page to a reader: to sign-in when nobody is signed in, an
    /// error page (with the error's status) when the page fails, only the
    /// content when the live update asks for it.
    func page(_ request: Request, active: String,
              _ build: (Principal, [String: String]) async throws -> PageContent) async throws -> Response {
        guard let p = principal(request) else {
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return Self.redirect("/login?next=" + URLForm.encode(target))
        }
        let layout = { (title: String, site: String, every: Int) in
            Layout(title: title, active: active, viewer: p.viewer, csrf: p.session?.csrf, site: site, liveEveryMs: every)
        }
        do {
            guard Self.readers.contains(p.viewer.role) else {
                throw ConsoleError(.forbidden, "the \(p.viewer.role.rawValue) role reads /metrics only; sign in with a viewer or manager token")
            }
            let fields = try Self.query(request)
            let page = try await answering { try await build(p, fields) }
            if Self.isFragment(request) { return Self.html(page.content) }
            return Self.html(layout(page.title, page.site, page.liveEveryMs).document(page.content))
        } catch let e as ConsoleError {
            let content: HTML = "<h1>\(e.status.reasonPhrase)</h1><p class=\"error\">\(e.message)</p>"
            if Self.isFragment(request) { return Self.html(content, status: e.status) }
            return Self.html(layout(e.status.reasonPhrase, "—", 0).document(content), status: e.status)
        }
    }

    /// `next` when it is a path of this server (never another host), else `/today`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return "/today" }
        return next
    }

    /// `POST /login` with the field `token`: a session cookie and a redirect to `next`.
    func signIn(_ request: Request) async throws -> Response {
        let form: [String: String]
        do { form = try await Self.form(request) } catch let e as ConsoleError {
            return Self.html(LoginPage.render(message: e.message, next: "/today"), status: e.status)
        }
        let next = Self.safeNext(form["next"])
        let token = form["token"] ?? ""
        var match: SyncConfig.Viewer?
        for v in config.viewers where SyncConfig.constantTimeEquals(v.token, token) && !token.isEmpty { match = match ?? v }
        guard let viewer = match else {
            logger.warning("console sign-in refused: \(token.isEmpty ? "no token" : "wrong token")")
            return Self.html(LoginPage.render(message: "That token opens nothing here. Use a viewer token from this node's sync.json.", next: next),
                             status: .unauthorized)
        }
        guard Self.readers.contains(viewer.role) else {
            return Self.html(LoginPage.render(message: "That is a metrics token: it reads /metrics only.", next: next), status: .forbidden)
        }
        let session = sessions.open(for: viewer)
        let cookie = Cookie(name: Self.cookieName, value: session.id, maxAge: Int(ConsoleLimits.sessionSeconds), path: "/",
                            secure: tls, httpOnly: true, sameSite: .strict)
        logger.info("console: \(viewer.name) signed in (\(viewer.role.rawValue))")
        return Self.redirect(next, cookie: cookie)
    }

    /// `POST /logout` (with the form's CSRF token): ends the session.
    func signOut(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        if let p = principal(request), let session = p.session {
            try checkCSRF(p, form)
            sessions.close(session.id)
        }
        let expired = Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: tls, httpOnly: true, sameSite: .strict)
        return Self.redirect("/login", cookie: expired)
    }

    /// The sites `p` may see, and the one a page shows: `site` when given (and
    /// visible), else this node's own site `own` when visible, else the first.
    static func pickSite(_ fields: [String: String], known: [String], _ p: Principal, own: String) throws -> (sites: [String], site: String) {
        let sites = known.filter(p.viewer.sees)
        if let asked = fields["site"] {
            guard p.viewer.sees(asked) else { throw ConsoleError(.forbidden, "\(p.viewer.name) may not see site '\(asked)'") }
            guard sites.contains(asked) else {
                throw ConsoleError(.notFound, "no site '\(asked)' in this node's projections; sites: \(sites.joined(separator: ", "))")
            }
            return (sites, asked)
        }
        if sites.contains(own) { return (sites, own) }
        guard let first = sites.first else { throw ConsoleError(.notFound, "this node holds no events of a site you may see yet") }
        return (sites, first)
    }

    /// Refuses any field of `fields` not in `allowed`.
    static func only(_ fields: [String: String], _ allowed: Set<String>) throws {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConsoleError(.invalid, "this page takes no parameter '\(unknown)'; it takes \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
