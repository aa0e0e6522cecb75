import Foundation
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneySimulation
import JourneyStaffing
import JourneySync
import Logging
import Synchronization

/// The demo's three regional centres on one machine: a store per centre in
/// one directory, simulated traffic with a shared customer population and a
/// planted fault, servers on loopback, replication, rebuilds, a recorded plan
/// and its audit. `journey demo` prints what these steps return.
public struct DemoCentres {
    /// The centres, in order.
    public static let sites = ["north", "central", "south"]
    /// The file that marks a directory as a demo's (so a new run may empty it).
    public static let marker = ".journey-demo"
    /// The malloc arenas the demo's process may use (see
    /// ``rebuildPlanAndAudit(_:servers:_:plan:insights:)``). Measured on the
    /// default demo: peaks of 405–432 MiB with two, 434 MiB with four, and
    /// 497–513 MiB uncapped (glibc's eight per core).
    public static let mallocArenas: Int32 = 2

    /// Caps the process's malloc arenas at ``mallocArenas``, before the
    /// demo's threads start; false where the C library is not glibc.
    @discardableResult
    public static func capMallocArenas() -> Bool { MallocArenas.limit(to: mallocArenas) }

    /// The directory holding one store per centre.
    public let directory: String
    /// The clock recorded actions are stamped by.
    public let clock: any NodeClock
    /// Quiet loggers for the servers and clients.
    let logger: Logger = { var l = Logger(label: "journey.demo"); l.logLevel = .critical; return l }()

    /// The demo in `directory`.
    public init(directory: String, clock: any NodeClock) {
        self.directory = directory
        self.clock = clock
    }

    /// The data directory of `site`.
    public func data(_ site: String) -> DataDirectory { DataDirectory("\(directory)/\(site)") }

    /// Whether every centre's store is already there (for `--keep`).
    public var storesExist: Bool {
        Self.sites.allSatisfy { FileManager.default.fileExists(atPath: data($0).path + "/journey.json") }
    }

    // MARK: Stores and traffic

    /// Empties the directory for a fresh demo; refuses one that is not empty and not a previous demo's.
    public func prepare() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory) {
            let contents = try fm.contentsOfDirectory(atPath: directory)
            guard contents.isEmpty || contents.contains(Self.marker) else {
                throw NodeError(.refused, "\(directory) exists and is not a demo directory; choose another --dir")
            }
            try fm.removeItem(atPath: directory)
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("created by journey demo; removed by the next demo run\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(Self.marker)"))
    }

    /// A new store per centre, each with its own signing key.
    public func createStores() throws -> [LogStore] {
        try Self.sites.map { try LogStore.create(directory: data($0).path, site: $0) }
    }

    /// The stores a previous demo left.
    public func openStores() throws -> [LogStore] {
        try Self.sites.map { try LogStore.open(directory: data($0).path) }
    }

    /// Runs the simulation, appending each centre's events to its store
    /// durably; `weekDone(day, counts)` after the last day of each week, with
    /// each centre's events up to that day. Returns the events stored per
    /// centre.
    ///
    /// The appends run behind the simulation, on the other core, in the
    /// order the simulator hands the days over (``AppendBehind``).
    /// `weekDone` is called from that thread once every centre has stored
    /// the week's last day, while the caller's thread is busy simulating.
    public func simulate(_ config: SimulationConfig, into stores: [LogStore],
                         weekDone: @escaping (_ day: Int, _ counts: [String: Int]) -> Void) throws -> [String: Int] {
        let first = LocalDay(Int64(config.startDay))
        // Touched only by the appending thread until `finish()` has returned.
        final class Shared { var tally: WeekTally; init(_ t: WeekTally) { tally = t } }
        let shared = Shared(WeekTally(sites: Self.sites))
        // One day of one centre waiting at most (about 50k events), while the next is simulated.
        // One append at a time: three lanes, one per store, overlapped one store's fsync with another's
        // compression (wall 0.954, 3 pairs), but raised the demo's peak from 432 to 501 MiB (532 in one
        // run); giving each lane's freed memory back after each day cost the time it had saved.
        let behind = AppendBehind(depth: 1)
        try Simulator(config: config).run { site, events in
            guard let i = Self.sites.firstIndex(of: site) else { return }
            let store = stores[i]
            let day = events.last.map { Int(first.distance(to: LocalDay.utc(of: $0.at))) } ?? 0
            try behind.submit {
                let appended = try store.append(events).appended
                // The week is done once every centre stored its last day: counted as of that day.
                for (week, counts) in shared.tally.add(appended, site: site, day: day) { weekDone(week, counts) }
            }
        }
        try behind.finish()
        return shared.tally.totals
    }

    /// Events stored per centre, and the weeks all centres have finished.
    struct WeekTally {
        let sites: [String]
        var totals: [String: Int] = [:]
        /// Per centre, the days stored and the total after each, in day order.
        var history: [String: [(day: Int, total: Int)]] = [:]
        var weeksReported = 0

        init(sites: [String]) { self.sites = sites }

        /// Records one stored day of `site`; returns the weeks every centre has
        /// now stored the last day of (day index, each centre's total up to it).
        mutating func add(_ appended: Int, site: String, day: Int) -> [(Int, [String: Int])] {
            totals[site, default: 0] += appended
            history[site, default: []].append((day, totals[site] ?? 0))
            var done: [(Int, [String: Int])] = []
            while true {
                let last = 7 * weeksReported + 6
                var counts: [String: Int] = [:]
                for s in sites {
                    let days = history[s] ?? []
                    guard days.contains(where: { $0.day >= last }) else { return done }
                    counts[s] = days.last(where: { $0.day <= last })?.total ?? 0
                }
                done.append((last, counts))
                weeksReported += 1
            }
        }
    }

    // MARK: Replication

    /// The secrets and keys the centres share for replication.
    public struct Credentials: Sendable {
        /// Pinned public keys by site.
        public var keys: [String: [UInt8]]
        /// Bearer tokens by the site that presents them.
        public var tokens: [String: String]
        /// The console's viewers (the same at every centre): a viewer, a manager and a metrics scraper.
        public var viewers: [SyncConfig.Viewer]
    }

    /// New tokens, and the stores' keys.
    public func credentials(_ stores: [LogStore]) -> Credentials {
        Credentials(keys: Dictionary(uniqueKeysWithValues: stores.map { ($0.site, $0.publicKey) }),
                    tokens: Dictionary(uniqueKeysWithValues: Self.sites.map { ($0, Self.token()) }),
                    viewers: [.init(name: "demo-viewer", token: Self.token(), role: .viewer),
                              .init(name: "demo-manager", token: Self.token(), role: .manager),
                              .init(name: "demo-metrics", token: Self.token(), role: .metrics)])
    }

    /// Each store's `sync.json`, so that the stores stay working nodes after
    /// the demo: centre i listens on 127.0.0.1:(port + i), pulls from the
    /// other two there with its token, serves them with theirs, pins all
    /// three keys, and lets the demo's viewers into its console. Mode 0600:
    /// the tokens are secrets.
    public func writeNodeConfigs(_ credentials: Credentials, port: Int) throws {
        for (i, site) in Self.sites.enumerated() {
            var c = SyncConfig()
            c.listenPort = port + i
            c.peers = Self.sites.enumerated().filter { $0.element != site }.map { j, other in
                SyncConfig.Peer(name: other, url: "http://127.0.0.1:\(port + j)", token: credentials.tokens[site] ?? "")
            }
            c.clients = Self.sites.filter { $0 != site }.map { SyncConfig.Client(name: $0, token: credentials.tokens[$0] ?? "") }
            c.keys = credentials.keys
            c.viewers = credentials.viewers
            let path = data(site).syncConfigPath
            guard FileManager.default.createFile(atPath: path, contents: Data((JSONWriter.string(c.json) + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw NodeError(.io, "cannot write \(path): check the directory's permissions")
            }
        }
    }

    /// Serves every store on a free loopback port.
    public func serve(_ stores: [LogStore], _ credentials: Credentials) async throws -> [RunningServer] {
        var servers: [RunningServer] = []
        for store in stores {
            var config = SyncConfig()
            config.clients = Self.sites.filter { $0 != store.site }.map { SyncConfig.Client(name: $0, token: credentials.tokens[$0] ?? "") }
            config.keys = credentials.keys
            do {
                servers.append(try await RunningServer.start(SyncServer(store: store, config: config, logger: logger)))
            } catch {
                for s in servers { s.stop() }
                throw error
            }
        }
        return servers
    }

    /// Every centre pulls from the other two over HTTP; returns the blocks and events stored.
    public func syncAll(_ stores: [LogStore], servers: [RunningServer], _ credentials: Credentials) async throws -> (blocks: Int, events: Int) {
        var blocks = 0, events = 0
        for i in stores.indices {
            for j in servers.indices where j != i {
                let r = try await pull(into: stores[i], from: j, servers: servers, credentials)
                blocks += r.blocks
                events += r.events
            }
        }
        return (blocks, events)
    }

    /// `store` pulls over HTTP from centre `j`'s server, with its own token and every key pinned.
    func pull(into store: LogStore, from j: Int, servers: [RunningServer], _ credentials: Credentials) async throws -> SyncClient.Report {
        var config = SyncConfig()
        config.keys = credentials.keys
        return try await SyncClient(store: store, config: config, logger: logger)
            .pull(from: SyncConfig.Peer(name: Self.sites[j], url: servers[j].url, token: credentials.tokens[store.site] ?? ""))
    }

    /// Each store's view of every origin's head, `"SEQ HASH"` by origin.
    public static func heads(_ stores: [LogStore]) -> [[String: String]] {
        stores.map { s in Dictionary(uniqueKeysWithValues: s.stats().map { ($0.site, "\($0.lastSeq) \($0.headHash)") }) }
    }

    // MARK: Projections and actions

    /// The coaching threshold the demo uses: seven points below the
    /// province's contact-weighted FCR, rounded down to a whole percent (at least 5 %).
    public static func coachingThreshold(_ everyone: [CoachingList.Entry]) -> (below: Double, province: Double?) {
        let contacts = everyone.reduce(0) { $0 + $1.contacts }
        let province: Double? = contacts > 0 ? everyone.reduce(0.0) { $0 + $1.observed * Double($1.contacts) } / Double(contacts) : nil
        return (max(0.05, (((province ?? 0.77) - 0.07) * 100).rounded(.down) / 100), province)
    }

    /// What the projections step gave: the centres' engines, the plan north
    /// recorded and south's audit of it, and what the caller computed at
    /// north while south was rebuilt.
    public struct Projected<Insights> {
        /// Each centre's projections, in ``sites`` order, all at the same positions.
        public var engines: [ProjectionEngine]
        /// Seconds from the first rebuild's start to the last one's end.
        public var rebuildSeconds: Double
        /// The plan north recorded.
        public var plan: PlanRecord
        /// Events north recorded for it.
        public var planEvents: Int
        /// South's audit of the plan as it received it.
        public var audit: PlanAudit
        /// What `insights` returned.
        public var insights: Insights
    }

    /// Rebuilds every centre's projections from its own copy of the log, and
    /// records tomorrow's plan at north and audits it at south, the three
    /// rebuilds at once on two cores: as soon as north's is done, north makes
    /// the plan (`plan`), records it, south pulls it, and `insights` runs at
    /// north. Each rebuild stops at the positions the centres held when the
    /// step began, so the three projections are of the same events although
    /// the plan reaches north's and south's logs meanwhile.
    ///
    /// South audits the plan as it received it with its own projections:
    /// they were rebuilt from south's copy of the log to exactly the
    /// positions the plan recorded, which is what an audit replays to. Only
    /// a plan recorded at other positions (an earlier run's, with `--keep`)
    /// is audited by a replay of its own into a scratch projection.
    ///
    /// One rebuild keeps 1.3 cores busy on average (its apply loop, writer
    /// and derivation overlap only in part). Two at a time, then the third
    /// alone, left one core idle for most of the third. Three at once keep
    /// both busy; the caller caps malloc's arenas (``mallocArenas``), or the
    /// threads' separate arenas raise the peak by about 80 MiB.
    public func rebuildPlanAndAudit<Insights>(
        _ stores: [LogStore], servers: [RunningServer], _ credentials: Credentials,
        plan makePlan: @escaping (ProjectionEngine) throws -> PlanRecord,
        insights: @escaping (ProjectionEngine) throws -> Insights
    ) async throws -> Projected<Insights> {
        let engines = try Self.sites.map { try ProjectionEngine(path: data($0).projectionsPath, parameters: try data($0).kpiParameters()) }
        let north = engines[0]
        let positions = Dictionary(uniqueKeysWithValues: stores[2].origins.map { ($0, stores[2].lastSeq(of: $0)) })
        let started = clock.monotonicSeconds()
        let clock = self.clock
        // Central's and south's rebuilds, each on a thread of its own.
        // Each engine and store is used by one thread at a time.
        let engine = Unchecked(engines), store = Unchecked(stores)
        async let rebuiltC: Unchecked<Double> = Self.offPool("journey.demo.central") {
            _ = try engine.value[1].rebuild(from: store.value[1], limit: .init(positions: positions))
            return Unchecked(clock.monotonicSeconds())
        }
        async let rebuiltS: Unchecked<Double> = Self.offPool("journey.demo.south") {
            _ = try engine.value[2].rebuild(from: store.value[2], limit: .init(positions: positions))
            return Unchecked(clock.monotonicSeconds())
        }
        // North's rebuild, its plan, south's pull of it and the insights at north: a third thread.
        let northWork = Unchecked((north, stores[0]))
        let northEnded = try await Self.offPool("journey.demo.north") {
            _ = try northWork.value.0.rebuild(from: northWork.value.1, limit: .init(positions: positions))
            return Unchecked(clock.monotonicSeconds())
        }.value
        let plan = try makePlan(north)
        let recorded = try stores[0].append(plan.events(site: Self.sites[0], at: clock.now())).appended
        // Its id index (tens of MB) is not needed again until the coaching is scheduled, after the audit.
        stores[0].releaseIDIndex()
        _ = try await pull(into: stores[2], from: 0, servers: servers, credentials)
        let atNorth = Unchecked((north, insights))
        let found = try await Self.offPool("journey.demo.insights") { Unchecked(try atNorth.value.1(atNorth.value.0)) }.value
        let ended = max(try await rebuiltC.value, try await rebuiltS.value)
        let southStore = Unchecked(stores[2]), southEngine = Unchecked(engines[2])
        let scratch = data("south").path + "/audit-demo.sqlite", planID = plan.id
        let audit = try await Self.offPool("journey.demo.audit") {
            var received: JSONObject?
            // Recorded just now, after the positions; or by an earlier run on the same events (`--keep`), before them.
            for after in [positions[Self.sites[0]] ?? 0, 0] where received == nil {
                try southStore.value.scan(origin: Self.sites[0], afterSeq: after) { e in
                    if e.kind == .staffingPlanned, e.data["plan"]?.stringValue == planID { received = e.data }
                    return received == nil
                }
            }
            guard let received else { throw NodeError(.inconsistent, "the plan did not reach south") }
            do {
                return Unchecked(try PlanAudit(record: received, engine: southEngine.value))
            } catch let e as StaffingError where e.code == .notAtPositions {
                return Unchecked(try PlanAudit(record: received, store: southStore.value, scratchPath: scratch))
            }
        }.value
        return Projected(engines: engines, rebuildSeconds: max(northEnded, ended) - started, plan: plan, planEvents: recorded,
                         audit: audit, insights: found)
    }

    /// Each centre schedules coaching for its own `listed` agents, and the
    /// centres sync (the plan and the sessions reach every centre); returns
    /// the sessions scheduled.
    public func scheduleCoaching(_ listed: [CoachingList.Entry], options: CoachingList.Options, stores: [LogStore], north: ProjectionEngine,
                                 servers: [RunningServer], _ credentials: Credentials) async throws -> Int {
        let now = clock.now()
        var sessions = 0
        for store in stores {
            let own = CoachingList.scheduledEvents(listed, site: store.site, options: options, engine: north, at: now)
            sessions += try store.append(own).appended
            store.releaseIDIndex()  // the demo appends nothing more here: one centre's index in memory at a time
        }
        _ = try await syncAll(stores, servers: servers, credentials)
        return sessions
    }

    /// Runs `work` on a thread of its own, not one of the cooperative pool's
    /// (a rebuild holds its thread for many seconds, and the sync client
    /// needs a pool thread to resume on), and returns what it returned.
    static func offPool<T>(_ label: String, _ work: @escaping () throws -> Unchecked<T>) async throws -> Unchecked<T> {
        let job = Unchecked(work)
        return try await withCheckedThrowingContinuation { (done: CheckedContinuation<Unchecked<T>, any Error>) in
            DispatchQueue(label: label).async { done.resume(with: Result { try job.value() }) }
        }
    }

    /// A random bearer token (32 hex digits).
    public static func token() -> String {
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
final class FailureBox: Sendable {
    private let errors = Mutex<[any Error]>([])
    func add(_ e: any Error) { errors.withLock { $0.append(e) } }
    var first: (any Error)? { errors.withLock { $0.first } }
}
