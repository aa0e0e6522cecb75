import ArgumentParser
import Foundation
import JourneyIngest
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyStaffing
import JourneySync
import Logging

/// `journey demo`: the whole product on one machine, on embedded defaults.
struct DemoCommand: ParsableCommand {
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

    static let sites = ["north", "central", "south"]
    static let marker = ".journey-demo"

    func run() throws {
        // The demo's lines are its progress: each shows when written, even into a file or pipe.
        Console.current.flushesEachLine = true
        defer { Console.current.flushesEachLine = false }
        do { try execute() } catch { throw ExitStatus.report(error) }
    }

    func execute() throws {
        guard days >= 15 else { throw CLIError(ExitStatus.badInput, "--days must be at least 15") }
        guard agents >= 10, contactsPerDay >= 100 else { throw CLIError(ExitStatus.badInput, "--agents must be ≥ 10 and --contacts-per-day ≥ 100") }
        guard (1...65533).contains(port) else { throw CLIError(ExitStatus.badInput, "--port must be 1–65533 (it and the next two are used)") }
        let started = Date()
        let faultDay = days - 11
        let fm = FileManager.default
        let reuse = keep && Self.sites.allSatisfy { fm.fileExists(atPath: "\(dir)/\($0)/journey.json") }
        Console.line("JourneyStore demo: three regional centres (\(Self.sites.joined(separator: ", "))) in \(dir)")
        Console.line()

        // 1. Stores.
        var stores: [LogStore] = []
        if reuse {
            step(1, "opening the centres' stores left by the previous demo (--keep)")
            stores = try Self.sites.map { try LogStore.open(directory: "\(dir)/\($0)") }
        } else {
            try prepare(dir)
            step(1, "creating one store per centre, each with its own Ed25519 signing key")
            stores = try Self.sites.map { try LogStore.create(directory: "\(dir)/\($0)", site: $0) }
            for s in stores { Console.line("    \(s.site): key \(Checksum.hex(s.publicKey).prefix(16))…") }

            // 2. Simulation.
            var config = SimulationConfig(sites: Self.sites, seed: seed, days: days)
            config.agentsPerSite = agents
            config.contactsPerDay = contactsPerDay
            config.scenarios = [.overflowFault(site: "south", queue: "technical", day: faultDay, afterSeconds: 30)]
            let first = Timestamp(ms: Int64(config.startDay) * 86_400_000)
            step(2, "simulating \(days) days from \(first.rfc3339.prefix(10)): \(agents) agents and \(contactsPerDay) first contacts a weekday per centre, "
                 + "customers shared; planted fault: from \(Timestamp.dateString(day: Int64(config.startDay + faultDay))) south's technical calls overflow to any ready agent after 30 s")
            let simStart = Date()
            var counts: [String: Int] = [:]
            var lastReported = -1
            try Simulator(config: config).run { site, events in
                guard let i = Self.sites.firstIndex(of: site) else { return }
                counts[site, default: 0] += try stores[i].append(events).appended
                let day = events.last.map { Int(($0.at.ms / 86_400_000) - Int64(config.startDay)) } ?? 0
                if day / 7 > lastReported, day % 7 == 6 {
                    lastReported = day / 7
                    Console.line("    day \(day + 1) of \(days): " + Self.sites.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ") + " events")
                }
            }
            let total = counts.values.reduce(0, +)
            Console.line(String(format: "    %d events in %.1f s (%.0f events/s, appended durably)", total, Date().timeIntervalSince(simStart),
                                Double(total) / Date().timeIntervalSince(simStart)))
        }
        defer { for s in stores { s.close() } }

        // 3. Servers, 4. sync.
        let logger = { var l = Logger(label: "journey.demo"); l.logLevel = .critical; return l }()
        let keys = Dictionary(uniqueKeysWithValues: stores.map { ($0.site, $0.publicKey) })
        let tokens = Dictionary(uniqueKeysWithValues: Self.sites.map { ($0, Self.token()) })
        try writeNodeConfigs(dir: dir, keys: keys, tokens: tokens)
        let servers: [RunningServer] = try blockingAwait { [stores] in
            var out: [RunningServer] = []
            for store in stores {
                var config = SyncConfig()
                config.clients = Self.sites.filter { $0 != store.site }.map { SyncConfig.Client(name: $0, token: tokens[$0] ?? "") }
                config.keys = keys
                out.append(try await RunningServer.start(SyncServer(store: store, config: config, logger: logger)))
            }
            return out
        }
        defer { for s in servers { s.stop() } }
        step(3, "serving each centre's log on loopback (GET /v1/heads, /v1/blocks; bearer token per client; keys pinned); "
                + "each store's sync.json keeps its peers, tokens and keys for after the demo")
        for (s, server) in zip(Self.sites, servers) { Console.line("    \(s): \(server.url)") }
        try sync(stores, servers: servers, keys: keys, tokens: tokens, logger: logger, step: 4)
        try printHeads(stores)

        // 5. Projections.
        step(5, "rebuilding the projections at every centre from its own copy of the log")
        let rebuildStart = Date()
        let engines = try Self.sites.map { try ProjectionEngine(path: "\(dir)/\($0)/projections.sqlite", parameters: try Projections.parameters("\(dir)/\($0)")) }
        let failures = FailureBox()
        // Each engine is used by exactly one of the concurrent iterations, so sharing the array is safe.
        let work = Unchecked((engines, stores))
        DispatchQueue.concurrentPerform(iterations: engines.count) { i in
            do { _ = try work.value.0[i].rebuild(from: work.value.1[i]) } catch { failures.add(error) }
        }
        if let e = failures.first { throw e }
        let applied = engines.map { $0.positions.values.reduce(0, +) }.reduce(0, +)
        Console.line(String(format: "    %d events applied in %.1f s (three rebuilds side by side)", applied, Date().timeIntervalSince(rebuildStart)))
        let siteKPIs = try engines.map { try $0.query(.sites(ProjectionQuery.Filter())) }
        let same = siteKPIs.dropFirst().allSatisfy { $0.rows == siteKPIs[0].rows && $0.positions == siteKPIs[0].positions }
        Console.line("    site KPIs — \(same ? "identical at north, central and south" : "DIFFERENT between centres (a bug: please report it)"):")
        Output.print(siteKPIs[0], json: false, csv: false)

        // 6. Insights and coaching.
        let north = engines[0]
        step(6, "insights (computed at north; every centre gets the same answer from the same facts)")
        var repeatOptions = RepeatCauses.Options()
        repeatOptions.dataDirectory = "\(dir)/north"  // each drill-down runs as printed
        let repeats = try RepeatCauses.report(north, repeatOptions)
        Console.line("    top repeat cause, \(repeats.title.replacingOccurrences(of: "Repeat causes ", with: "")):")
        for f in repeats.findings.prefix(2) { Console.line("    • " + f) }
        var mixOptions = MixMonitor.Options()
        let last = north.horizonDay() - 1
        mixOptions.fromDay = last - 13
        mixOptions.toDay = last
        let mix = try MixMonitor.report(north, mixOptions)
        Console.line("    traffic-mix shifts over the last two weeks:")
        for f in mix.findings.prefix(3) { Console.line("    • " + f) }
        // Coach agents seven points or more below the province's FCR (after adjustment).
        var coach = CoachingList.Options()
        let (everyone, range) = try CoachingList.entries(north, coach)
        let contacts = everyone.reduce(0) { $0 + $1.contacts }
        let overall: Double? = contacts > 0 ? everyone.reduce(0.0) { $0 + $1.observed * Double($1.contacts) } / Double(contacts) : nil
        coach.below = max(0.05, (((overall ?? 0.77) - 0.07) * 100).rounded(.down) / 100)
        let listed = everyone.filter { $0.adjusted < coach.below }
        if let overall {
            Console.line("    coaching list: FCR adjusted for queue mix and tenure below \(Int((coach.below * 100).rounded())) % "
                         + "(province \(Self.percent(overall)), \(range.text), the \(range.days) days whose \(north.repeatWindowMs / 3_600_000) h windows have closed): "
                         + "\(listed.count) of \(everyone.count) agents" + (listed.count > 5 ? "; the five furthest below:" : ":"))
        } else {
            Console.line("    coaching list: " + (range.isEmpty ? range.emptyNote(closedWindowsOf: north.repeatWindowMs) : "no agent closed enough contacts over \(range.text)"))
        }
        var t = Table(["agent", "site", "team", "contacts", "FCR", "expected", "adjusted"], numeric: [3, 4, 5, 6])
        for e in listed.prefix(5) {
            t.add([e.agent, e.site, e.team ?? "", String(e.contacts), Self.percent(e.observed), Self.percent(e.expected), Self.percent(e.adjusted)])
        }
        if !listed.isEmpty { Console.line(t.render().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")) }

        // 7. Plan, record, replicate, audit.
        step(7, "tomorrow's cross-site staffing plan (computed and recorded at north)")
        let record = try PlanRecord(engine: north, day: north.horizonDay() + 1, parameters: PlanParameters())
        PlanCommand.printPlan(record, detail: false)
        let now = Timestamp(ms: Int64(Date().timeIntervalSince1970 * 1000))
        let recorded = try stores[0].append(record.events(site: "north", at: now))
        // Each centre schedules coaching for its own listed agents.
        var coachingEvents = 0
        for (i, store) in stores.enumerated() {
            let own = CoachingList.scheduledEvents(listed, site: store.site, options: coach, engine: north, at: now)
            coachingEvents += try stores[i].append(own).appended
        }
        Console.line("    north recorded the plan (\(recorded.appended) events: staffing.planned + agent.lent); each centre scheduled coaching for its own listed agents (\(coachingEvents) sessions)")
        try sync(stores, servers: servers, keys: keys, tokens: tokens, logger: logger, step: nil)
        let south = engines[2]
        try south.catchUp(from: stores[2])
        guard let atSouth = try south.recordedActions(kind: .staffingPlanned).first(where: { $0.data["plan"]?.stringValue == record.id }) else {
            throw CLIError(ExitStatus.failure, "the plan did not reach south")
        }
        let audit = try PlanAudit(record: atSouth.data, store: stores[2], scratchPath: "\(dir)/south/audit-demo.sqlite")
        Console.line("    audit at south: " + (audit.identical
            ? "plan \(record.id) re-derived from south's copy of the log (\(audit.eventsReplayed) events replayed to north's recorded positions): identical"
            : "plan \(record.id) DIFFERS: " + audit.differences.map(\.field).joined(separator: ", ")))

        Console.line()
        Console.line(String(format: "Done in %.0f s. The stores stay in %@; try:", Date().timeIntervalSince(started), dir))
        for c in ["journey status --data \(dir)/north", "journey query sites --data \(dir)/central",
                  "journey insights repeats --data \(dir)/south --site south", "journey insights mix --data \(dir)/north --site south --from \(Timestamp.dateString(day: last - 13)) --to \(Timestamp.dateString(day: last))",
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

    /// Each store's `sync.json`, so that the stores stay working nodes after the
    /// demo: centre i listens on 127.0.0.1:(port + i), pulls from the other two
    /// there with its token, serves them with theirs, and pins all three keys.
    /// Mode 0600: the tokens are secrets.
    func writeNodeConfigs(dir: String, keys: [String: [UInt8]], tokens: [String: String]) throws {
        for (i, site) in Self.sites.enumerated() {
            var c = SyncConfig()
            c.listenPort = port + i
            c.peers = Self.sites.enumerated().filter { $0.element != site }.map { j, other in
                SyncConfig.Peer(name: other, url: "http://127.0.0.1:\(port + j)", token: tokens[site] ?? "")
            }
            c.clients = Self.sites.filter { $0 != site }.map { SyncConfig.Client(name: $0, token: tokens[$0] ?? "") }
            c.keys = keys
            let path = "\(dir)/\(site)/sync.json"
            guard FileManager.default.createFile(atPath: path, contents: Data((JSONWriter.string(c.json) + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CLIError(ExitStatus.failure, "cannot write \(path): check the directory's permissions")
            }
        }
    }

    /// Every centre pulls from the other two over HTTP.
    func sync(_ stores: [LogStore], servers: [RunningServer], keys: [String: [UInt8]], tokens: [String: String], logger: Logger, step n: Int?) throws {
        let started = Date()
        let reports: [SyncClient.Report] = try blockingAwait { [stores] in
            var out: [SyncClient.Report] = []
            for (i, store) in stores.enumerated() {
                var config = SyncConfig()
                config.keys = keys
                let client = SyncClient(store: store, config: config, logger: logger)
                for (j, server) in servers.enumerated() where j != i {
                    out.append(try await client.pull(from: SyncConfig.Peer(name: Self.sites[j], url: server.url, token: tokens[store.site] ?? "")))
                }
            }
            return out
        }
        let events = reports.reduce(0) { $0 + $1.events }, blocks = reports.reduce(0) { $0 + $1.blocks }
        let seconds = Date().timeIntervalSince(started)
        if let n {
            step(n, "syncing: every centre pulls the other two centres' logs (CRC, hash chain and signature checked on every block)")
        }
        Console.line(String(format: "    %d blocks, %d events replicated in %.1f s (%.0f events/s)", blocks, events, seconds, seconds > 0 ? Double(events) / seconds : 0))
    }

    func printHeads(_ stores: [LogStore]) throws {
        let views = stores.map { s in Dictionary(uniqueKeysWithValues: s.stats().map { ($0.site, "\($0.lastSeq) \($0.headHash)") }) }
        var t = Table(["origin", "last seq", "head hash"] + Self.sites.map { "at \($0)" }, numeric: [1])
        for origin in Self.sites {
            let parts = (views[0][origin] ?? "0 ").split(separator: " ").map(String.init)
            t.add([origin, parts.first ?? "", String((parts.last ?? "").prefix(24)) + "…"] + views.map { $0[origin] == views[0][origin] ? "same" : "DIFFERENT" })
        }
        Console.line("    heads — every centre holds the same three logs:")
        Console.line(t.render().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        guard views.dropFirst().allSatisfy({ $0 == views[0] }) else { throw CLIError(ExitStatus.failure, "the centres' heads differ after sync") }
    }

    /// Empties `dir` for a fresh demo; refuses a directory that is not empty and not a previous demo's.
    func prepare(_ dir: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir) {
            let contents = try fm.contentsOfDirectory(atPath: dir)
            guard contents.isEmpty || contents.contains(Self.marker) else {
                throw CLIError(ExitStatus.badInput, "\(dir) exists and is not a demo directory; choose another --dir")
            }
            try fm.removeItem(atPath: dir)
        }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("created by journey demo; removed by the next demo run\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(Self.marker)"))
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }

    /// A random bearer token (32 hex digits).
    static func token() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }
}

/// A value handed to concurrent work whose safety the caller guarantees (see its use).
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Errors from concurrent work, kept for the caller.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ e: any Error) { lock.withLock { errors.append(e) } }
    var first: (any Error)? { lock.withLock { errors.first } }
}
