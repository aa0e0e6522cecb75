import ArgumentParser
import Foundation
import JourneyConsole
import JourneyIngest
import JourneySimulation
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneyStaffing
import JourneySync

/// `journey demo`: the whole product on one machine, on embedded defaults.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Simulate three regional centres, sync them over loopback, rebuild, and show KPIs, insights, coaching and tomorrow's lending plan.",
        discussion: """
            Creates the stores north, central and south in --dir (each its own log and signing key), simulates --days days \
            of traffic with one shared customer population and an overflow fault at south, serves each centre's log on a \
            free loopback port (bearer tokens, pinned keys), syncs every centre from the other two, rebuilds the projections \
            at each, and prints what a regional operations team would look at. The stores stay in --dir to query afterwards.
            """)

    @Option(help: "Directory for the three centres' stores.") var dir = "./journey-demo"
    @Option(help: "Days to simulate (at least 15: plans and insights use same-weekday history).") var days = 28
    @Option(help: "Agents per centre.") var agents = 200
    @Option(help: "First contacts per centre on an average weekday.") var contactsPerDay = 6_500
    @Option(help: "Random seed of the simulation.") var seed: UInt64 = 2026
    @Flag(help: "Reuse the stores a previous demo left in --dir (skip the simulation).") var keep = false
    @Option(help: "First of the three loopback ports the stores' sync.json name, for `journey serve` and `sync` after the demo.")
    var port = 7411
    @Flag(help: "After the demo, keep the three centres serving (following each other) with the operations console, until interrupted.")
    var serve = false

    func run() async throws {
        // The demo's lines are its progress: each shows when written, even into a file or pipe.
        Console.current.flushesEachLine = true
        defer { Console.current.flushesEachLine = false }
        // Three rebuilds at once: without a cap, each thread's malloc arena keeps its own high-water mark.
        DemoCentres.capMallocArenas()
        try await execute()
        if serve { try await serveCentres() }
    }

    /// `--serve`: every centre as a node of its own sync.json (ports --port…--port+2), each
    /// following the other two and serving its console, until interrupted.
    func serveCentres() async throws {
        let demo = DemoCentres(directory: dir, clock: CommandEnvironment.clock)
        let nodes = DemoCentres.sites.map { Node(directory: demo.data($0), clock: CommandEnvironment.clock) }
        let configs = try nodes.map { try $0.directory.syncConfig() }
        Console.line()
        Console.line("Serving the three centres with the operations console (Ctrl-C to stop):")
        for (site, config) in zip(DemoCentres.sites, configs) { Console.line("  \(site): http://\(config.listenHost):\(config.listenPort)/") }
        for viewer in configs.first?.viewers ?? [] { Console.line("  sign in as \(viewer.role.rawValue) with the token \(viewer.token)") }
        Console.line("  (tokens are in each centre's sync.json under \"viewers\"; API: /v1/api/openapi.json; metrics: /metrics)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (node, config) in zip(nodes, configs) {
                group.addTask {
                    try await node.serve(config, follow: true, extra: ConsoleServer.served(node: node, config: config),
                                         bound: { _, _ in }, pulled: { _, _ in })
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func execute() async throws {
        guard days >= 15 else { throw CLIError(.badInput, "--days must be at least 15") }
        guard agents >= 10, contactsPerDay >= 100 else { throw CLIError(.badInput, "--agents must be ≥ 10 and --contacts-per-day ≥ 100") }
        guard (1...65533).contains(port) else { throw CLIError(.badInput, "--port must be 1–65533 (it and the next two are used)") }
        let clock = CommandEnvironment.clock
        let started = clock.monotonicSeconds()
        let demo = DemoCentres(directory: dir, clock: clock)
        let sites = DemoCentres.sites
        Console.line("JourneyStore demo: three regional centres (\(sites.joined(separator: ", "))) in \(dir)")
        Console.line()

        // 1. Stores, 2. simulation.
        let stores = try keep && demo.storesExist ? reopen(demo) : simulate(demo)
        defer { for s in stores { s.close() } }

        // 3. Servers, 4. sync.
        let credentials = demo.credentials(stores)
        try demo.writeNodeConfigs(credentials, port: port)
        let servers = try await demo.serve(stores, credentials)
        defer { for s in servers { s.stop() } }
        step(3, "serving each centre's log on loopback (GET /v1/heads, /v1/blocks; bearer token per client; keys pinned); "
                + "each store's sync.json keeps its peers, tokens and keys for after the demo")
        for (s, server) in zip(sites, servers) { Console.line("    \(s): \(server.url)") }
        let syncStart = clock.monotonicSeconds()
        let synced = try await demo.syncAll(stores, servers: servers, credentials)
        let syncSeconds = clock.monotonicSeconds() - syncStart
        step(4, "syncing: every centre pulls the other two centres' logs (CRC, hash chain and signature checked on every block)")
        Console.line(String(format: "    %d blocks, %d events replicated in %.1f s (%.0f events/s)", synced.blocks, synced.events, syncSeconds,
                            syncSeconds > 0 ? Double(synced.events) / syncSeconds : 0))
        try printHeads(stores)

        // 5. Projections, 6. insights and 7. the plan and its audit, computed on both cores at once, printed in order.
        step(5, "rebuilding the projections at every centre from its own copy of the log")
        let projected = try await demo.rebuildPlanAndAudit(stores, servers: servers, credentials, plan: { north in
            try PlanRecord(engine: north, day: north.horizonDay() + 1, parameters: PlanParameters())
        }, insights: { north in try Self.insights(north, dataDirectory: "\(dir)/north") })
        let engines = projected.engines
        let applied = engines.map { $0.positions.values.reduce(0, +) }.reduce(0, +)
        Console.line(String(format: "    %d events applied in %.1f s (three rebuilds at once on two cores)", applied, projected.rebuildSeconds))
        let siteKPIs = try engines.map { try $0.query(.sites(ProjectionQuery.Filter())) }
        let same = siteKPIs.dropFirst().allSatisfy { $0.rows == siteKPIs[0].rows && $0.positions == siteKPIs[0].positions }
        Console.line("    site KPIs — \(same ? "identical at north, central and south" : "DIFFERENT between centres (a bug: please report it)"):")
        Output.print(siteKPIs[0], json: false, csv: false)

        // 6. Insights and coaching.
        let north = engines[0]
        let insights = projected.insights
        let (coach, listed) = printInsights(insights, north: north)

        // 7. Plan, record, replicate, audit.
        step(7, "tomorrow's cross-site staffing plan (computed and recorded at north)")
        let record = projected.plan
        PlanCommand.printPlan(record, detail: false)
        let sessions = try await demo.scheduleCoaching(listed, options: coach, stores: stores, north: north, servers: servers, credentials)
        Console.line("    north recorded the plan (\(projected.planEvents) events: staffing.planned + agent.lent); each centre scheduled coaching for its own listed agents (\(sessions) sessions)")
        let audit = projected.audit
        Console.line("    audit at south: " + (audit.identical
            ? "plan \(record.id) re-derived from south's copy of the log (\(audit.eventsReplayed) events replayed to north's recorded positions"
                + (audit.method == .givenProjections ? ", by south's own rebuild): identical" : "): identical")
            : "plan \(record.id) DIFFERS: " + audit.differences.map(\.field).joined(separator: ", ")))

        Console.line()
        Console.line(String(format: "Done in %.0f s. The stores stay in %@; try:", clock.monotonicSeconds() - started, dir))
        for c in ["journey status --data \(dir)/north", "journey query sites --data \(dir)/central",
                  "journey insights repeats --data \(dir)/south --site south", "journey insights mix --data \(dir)/north --site south --from \(LocalDay(insights.lastDay - 13).text) --to \(LocalDay(insights.lastDay).text)",
                  "journey query contacts --data \(dir)/south --site south --route overflow --repeats --limit 10",
                  "journey coach --data \(dir)/north --below \(coach.below)", "journey audit plan \(record.id) --data \(dir)/central",
                  "journey verify --data \(dir)/south"] {
            Console.line("  " + c)
        }
        Console.line("and as nodes (each store's sync.json names its peers on 127.0.0.1:\(port)–\(port + 2)):")
        Console.line("  journey serve --data \(dir)/north        # in one terminal: north serves its log")
        Console.line("  journey sync --data \(dir)/south --peer http://127.0.0.1:\(port)   # in another: south pulls from north")
        if !audit.identical { throw ExitCode(ExitStatus.failure) }
    }

    func step(_ n: Int, _ text: String) {
        Console.line("[\(n)/7] " + text)
    }

    /// Step 1 with `--keep`: the stores a previous demo left.
    func reopen(_ demo: DemoCentres) throws -> [LogStore] {
        step(1, "opening the centres' stores left by the previous demo (--keep)")
        return try demo.openStores()
    }

    /// Steps 1 and 2: new stores, and the simulated traffic appended to them.
    func simulate(_ demo: DemoCentres) throws -> [LogStore] {
        try demo.prepare()
        step(1, "creating one store per centre, each with its own Ed25519 signing key")
        let stores = try demo.createStores()
        for s in stores { Console.line("    \(s.site): key \(Checksum.hex(s.publicKey).prefix(16))…") }
        let faultDay = days - 11
        var config = SimulationConfig(sites: DemoCentres.sites, seed: seed, days: days)
        config.agentsPerSite = agents
        config.contactsPerDay = contactsPerDay
        config.scenarios = [.overflowFault(site: "south", queue: "technical", day: faultDay, afterSeconds: 30)]
        let first = LocalDay(Int64(config.startDay))
        step(2, "simulating \(days) days from \(first.text): \(agents) agents and \(contactsPerDay) first contacts a weekday per centre, "
             + "customers shared; planted fault: from \(first.advanced(by: Int64(faultDay)).text) south's technical calls overflow to any ready agent after 30 s")
        let started = demo.clock.monotonicSeconds()
        let counts = try demo.simulate(config, into: stores) { day, counts in
            Console.line("    day \(day + 1) of \(days): " + DemoCentres.sites.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ") + " events")
        }
        let total = counts.values.reduce(0, +)
        let seconds = demo.clock.monotonicSeconds() - started
        Console.line(String(format: "    %d events in %.1f s (%.0f events/s, appended durably)", total, seconds, Double(total) / max(seconds, 1e-9)))
        // Nothing is appended again until step 7: the id indexes (about 64 MB a centre) are not kept meanwhile.
        for s in stores { s.releaseIDIndex() }
        return stores
    }

    /// Step 6's findings, computed at north: repeat causes, mix shifts and the coaching list.
    struct Insights {
        var lastDay: Int64
        var repeats: InsightReport
        var mix: InsightReport
        var coach: CoachingList.Options
        var everyone: [CoachingList.Entry]
        var range: DayRange
        var province: Double?
    }

    /// Computes step 6 at north (on the demo's other core, while south is rebuilt).
    static func insights(_ north: ProjectionEngine, dataDirectory: String) throws -> Insights {
        let last = north.horizonDay() - 1
        var repeatOptions = RepeatCauses.Options()
        repeatOptions.dataDirectory = dataDirectory  // each drill-down runs as printed
        let repeats = try RepeatCauses.report(north, repeatOptions)
        var mixOptions = MixMonitor.Options()
        mixOptions.fromDay = last - 13
        mixOptions.toDay = last
        let mix = try MixMonitor.report(north, mixOptions)
        var coach = CoachingList.Options()
        let (everyone, range) = try CoachingList.entries(north, coach)
        let (below, province) = DemoCentres.coachingThreshold(everyone)
        coach.below = below
        return Insights(lastDay: last, repeats: repeats, mix: mix, coach: coach, everyone: everyone, range: range, province: province)
    }

    /// Step 6: prints the insights; returns the coaching options and the agents listed.
    func printInsights(_ insights: Insights, north: ProjectionEngine) -> (CoachingList.Options, [CoachingList.Entry]) {
        step(6, "insights (computed at north; every centre gets the same answer from the same facts)")
        Console.line("    top repeat cause, \(insights.repeats.title.replacingOccurrences(of: "Repeat causes ", with: "")):")
        for f in insights.repeats.findings.prefix(2) { Console.line("    • " + f) }
        Console.line("    traffic-mix shifts over the last two weeks:")
        for f in insights.mix.findings.prefix(3) { Console.line("    • " + f) }
        let coach = insights.coach, everyone = insights.everyone, range = insights.range
        let listed = everyone.filter { $0.adjusted < coach.below }
        if let province = insights.province {
            Console.line("    coaching list: FCR adjusted for queue mix and tenure below \(Int((coach.below * 100).rounded())) % "
                         + "(province \(Self.percent(province)), \(range.text), the \(range.days) days whose \(north.repeatWindowMs / LocalDay.hourMs) h windows have closed): "
                         + "\(listed.count) of \(everyone.count) agents" + (listed.count > 5 ? "; the five furthest below:" : ":"))
        } else {
            Console.line("    coaching list: " + (range.isEmpty ? range.emptyNote(closedWindowsOf: north.repeatWindowMs) : "no agent closed enough contacts over \(range.text)"))
        }
        var t = Table(["agent", "site", "team", "contacts", "FCR", "expected", "adjusted"], numeric: [3, 4, 5, 6])
        for e in listed.prefix(5) {
            t.add([e.agent, e.site, e.team ?? "", String(e.contacts), Self.percent(e.observed), Self.percent(e.expected), Self.percent(e.adjusted)])
        }
        if !listed.isEmpty { Console.line(t.render().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")) }
        return (coach, listed)
    }

    func printHeads(_ stores: [LogStore]) throws {
        let views = DemoCentres.heads(stores)
        var t = Table(["origin", "last seq", "head hash"] + DemoCentres.sites.map { "at \($0)" }, numeric: [1])
        for origin in DemoCentres.sites {
            let parts = (views[0][origin] ?? "0 ").split(separator: " ").map(String.init)
            t.add([origin, parts.first ?? "", String((parts.last ?? "").prefix(24)) + "…"] + views.map { $0[origin] == views[0][origin] ? "same" : "DIFFERENT" })
        }
        Console.line("    heads — every centre holds the same three logs:")
        Console.line(t.render().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        guard views.dropFirst().allSatisfy({ $0 == views[0] }) else { throw CLIError(.failure, "the centres' heads differ after sync") }
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
}
