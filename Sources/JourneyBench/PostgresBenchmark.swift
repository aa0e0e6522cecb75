import Foundation
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyPostgres
import JourneyProjections
import JourneySimulation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL projection beside the node's SQLite one, on the same
/// simulated store and machine: a full copy, an incremental round, query
/// latency through both backends, and the follow lag at a steady append
/// rate. Needs a server (`Scripts/postgres-cluster.sh start`); each run
/// makes its own databases and drops them.
public struct PostgresBenchmark {
    /// The simulated store and its SQLite projection.
    public var projections: ProjectionBenchmark
    /// The server's administrative target (a role that may create databases).
    public var admin: PostgresTarget
    /// New events of the incremental round.
    public var incrementalEvents = 20_000
    /// Runs of each query (the median is reported).
    public var queryRepeats = 7
    /// Seconds of steady appends while following.
    public var followSeconds = 8.0
    /// Events per second appended while following.
    public var followEventsPerSecond = 20_000
    /// Called with progress lines.
    public var progress: (String) -> Void = { _ in }

    /// A benchmark of `projections`' store against the server at `admin`.
    public init(projections: ProjectionBenchmark, admin: PostgresTarget) {
        self.projections = projections
        self.admin = admin
    }

    /// What one run measured.
    public struct Result: Sendable {
        /// Events in the store.
        public var events: Int
        /// The SQLite rebuild of the events before the incremental round (the baseline).
        public var sqliteRebuildSeconds: Double
        /// The full copy of that projection into PostgreSQL.
        public var fullCopySeconds: Double
        /// Rows the full copy wrote.
        public var fullCopyRows: Int
        /// The SQLite catch-up of the incremental round.
        public var incrementalCatchUpSeconds: Double
        /// Its copy into PostgreSQL.
        public var incrementalCopySeconds: Double
        /// Rows the incremental copy wrote.
        public var incrementalRows: Int
        /// Per query: its name, the SQLite median and the PostgreSQL median (ms).
        public var queries: [(name: String, sqliteMs: Double, postgresMs: Double)]
        /// Follow lag of each appended batch (ms): from its append to the commit of the PostgreSQL round holding it.
        public var followLagsMs: [Double]
        /// Events per second the follow phase appended.
        public var followEventsPerSecond: Int

        /// Events per second of the whole projection into PostgreSQL (SQLite rebuild + full copy).
        public var projectEventsPerSecond: Double { Double(events - incrementalEvents) / (sqliteRebuildSeconds + fullCopySeconds) }
        /// Events per second of the full copy alone (the events the copied rows reflect / copy time).
        public var copyEventsPerSecond: Double { Double(events - incrementalEvents) / fullCopySeconds }
        var incrementalEvents: Int
        /// Follow lag at percentile `p` (0–1), ms.
        public func followLag(_ p: Double) -> Double { SyncBenchmark.Result.percentile(followLagsMs, p) }
    }

    /// Runs the benchmark.
    public func run() async throws -> Result {
        let store = try projections.prepareStore()
        defer { store.close() }
        let total = Int(store.lastSeq(of: "north"))
        let before = UInt64(max(0, total - incrementalEvents))
        let database = try await makeDatabase("journey_bench")
        defer { Task { [admin] in try? await Self.execute(admin, "DROP DATABASE IF EXISTS \(database.database) WITH (FORCE)") } }
        let projection = PostgresProjection(target: database)
        let path = projections.directory + "/postgres-bench.sqlite"
        ProjectionEngine.removeFiles(at: path)
        let engine = try ProjectionEngine(path: path)
        try engine.attachExport()

        progress("rebuilding the SQLite projection of \(before) events (the baseline)…")
        var t0 = ResourceUsage.now
        _ = try engine.rebuild(from: store, limit: .init(positions: ["north": before]))
        let rebuild = ResourceUsage.now - t0
        progress("copying it into PostgreSQL…")
        t0 = ResourceUsage.now
        let full = try await projection.export(engine)
        let copy = ResourceUsage.now - t0

        progress("catching up \(total - Int(before)) new events and copying the changes…")
        t0 = ResourceUsage.now
        try engine.catchUp(from: store)
        let catchUp = ResourceUsage.now - t0
        t0 = ResourceUsage.now
        let incremental = try await projection.export(engine)
        let incrementalCopy = ResourceUsage.now - t0

        progress("timing the queries on both backends…")
        let reader = PostgresReader(target: database)
        var queries: [(String, Double, Double)] = []
        for (name, q) in try projections.benchmarkQueries(engine) {
            let sqlite = try median { _ = try engine.query(q) }
            let postgres = try await medianAsync { _ = try await reader.query(q) }
            queries.append((name, sqlite, postgres))
        }

        progress("following at \(followEventsPerSecond) events/s for \(Int(followSeconds)) s…")
        let lags = try await follow()
        return Result(events: total, sqliteRebuildSeconds: rebuild, fullCopySeconds: copy, fullCopyRows: full?.totalRows ?? 0,
                      incrementalCatchUpSeconds: catchUp, incrementalCopySeconds: incrementalCopy, incrementalRows: incremental?.totalRows ?? 0,
                      queries: queries, followLagsMs: lags, followEventsPerSecond: followEventsPerSecond, incrementalEvents: total - Int(before))
    }

    func median(_ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<queryRepeats {
            let t0 = ResourceUsage.now
            try body()
            samples.append((ResourceUsage.now - t0) * 1000)
        }
        return samples.sorted()[samples.count / 2]
    }

    func medianAsync(_ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<queryRepeats {
            let t0 = ResourceUsage.now
            try await body()
            samples.append((ResourceUsage.now - t0) * 1000)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// A node appending at the steady rate while `journey project --follow`
    /// runs in the same process (woken by each append): each batch's lag is
    /// the commit of the first round holding it minus its append.
    func follow() async throws -> [Double] {
        let directory = projections.directory + "/postgres-follow"
        try? FileManager.default.removeItem(atPath: directory)
        var options = LogOptions()
        options.durability = .none
        let store = try LogStore.create(directory: directory, site: "live", options: options)
        defer { store.close() }
        let database = try await makeDatabase("journey_follow")
        defer { Task { [admin] in try? await Self.execute(admin, "DROP DATABASE IF EXISTS \(database.database) WITH (FORCE)") } }
        let node = Node(directory: DataDirectory(directory))
        let stop = Flag()
        let rounds = Arrivals()
        let split = Mutex<(rounds: Int, catchUp: Double, total: Double)>((0, 0, 0))
        let follower = Task {
            try await node.project(to: PostgresProjection(target: database), follow: true, store: store, stop: { stop.isSet }) { round in
                rounds.add(round.report?.positions["live"] ?? 0, at: ContinuousClock.now)
                split.withLock { $0 = ($0.rounds + 1, $0.catchUp + round.catchUpSeconds, $0.total + round.seconds) }
            }
        }
        var traffic = SyntheticTraffic(site: "live", seed: 11)
        let batch = max(1, followEventsPerSecond / 50)
        let events = traffic.events(count: Int(followSeconds * Double(followEventsPerSecond)) + batch)
        var next = 0
        var appended: [(seq: UInt64, at: ContinuousClock.Instant)] = []
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(followSeconds) && next < events.count {
            let r = try store.append(Array(events[next..<min(events.count, next + batch)]))
            next += batch
            if let last = r.lastSeq { appended.append((last, ContinuousClock.now)) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let drain = ContinuousClock.now
        while rounds.maxHeld < (appended.last?.seq ?? 0) && ContinuousClock.now - drain < .seconds(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        stop.set()
        store.appended.wakeAll()
        _ = try? await follower.value
        let (n, catchUp, total) = split.withLock { $0 }
        progress(String(format: "follow: %d rounds, %.0f ms each on average, %.0f ms of it the node's catch-up", n,
                        total / Double(max(1, n)) * 1000, catchUp / Double(max(1, n)) * 1000))
        return rounds.lagsMs(of: appended)
    }

    /// A new, empty database on the server.
    func makeDatabase(_ prefix: String) async throws -> PostgresTarget {
        var target = admin
        target.database = prefix + "_" + String(UInt64(Date().timeIntervalSince1970 * 1000))
        try await Self.execute(admin, "CREATE DATABASE \(target.database)")
        return target
    }

    static func execute(_ target: PostgresTarget, _ sql: String) async throws {
        do {
            try await target.execute(sql, logger: Logger(label: "journey.bench.postgres"))
        } catch let e as JourneyPostgres.PostgresError {
            throw BenchError(.io, e.message)
        }
    }
}
