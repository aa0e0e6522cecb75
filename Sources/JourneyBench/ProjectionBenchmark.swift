import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyProjections

/// `journey bench rebuild` and `journey bench query`: a simulated centre of
/// about `events` events, then log scan + decode throughput, full rebuild
/// throughput, and the latency of each projection query.
public struct ProjectionBenchmark {
    /// Events the benchmark generates.
    public var events = 2_000_000
    /// Generator seed.
    public var seed: UInt64 = 42
    /// Scratch directory (deleted and recreated).
    public var directory: String
    /// Receives progress lines.
    public var progress: (String) -> Void = { _ in }
    /// The DuckDB peer to run after the rebuild, or nil not to run one.
    public var peer: DuckDBPeer?
    /// Why there is no peer to run, reported in the result's
    /// `peerUnavailable` (set by a caller that looked for one and found none).
    public var peerMissing: String?

    /// A benchmark working in `directory`.
    public init(directory: String) { self.directory = directory }

    /// What the scan and rebuild measured.
    public struct RebuildResult: Sendable {
        /// Events measured.
        public var events: Int
        /// Seconds scan + decode took.
        public var scanSeconds: Double
        /// Reading and inflating the same blocks without decoding events: the floor of a scan.
        public var inflateSeconds: Double
        /// Seconds the rebuild took.
        public var rebuildSeconds: Double
        /// Seconds per rebuild phase.
        public var phases: [String: Double]
        /// Peak resident memory of the process, bytes.
        public var peakRSSBytes: Int
        /// The DuckDB peer's run on the same events, when it ran.
        public var peer: DuckDBPeer.Result?
        /// Why the peer did not run, when it was asked for and could not.
        public var peerUnavailable: String?
        /// The peer's time over the rebuild's: how many times faster the rebuild was.
        public var rebuildOverPeer: Double { (peer?.seconds ?? .nan) / rebuildSeconds }
        /// Scan + decode throughput.
        public var scanEventsPerSecond: Double { Double(events) / scanSeconds }
        /// Read + inflate throughput (the floor under scan + decode).
        public var inflateEventsPerSecond: Double { Double(events) / inflateSeconds }
        /// Rebuild throughput.
        public var rebuildEventsPerSecond: Double { Double(events) / rebuildSeconds }
    }

    /// One query's timings.
    public struct QueryTiming: Sendable {
        /// The query.
        public var name: String
        /// Median of the runs, ms.
        public var medianMs: Double
        /// Slowest run, ms.
        public var maxMs: Double
        /// Rows returned.
        public var rows: Int
    }

    /// Creates (or reuses, when it holds exactly the events asked for) the
    /// simulated store. A larger one is made again: reusing it measured every
    /// figure on more events than the report said (a 10M-event store left by
    /// `scan` was rebuilt under a 2M heading).
    public func prepareStore() throws -> LogStore {
        let path = directory + "/store"
        if FileManager.default.fileExists(atPath: path + "/journey.json") {
            let store = try LogStore.open(directory: path)
            if (store.stats().first?.events ?? 0) == UInt64(events) { return store }
            store.close()
            try FileManager.default.removeItem(atPath: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var options = LogOptions()
        options.durability = .none
        let store = try LogStore.create(directory: path, site: "north", options: options)
        // About 52,000 events per simulated day for a 200-agent centre.
        let days = max(1, events / 52_000 + 1)
        progress("simulating \(days) days of a 200-agent centre (seed \(seed)) for about \(events) events…")
        var config = SimulationConfig(sites: ["north"], seed: seed, days: days)
        config.customersPerSite = 400_000
        var stored = 0
        try Simulator(config: config).run { _, batch in
            guard stored < events else { return }
            let take = Array(batch.prefix(events - stored))
            _ = try store.append(take)
            stored += take.count
        }
        return store
    }

    /// Times a scan + decode of the whole log (and its inflate-only floor), then, unless `scanOnly`, a full rebuild.
    public func runRebuild(scanOnly: Bool = false) throws -> RebuildResult {
        let store = try prepareStore()
        let total = Int(store.stats().first?.events ?? 0)
        progress("reading and inflating the blocks of \(total) events…")
        let inflateStart = ResourceUsage.now
        var rawBytes = 0
        if let snap = store.snapshot(origin: "north") {
            for i in snap.blocks.indices { rawBytes &+= try snap.block(at: i).inflated().count }
        }
        let inflateSeconds = ResourceUsage.now - inflateStart
        _ = rawBytes
        progress("scanning and decoding \(total) events…")
        var count = 0
        let scanStart = ResourceUsage.now
        try store.forEachEvent(origin: "north") { e in
            count &+= e.data.count > 100 ? 1 : 0
            return true
        }
        let scanSeconds = ResourceUsage.now - scanStart
        if scanOnly {
            return RebuildResult(events: total, scanSeconds: scanSeconds, inflateSeconds: inflateSeconds, rebuildSeconds: .nan, phases: [:],
                                 peakRSSBytes: ResourceUsage.peakRSSBytes)
        }
        progress("rebuilding every projection…")
        let dbPath = directory + "/projections.sqlite"
        let engine = try ProjectionEngine(path: dbPath)
        let start = ResourceUsage.now
        _ = try engine.rebuild(from: store)
        let rebuildSeconds = ResourceUsage.now - start
        _ = count
        var result = RebuildResult(events: total, scanSeconds: scanSeconds, inflateSeconds: inflateSeconds, rebuildSeconds: rebuildSeconds,
                                   phases: engine.timings, peakRSSBytes: ResourceUsage.peakRSSBytes)
        if let peer {
            (result.peer, result.peerUnavailable) = try runPeer(peer, store: store, engine: engine)
        } else {
            result.peerUnavailable = peerMissing
        }
        return result
    }

    /// Runs the DuckDB peer on the canonical JSONL of the same store (written
    /// here, untimed, and deleted after) and compares its figures with the
    /// engine's; a peer that cannot be set up is reported, not fatal.
    func runPeer(_ peer: DuckDBPeer, store: LogStore, engine: ProjectionEngine) throws -> (DuckDBPeer.Result?, String?) {
        progress("setting up the DuckDB peer…")
        if let reason = peer.setUp() { return (nil, reason) }
        let jsonl = directory + "/events.jsonl"
        progress("writing the canonical JSONL of the same events for DuckDB…")
        let written = try DuckDBPeer.writeJSONL(store, to: jsonl)
        defer { try? FileManager.default.removeItem(atPath: jsonl) }
        guard written == Int(store.stats().reduce(0) { $0 + $1.events }) else {
            throw BenchError(.inconsistent, "wrote \(written) events of the store's \(store.stats().reduce(0) { $0 + $1.events })")
        }
        progress("running the DuckDB peer (\(peer.threads) threads) on \(written) events…")
        return (try peer.run(jsonl: jsonl, engine: engine, output: directory + "/duckdb-figures.json"), nil)
    }

    /// What `runCatchUp` measured.
    public struct CatchUpResult: Sendable {
        /// New events applied by each catch-up.
        public var newEvents: Int
        /// (events of history before the new ones, seconds the catch-up took), shortest history first.
        public var runs: [(history: Int, seconds: Double)]
        /// Seconds per phase of the catch-up after the longest history.
        public var phases: [String: Double] = [:]
        /// Days whose derived rows that catch-up recomputed.
        public var derivedDays = 0
        /// The bulk rebuild of the longest history's prefix, for the per-event cost of a rebuild in the same run.
        public var rebuildEvents: Int
        /// Seconds the rebuild took.
        public var rebuildSeconds: Double
        /// Replaying the log as of the middle event's time into a new file (what `journey replay --as-of` does).
        public var replayEvents: Int
        /// Seconds `replay --as-of` took.
        public var replaySeconds: Double
        /// The same catch-ups, each by a new engine opened on a copy of the bulk-built file (what a
        /// command run after an append does: every contact a new event is for is read back from the
        /// file); the median of ``freshCatchUpRuns`` runs.
        public var freshRuns: [(history: Int, seconds: Double)] = []
        /// Seconds per phase of the new engine's catch-up after the longest history.
        public var freshPhases: [String: Double] = [:]
        /// Catch-up time at the longest history over that at the shortest: 1 when the cost is the new events', not history's.
        public var historyRatio: Double { Self.ratio(runs) }
        /// ``historyRatio`` of the new engines' catch-ups.
        public var freshHistoryRatio: Double { Self.ratio(freshRuns) }
        static func ratio(_ runs: [(history: Int, seconds: Double)]) -> Double { (runs.last?.seconds ?? .nan) / (runs.first?.seconds ?? .nan) }
    }

    /// Catch-ups by a new engine per history length, of which the median is kept.
    static let freshCatchUpRuns = 5

    /// Incremental catch-up: for half and all of the simulated store, a
    /// projection is built in bulk up to `newEvents` before the end, then
    /// caught up over the last `newEvents` and timed. The catch-up should cost
    /// the same at both history lengths. Each catch-up is timed twice: by the
    /// engine that built the file (a node that keeps its engine, as `serve`
    /// does) and by a new engine on a copy of the file (a command run after
    /// an append). Also times a replay as of the middle event's time into a
    /// new file.
    public func runCatchUp(newEvents: Int = 20_000) throws -> CatchUpResult {
        let store = try prepareStore()
        let total = Int(store.stats().first?.events ?? 0)
        guard newEvents > 0, newEvents < total / 2 else { throw BenchError(.inconsistent, "--new-events must be between 1 and half the store's \(total) events") }
        var runs: [(Int, Double)] = [], freshRuns: [(Int, Double)] = []
        var rebuildSeconds = 0.0, rebuildEvents = 0
        var phases: [String: Double] = [:], freshPhases: [String: Double] = [:]
        var derivedDays = 0
        for history in [total / 2 - newEvents, total - newEvents] {
            let path = directory + "/catchup.sqlite", pristine = directory + "/catchup-built.sqlite", copy = directory + "/catchup-fresh.sqlite"
            func copyFile(_ from: String, _ to: String) throws {
                ProjectionEngine.removeFiles(at: to)
                for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: from + suffix) {
                    try FileManager.default.copyItem(atPath: from + suffix, toPath: to + suffix)
                }
            }
            for file in [path, pristine, copy] { ProjectionEngine.removeFiles(at: file) }
            let engine = try ProjectionEngine(path: path)
            progress("building the projection of the first \(history) events in bulk…")
            let t0 = ResourceUsage.now
            _ = try engine.rebuild(from: store, limit: .init(positions: ["north": UInt64(history)]))
            (rebuildEvents, rebuildSeconds) = (history, ResourceUsage.now - t0)
            // The engine is idle: the file and its write-ahead log are copied as they stand.
            try copyFile(path, pristine)
            progress("catching up \(newEvents) new events after \(history) events of history…")
            let before = engine.timings, daysBefore = engine.derivedDays
            // The file just built (and each copy below) is written back to the disk before the clock
            // starts, so that writeback cannot fall into a sub-second timing. (The timings still
            // spread 0.5–1.1 s on a 2-core VM: hence the median below.)
            sync()
            let t1 = ResourceUsage.now
            let applied = try engine.catchUp(from: store, limit: .init(positions: ["north": UInt64(history + newEvents)]))
            runs.append((history, ResourceUsage.now - t1))
            derivedDays = engine.derivedDays - daysBefore
            phases = engine.timings.filter { $0.value > (before[$0.key] ?? 0) }.mapValues { $0 }
            for (k, v) in before { if let now = phases[k] { phases[k] = now - v } }
            guard applied == newEvents else { throw BenchError(.inconsistent, "caught up \(applied) events, not \(newEvents)") }
            // The new engine's catch-up needs no rebuild to repeat: the median of several is kept.
            progress("the same catch-up by a new engine on a copy of the file, \(Self.freshCatchUpRuns) times…")
            var seconds: [Double] = []
            for _ in 0..<Self.freshCatchUpRuns {
                try copyFile(pristine, copy)
                let fresh = try ProjectionEngine(path: copy)
                sync()
                let t3 = ResourceUsage.now
                let freshApplied = try fresh.catchUp(from: store, limit: .init(positions: ["north": UInt64(history + newEvents)]))
                seconds.append(ResourceUsage.now - t3)
                freshPhases = fresh.timings
                guard freshApplied == newEvents else { throw BenchError(.inconsistent, "a new engine caught up \(freshApplied) events, not \(newEvents)") }
            }
            freshRuns.append((history, seconds.sorted()[seconds.count / 2]))
            progress(String(format: "new engines after %d events: %@ s; the last one's phases: ", history, seconds.map { String(format: "%.2f", $0) }.joined(separator: ", "))
                     + freshPhases.keys.sorted().map { String(format: "%@ %.2f", $0, freshPhases[$0] ?? 0) }.joined(separator: ", "))
            ProjectionEngine.removeFiles(at: pristine)
            ProjectionEngine.removeFiles(at: copy)
        }
        // Replay as of the middle event's time.
        var middle = Timestamp(ms: 0), seen = 0
        try store.forEachEvent(origin: "north") { e in
            seen += 1
            if seen == total / 2 { middle = e.at; return false }
            return true
        }
        let replayPath = directory + "/replay.sqlite"
        ProjectionEngine.removeFiles(at: replayPath)
        progress("replaying as of \(middle.rfc3339) into a new file…")
        let replay = try ProjectionEngine(path: replayPath)
        let t2 = ResourceUsage.now
        let replayed = try replay.rebuild(from: store, limit: .init(asOf: middle))
        let replaySeconds = ResourceUsage.now - t2
        var result = CatchUpResult(newEvents: newEvents, runs: runs, phases: phases, derivedDays: derivedDays, rebuildEvents: rebuildEvents,
                                   rebuildSeconds: rebuildSeconds, replayEvents: replayed, replaySeconds: replaySeconds)
        (result.freshRuns, result.freshPhases) = (freshRuns, freshPhases)
        return result
    }

    /// The queries the query benchmarks time (named), on the projection's last full day, week and whole history.
    public func benchmarkQueries(_ engine: ProjectionEngine) throws -> [(String, ProjectionQuery)] {
        let lastDay = LocalDay.utc(of: engine.dataHorizon).number - 1
        var day = ProjectionQuery.Filter()
        day.fromDay = lastDay
        day.toDay = lastDay
        var week = ProjectionQuery.Filter()
        week.fromDay = lastDay - 6
        week.toDay = lastDay
        var dayQueue = day
        dayQueue.queue = "technical"
        var repeatsFilter = day
        repeatsFilter.repeatsOnly = true
        repeatsFilter.limit = 200
        let busiest = try engine.query(.customers(minRepeats: 1, limit: 1)).rows.first?.first?.stringValue ?? ""
        return [
            ("intervals (one day, one queue)", .intervals(dayQueue)),
            ("intervals (one day, all queues)", .intervals(day)),
            ("agents (one day, sorted by FCR)", .agents(day, sort: "fcr")),
            ("agents (one week)", .agents(week, sort: "repeatRate")),
            ("teams (whole history, weekly trend)", .teams(ProjectionQuery.Filter())),
            ("teams (one row per team per week)", .teams(ProjectionQuery.Filter(), by: .week)),
            ("sites (whole history)", .sites(ProjectionQuery.Filter())),
            ("customers (most repeats)", .customers(minRepeats: 2, limit: 100)),
            ("journey (busiest customer)", .journey(customer: busiest)),
            ("contacts (one day's repeats)", .contacts(repeatsFilter)),
        ]
    }

    /// Times each query kind `repeats` times on a caught-up projection.
    public func runQueries(repeats: Int = 7) throws -> (events: Int, timings: [QueryTiming]) {
        let store = try prepareStore()
        let total = Int(store.stats().first?.events ?? 0)
        let engine = try ProjectionEngine(path: directory + "/projections.sqlite")
        if engine.positions["north"] != UInt64(total) {
            progress("building projections for the query benchmark…")
            _ = try engine.rebuild(from: store)
        }
        let queries = try benchmarkQueries(engine)
        var timings: [QueryTiming] = []
        for (name, q) in queries {
            var samples: [Double] = []
            var rows = 0
            for _ in 0..<repeats {
                let t0 = ResourceUsage.now
                rows = try engine.query(q).rows.count
                samples.append((ResourceUsage.now - t0) * 1000)
            }
            samples.sort()
            timings.append(QueryTiming(name: name, medianMs: samples[samples.count / 2], maxMs: samples.last ?? 0, rows: rows))
        }
        return (total, timings)
    }
}

/// `journey demo` at its default size, timed end to end as a child process
/// with its own peak memory: what a new user meets first.
public struct DemoBenchmark {
    /// Scratch directory (deleted and recreated).
    public var directory: String
    /// The `journey` executable run as a child.
    public var executable: String

    /// A benchmark working in `directory`, running `executable`.
    public init(directory: String, executable: String) {
        self.directory = directory
        self.executable = executable
    }

    /// Wall seconds and peak RSS of `journey demo --dir DIR` on a fresh directory.
    public func run() throws -> (seconds: Double, peakRSSBytes: Int) {
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let t0 = ResourceUsage.now
        let child = try ChildProcess.run(executable, ["demo", "--dir", directory])
        let seconds = ResourceUsage.now - t0
        guard child.status == 0 else { throw BenchError(.childFailed, "journey demo failed (exit \(child.status))") }
        return (seconds, child.peakRSSBytes)
    }
}
