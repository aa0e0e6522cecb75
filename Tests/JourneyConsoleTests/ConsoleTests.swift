import AsyncHTTPClient
import Foundation
import JourneyConsole
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneySync
import XCTest

/// The console over real HTTP on loopback: who may read and act, the JSON API
/// against the projection's own answers, the pages, escaping of hostile
/// values, CSRF, actions and the live stream.
final class ConsoleTests: XCTestCase {
    var bed: ConsoleTestBed?

    override func setUp() async throws {
        bed = try await ConsoleTestBed(seed: 17)
    }

    override func tearDown() async throws {
        await bed?.shutdown()
        bed = nil
    }

    func tested() throws -> ConsoleTestBed { try XCTUnwrap(bed) }

    // MARK: Who may do what

    func testNothingIsReadableWithoutAViewerToken() async throws {
        let bed = try tested()
        for path in ["/v1/api/query/sites", "/v1/api/now", "/v1/customers/x/journey", "/v1/api/openapi.json", "/v1/live",
                     "/v1/api/insights/repeats?site=east", "/v1/api/positions"] {
            let none = try await bed.get(path)
            XCTAssertEqual(none.status, 401, path)
            XCTAssertEqual(none.json?["error"]?["code"]?.stringValue, "console.unauthorized", path)
            // A peer's token opens the sync protocol, not the console.
            let peer = try await bed.get(path, token: ConsoleTestBed.peerToken)
            XCTAssertEqual(peer.status, 401, path)
            let wrong = try await bed.get(path, token: ConsoleTestBed.viewerToken + "x")
            XCTAssertEqual(wrong.status, 401, path)
            // A metrics token reads /metrics only.
            let metrics = try await bed.get(path, token: ConsoleTestBed.metricsToken)
            XCTAssertEqual(metrics.status, 403, path)
        }
        for page in ["/today", "/repeats", "/people", "/plan", "/replication", "/journey/x", "/contacts?site=east"] {
            let answer = try await bed.get(page)
            XCTAssertEqual(answer.status, 303, page)
            XCTAssertTrue(answer.headers["location"].first?.hasPrefix("/login?next=") ?? false, page)
        }
        // A viewer's token does not pull blocks.
        let heads = try await bed.get("/v1/heads", token: ConsoleTestBed.viewerToken)
        XCTAssertEqual(heads.status, 401)
        let peerHeads = try await bed.get("/v1/heads", token: ConsoleTestBed.peerToken)
        XCTAssertEqual(peerHeads.status, 200)
    }

    func testAViewerTokenThatIsAlsoAPeerTokenIsRefusedInTheConfig() throws {
        let text = """
            {"clients": [{"name": "p", "token": "same-token-0123456789"}],
             "viewers": [{"name": "v", "token": "same-token-0123456789", "role": "viewer"}]}
            """
        XCTAssertThrowsError(try SyncConfig.parse(text)) { error in
            XCTAssertTrue("\(error)".contains("viewers[0].token"), "\(error)")
        }
        XCTAssertThrowsError(try SyncConfig.parse(#"{"viewers": [{"token": "long-enough-token-0123", "role": "admin"}]}"#)) { error in
            XCTAssertTrue("\(error)".contains("role"), "\(error)")
        }
        let ok = try SyncConfig.parse(#"{"viewers": [{"name": "v", "token": "long-enough-token-0123", "role": "manager", "sites": ["north"]}]}"#)
        XCTAssertEqual(ok.viewers, [.init(name: "v", token: "long-enough-token-0123", role: .manager, sites: ["north"])])
        XCTAssertEqual(try SyncConfig.parse(JSONWriter.string(ok.json)), ok)
    }

    // MARK: The API answers as the projection does

    func testQueryAPIAnswersExactlyAsTheProjection() async throws {
        let bed = try tested()
        let cases: [(String, [(String, String)])] = [
            ("sites", []), ("sites", [("site", "east")]), ("intervals", [("site", "west"), ("limit", "50")]),
            ("agents", [("sort", "fcr")]), ("teams", [("by", "week")]), ("customers", [("min-repeats", "2")]),
            ("contacts", [("site", "east"), ("repeated", ""), ("limit", "20")]),
        ]
        for (kind, fields) in cases {
            let query = URLForm.encode(fields.map { (name: $0.0, value: Optional($0.1)) })
            let answer = try await bed.get("/v1/api/query/\(kind)?\(query)", token: ConsoleTestBed.viewerToken)
            XCTAssertEqual(answer.status, 200, "\(kind) \(query): \(answer.body)")
            let q = try ProjectionQuery.parse(kind: kind, Dictionary(uniqueKeysWithValues: fields))
            let expected = try await bed.host.read { engine in try engine.query(q).json }
            XCTAssertEqual(answer.json, expected, "\(kind) \(query)")
            XCTAssertEqual(answer.headers["x-journey-command"].first, q.commandLine(json: true))
        }
    }

    func testBadParametersAreRefusedNamingThem() async throws {
        let bed = try tested()
        for (path, word) in [("/v1/api/query/sites?day=yesterday", "day"), ("/v1/api/query/sites?colour=red", "colour"),
                             ("/v1/api/query/agents?sort=height", "sort"), ("/v1/api/query/sites?limit=-1", "limit"),
                             ("/v1/api/query/sites?site=atlantis", "atlantis"), ("/v1/api/query/planets", "planets"),
                             ("/v1/api/query/journey", "customer"), ("/v1/api/query/sites?site=east&site=west", "twice"),
                             ("/v1/api/insights/repeats?site=east&colour=red", "colour"), ("/v1/api/insights/horoscope", "horoscope"),
                             ("/v1/customers/x/journey?limit=0", "limit")] {
            let answer = try await bed.get(path, token: ConsoleTestBed.viewerToken)
            XCTAssertTrue([400, 404].contains(answer.status), "\(path): \(answer.status) \(answer.body)")
            XCTAssertTrue(answer.json?["error"]?["message"]?.stringValue?.contains(word) ?? false, "\(path): \(answer.body)")
        }
    }

    func testAViewerLimitedToSitesSeesOnlyThem() async throws {
        let bed = try tested()
        let token = ConsoleTestBed.westOnlyToken
        let sites = try await bed.get("/v1/api/query/sites", token: token)
        guard case .array(let rows)? = sites.json?["rows"] else { return XCTFail(sites.body) }
        XCTAssertEqual(rows.compactMap { $0["site"]?.stringValue }, ["west"])
        let east = try await bed.get("/v1/api/query/sites?site=east", token: token)
        XCTAssertEqual(east.status, 403)
        let page = try await bed.get("/today?site=east", cookie: try await bed.signIn(token).cookie)
        XCTAssertEqual(page.status, 403)
        let insight = try await bed.get("/v1/api/insights/teams", token: token)
        XCTAssertEqual(insight.status, 403, "a limited viewer must name one of its sites")
        let contacts = try await bed.get("/v1/api/query/contacts?limit=2000", token: token)
        guard case .array(let list)? = contacts.json?["rows"] else { return XCTFail(contacts.body) }
        XCTAssertFalse(list.isEmpty)
        XCTAssertTrue(list.allSatisfy { $0["site"]?.stringValue == "west" })
    }

    func testScreenPopListsTheCustomersContactsNewestFirstWithOpenRepeats() async throws {
        let bed = try tested()
        // The customer with the most repeats, from the projection itself.
        let top = try await bed.host.read { engine in try engine.query(.customers(minRepeats: 1, limit: 1)) }
        let customer = try XCTUnwrap(top.rows.first?.first?.stringValue)
        let answer = try await bed.get("/v1/customers/\(URLForm.encode(customer))/journey", token: ConsoleTestBed.viewerToken)
        XCTAssertEqual(answer.status, 200, answer.body)
        guard case .array(let contacts)? = answer.json?["contacts"] else { return XCTFail(answer.body) }
        let journey = try await bed.host.read { engine in try engine.query(.journey(customer: customer)) }
        XCTAssertEqual(contacts.count, journey.rows.count)
        // Newest first: the journey query's rows (oldest first) reversed.
        let ids = contacts.compactMap { $0["contact"]?.stringValue }
        XCTAssertEqual(ids, try journey.values("contact").compactMap(\.stringValue).reversed())
        // Open repeats, computed here independently: a repeat whose window has not closed at the horizon.
        let horizon = journey.horizon.ms, w = try await bed.host.read { $0.parameters.repeatWindowMs }
        let rows = try await bed.host.read { engine in try engine.read(engine.reads.journey(customer: customer)) }
        let open = rows.filter { r in r.repeatOf != nil && (r.endedAt.map { horizon - $0 < w } ?? true) }.count
        XCTAssertEqual(answer.json?["openRepeats"], .integer(Int64(open)))
        XCTAssertEqual(contacts.filter { $0["openRepeat"] == .bool(true) }.count, open)
        let unknown = try await bed.get("/v1/customers/nobody-at-all/journey", token: ConsoleTestBed.viewerToken)
        XCTAssertEqual(unknown.status, 404)
    }

    // MARK: Pages

    func testSignInShowsEveryPageAndSignOutEndsTheSession() async throws {
        let bed = try tested()
        let refused = try await bed.post("/login", form: [("token", "not-a-token")])
        XCTAssertEqual(refused.status, 401)
        XCTAssertNil(refused.cookie)
        let metrics = try await bed.post("/login", form: [("token", ConsoleTestBed.metricsToken)])
        XCTAssertEqual(metrics.status, 403)
        let signIn = try await bed.post("/login", form: [("token", ConsoleTestBed.viewerToken), ("next", "//evil.example/x")])
        XCTAssertEqual(signIn.status, 303)
        XCTAssertEqual(signIn.headers["location"].first, "/today", "an off-site next is not followed")
        let setCookie = try XCTUnwrap(signIn.headers["set-cookie"].first)
        XCTAssertTrue(setCookie.contains("HttpOnly"), setCookie)
        XCTAssertTrue(setCookie.lowercased().contains("samesite=strict"), setCookie)
        let (cookie, csrf) = try await bed.signIn(ConsoleTestBed.viewerToken)
        XCTAssertFalse(csrf.isEmpty)
        for page in ["/today", "/today?site=west", "/repeats?site=east", "/people?site=east", "/plan", "/replication"] {
            let answer = try await bed.get(page, cookie: cookie)
            XCTAssertEqual(answer.status, 200, "\(page): \(answer.body.prefix(400))")
            XCTAssertTrue(answer.body.contains("id=\"stamp\""), page)
            XCTAssertTrue(answer.headers["content-security-policy"].first?.contains("script-src 'self'") ?? false, page)
            XCTAssertFalse(answer.body.contains("<script>"), "\(page): no inline script")
            let fragment = try await bed.get(page, cookie: cookie, headers: [("X-Journey-Fragment", "1")])
            XCTAssertFalse(fragment.body.contains("<html"), page)
        }
        // Sign-out needs the form's CSRF token.
        let forged = try await bed.post("/logout", form: [], cookie: cookie)
        XCTAssertEqual(forged.status, 403)
        let out = try await bed.post("/logout", form: [("csrf", csrf)], cookie: cookie)
        XCTAssertEqual(out.status, 303)
        let after = try await bed.get("/today", cookie: cookie)
        XCTAssertEqual(after.status, 303, "the session ended")
    }

    func testTodayShowsTheSameFiguresAsTheSitesQuery() async throws {
        let bed = try tested()
        let (cookie, _) = try await bed.signIn(ConsoleTestBed.viewerToken)
        let page = try await bed.get("/today?site=east", cookie: cookie)
        let day = try await bed.host.read { engine in engine.horizonDay(site: "east") }
        var f = ProjectionQuery.Filter()
        f.site = "east"; f.fromDay = day; f.toDay = day
        let sites = try await bed.host.read { engine in try engine.query(.sites(f)) }
        for (tile, column) in [("offered", "offered"), ("answered", "answered"), ("abandoned", "abandoned")] {
            let value = try XCTUnwrap(sites.value(column, row: 0)?.intValue)
            XCTAssertTrue(page.body.contains("id=\"\(tile)\"><div class=\"label\">"), tile)
            XCTAssertTrue(page.body.contains("<div class=\"value\">\(value)</div>"), "\(tile) \(value)")
        }
        let sl = try XCTUnwrap(sites.value("serviceLevel", row: 0)?.doubleValue)
        XCTAssertTrue(page.body.contains(String(format: "%.1f %%", sl * 100)), "service level \(sl)")
        XCTAssertTrue(page.body.contains("journey query sites --site east --day \(Timestamp.dateString(day: day)) --json"))
    }

    func testHostileNamesAreEscapedEverywhere() async throws {
        let bed = try tested()
        let evil = "<script>alert('x')</script>\"&"
        let at = Timestamp(ms: try await bed.host.read { $0.dataHorizon.ms } + 1000)
        var events: [Event] = []
        let contact = "c-evil"
        func event(_ n: Int, _ kind: EventKind, data: JSONObject = JSONObject()) -> Event {
            Event(site: "east", id: "evil-\(n)", at: Timestamp(ms: at.ms + Int64(n) * 1000), kind: kind, contact: contact,
                  customer: evil, channel: .voice, queue: evil, agent: n >= 2 ? evil : nil, data: data)
        }
        events.append(event(0, .contactStarted, data: ["reason": .string(evil)]))
        events.append(event(1, .queueEntered))
        events.append(event(2, .contactAnswered))
        events.append(event(3, .contactEnded))
        _ = try bed.store.append(events)
        try await bed.host.refresh()
        let (cookie, _) = try await bed.signIn(ConsoleTestBed.viewerToken)
        for page in ["/journey/\(URLForm.encode(evil))", "/today?site=east", "/contacts?site=east&queue=\(URLForm.encode(evil))",
                     "/people?site=east"] {
            let answer = try await bed.get(page, cookie: cookie)
            XCTAssertEqual(answer.status, 200, "\(page): \(answer.body.prefix(300))")
            XCTAssertFalse(answer.body.contains("<script>alert"), page)
            XCTAssertFalse(answer.body.contains("'x')</script>\""), page)
        }
        let journey = try await bed.get("/journey/\(URLForm.encode(evil))", cookie: cookie)
        XCTAssertTrue(journey.body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"), journey.body)
        // Errors echo values escaped too.
        let missing = try await bed.get("/today?site=\(URLForm.encode(evil))", cookie: cookie)
        XCTAssertFalse(missing.body.contains("<script>alert"))
        // The API carries the value as JSON text.
        let api = try await bed.get("/v1/customers/\(URLForm.encode(evil))/journey", token: ConsoleTestBed.viewerToken)
        guard case .array(let contacts)? = api.json?["contacts"] else { return XCTFail(api.body) }
        XCTAssertEqual(contacts.first?["agent"]?.stringValue, evil)
    }

    // MARK: Actions

    func testAManagerRecordsThePlanAndAViewerCannot() async throws {
        let bed = try tested()
        let viewer = try await bed.signIn(ConsoleTestBed.viewerToken)
        let denied = try await bed.post("/plan/commit", form: [("csrf", viewer.csrf)], cookie: viewer.cookie)
        XCTAssertEqual(denied.status, 403)
        let manager = try await bed.signIn(ConsoleTestBed.managerToken)
        let page = try await bed.get("/plan", cookie: manager.cookie)
        XCTAssertTrue(page.body.contains("id=\"commit-plan\""))
        let viewerPage = try await bed.get("/plan", cookie: viewer.cookie)
        XCTAssertFalse(viewerPage.body.contains("id=\"commit-plan\""), "a viewer is not offered the action")
        let forged = try await bed.post("/plan/commit", form: [], cookie: manager.cookie)
        XCTAssertEqual(forged.status, 403, "no CSRF token")
        let before = bed.store.lastSeq(of: "east")
        let done = try await bed.post("/plan/commit", form: [("csrf", manager.csrf)], cookie: manager.cookie)
        XCTAssertEqual(done.status, 303, done.body)
        XCTAssertGreaterThan(bed.store.lastSeq(of: "east"), before)
        let plans = try await bed.host.read { engine in try engine.recordedActions(kind: .staffingPlanned) }
        XCTAssertEqual(plans.count, 1)
        XCTAssertEqual(plans.first?.data["by"]?.stringValue, "ops-manager")
        // Its audit (the log replayed to the plan's recorded positions) finds it identical, `by` notwithstanding.
        let id = try XCTUnwrap(plans.first?.data["plan"]?.stringValue)
        let audit = try await bed.get("/plan/audit/\(id)", cookie: viewer.cookie)
        XCTAssertEqual(audit.status, 200, audit.body)
        XCTAssertTrue(audit.body.contains("id=\"audit-verdict\">Identical"), audit.body)
        let listed = try await bed.get("/plan", cookie: viewer.cookie)
        XCTAssertTrue(listed.body.contains(">identical</a>"), "the plan page shows the audit's outcome")
        // The same plan again appends nothing.
        let again = try await bed.post("/plan/commit", form: [("csrf", manager.csrf)], cookie: manager.cookie)
        XCTAssertEqual(again.status, 303)
        let count = try await bed.host.read { engine in try engine.recordedActions(kind: .staffingPlanned).count }
        XCTAssertEqual(count, 1)
        // A bearer-token client needs no CSRF token, but the manager role.
        let api = try await bed.post("/plan/commit", form: [], token: ConsoleTestBed.managerToken)
        XCTAssertEqual(api.status, 200, api.body)
        let apiViewer = try await bed.post("/plan/commit", form: [], token: ConsoleTestBed.viewerToken)
        XCTAssertEqual(apiViewer.status, 403)
    }

    // MARK: Live

    func testTheLiveStreamAnnouncesAnAppend() async throws {
        let bed = try tested()
        let follower = Task { await bed.host.follow { _ in } }
        defer { follower.cancel() }
        var request = HTTPClientRequest(url: bed.server.url + "/v1/live")
        request.headers.add(name: "Authorization", value: "Bearer \(ConsoleTestBed.viewerToken)")
        let response = try await bed.client.execute(request, timeout: .seconds(60))
        XCTAssertEqual(response.status.code, 200)
        XCTAssertEqual(response.headers["content-type"].first, "text/event-stream; charset=utf-8")
        var text = ""
        var appended = false
        let before = bed.store.lastSeq(of: "east")
        for try await chunk in response.body {
            text += String(buffer: chunk)
            let updates = text.components(separatedBy: "event: update").count - 1
            if updates == 1 && !appended {
                appended = true
                let at = Timestamp(ms: try await bed.host.read { $0.dataHorizon.ms } + 1000)
                _ = try bed.store.append([Event(site: "east", id: "live-1", at: at, kind: .agentLogin, agent: "live-agent")])
            }
            if updates >= 2 { break }
        }
        let last = try XCTUnwrap(text.components(separatedBy: "event: update\ndata: ").last?.split(separator: "\n").first)
        XCTAssertEqual(try JSONParser.parse(String(last))["positions"]?["east"], .integer(Int64(before + 1)), text)
    }

    func testOpenAPIDocumentDescribesEveryRoute() async throws {
        let bed = try tested()
        let doc = try await bed.get("/v1/api/openapi.json", token: ConsoleTestBed.viewerToken)
        XCTAssertEqual(doc.status, 200)
        guard case .object(let paths)? = doc.json?["paths"] else { return XCTFail(doc.body) }
        XCTAssertEqual(Set(paths.members.map(\.key)), Set(["/v1/api/query/{kind}", "/v1/api/now", "/v1/customers/{key}/journey",
                                                            "/v1/api/positions", "/v1/api/openapi.json"]
                                                           + InsightRequest.names.map { "/v1/api/insights/\($0)" }))
        // Every documented query parameter is one the API accepts, and the other way round.
        guard case .array(let parameters)? = doc.json?["paths"]?["/v1/api/query/{kind}"]?["get"]?["parameters"] else { return XCTFail() }
        let names = Set(parameters.compactMap { $0["name"]?.stringValue }).subtracting(["kind"])
        XCTAssertEqual(names, ProjectionQuery.parameterNames)
        for kind in ProjectionQuery.kindNames where kind != "journey" {
            let answer = try await bed.get("/v1/api/query/\(kind)?limit=3", token: ConsoleTestBed.viewerToken)
            XCTAssertEqual(answer.status, 200, kind)
            for key in ["positions", "horizon", "rows"] { XCTAssertNotNil(answer.json?[key], "\(kind) \(key)") }
        }
        for name in ["repeats", "mix", "teams", "attrition", "coaching"] {
            let answer = try await bed.get("/v1/api/insights/\(name)?site=east", token: ConsoleTestBed.viewerToken)
            XCTAssertEqual(answer.status, 200, "\(name): \(answer.body.prefix(300))")
            for key in ["title", "findings", "positions", "horizon", "rows"] { XCTAssertNotNil(answer.json?[key], "\(name) \(key)") }
        }
        let now = try await bed.get("/v1/api/now", token: ConsoleTestBed.viewerToken)
        guard case .array(let rows)? = now.json?["rows"] else { return XCTFail(now.body) }
        XCTAssertEqual(rows.compactMap { $0["site"]?.stringValue }, ["east", "west"])
    }
}
