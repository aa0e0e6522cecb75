import Foundation
import GRDB
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import Synchronization

/// `journey bench append`: appends N synthetic events with group-commit
/// fsync and compares, in the same run, against a batched SQLite insert of
/// the same events (WAL, prepared statement, one transaction per batch,
/// `synchronous=FULL` so each commit is synced like ours) and against the
/// size of the canonical JSONL and of its gzip -6.
public struct AppendBenchmark {
    /// Events the benchmark generates.
    public var events = 1_000_000
    /// Generator seed.
    public var seed: UInt64 = 42
    /// Events per append call (and per SQLite transaction).
    public var batch = 16_384
    /// Concurrent appenders sharing group commits.
    public var appenders = 2
    /// zlib level of the log's blocks.
    public var compressionLevel: Int32 = LogOptions().compressionLevel
    /// Scratch directory (deleted and recreated).
    public var directory: String
    /// Receives progress lines.
    public var progress: (String) -> Void = { _ in }

    /// A benchmark working in `directory`.
    public init(directory: String) { self.directory = directory }

    /// What one run measured.
    public struct Result: Sendable {
        /// Events measured.
        public var events: Int
        /// Seconds the append took.
        public var appendSeconds: Double
        /// CPU seconds (all threads) spent in the append phase.
        public var appendCPUSeconds: Double
        /// Append throughput, events per second.
        public var appendEventsPerSecond: Double
        /// Seconds the batched SQLite baseline took.
        public var sqliteSeconds: Double
        /// Batched SQLite baseline throughput.
        public var sqliteEventsPerSecond: Double
        /// Bytes the log stored.
        public var storedBytes: UInt64
        /// Bytes of the same events as canonical JSONL.
        public var jsonlBytes: Int
        /// Bytes of that JSONL gzipped.
        public var gzipBytes: Int
        /// Peak resident memory of the process, bytes.
        public var peakRSSBytes: Int
        /// Stored bytes per event.
        public var bytesPerEvent: Double { Double(storedBytes) / Double(events) }
        /// Append throughput over the SQLite baseline.
        public var ratioToSQLite: Double { appendEventsPerSecond / sqliteEventsPerSecond }
        /// Stored bytes over JSONL bytes.
        public var storedOverJSONL: Double { Double(storedBytes) / Double(jsonlBytes) }
        /// Stored bytes over gzipped JSONL bytes.
        public var storedOverGzip: Double { Double(storedBytes) / Double(gzipBytes) }
    }

    /// Runs the benchmark.
    public func run() throws -> Result {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        progress("generating \(events) events (seed \(seed))…")
        let input = SyntheticTraffic(site: "bench", seed: seed).events(count: events)
        let jsonl = EventCodec.encodeLines(input)
        let gzip = jsonl.withUnsafeBytes { Deflate.gzipSize($0, level: 6) }

        progress("appending with \(appenders) appenders, \(batch) events per call, batch durability…")
        var options = LogOptions()
        options.durability = .batch
        options.compressionLevel = compressionLevel
        let store = try LogStore.create(directory: directory + "/log", site: "bench", options: options)
        // Batches are built before the clock starts: the measure is the log, not array copies.
        let chunks = stride(from: 0, to: input.count, by: batch).map { Array(input[$0..<min(input.count, $0 + batch)]) }
        let failure = LockedError()
        let cpuStart = ResourceUsage.cpuSeconds
        let start = ResourceUsage.now
        let appenders = self.appenders
        DispatchQueue.concurrentPerform(iterations: appenders) { worker in
            for k in stride(from: worker, to: chunks.count, by: appenders) {
                do { _ = try store.append(chunks[k]) } catch { failure.set(error); return }
            }
        }
        let appendSeconds = ResourceUsage.now - start
        let appendCPUSeconds = ResourceUsage.cpuSeconds - cpuStart
        if let e = failure.error { throw e }
        let stored = store.stats().reduce(0) { $0 + $1.storedBytes }
        store.close()

        progress("baseline: batched SQLite insert of the same events…")
        let sqliteSeconds = try sqliteInsert(input)
        return Result(events: input.count, appendSeconds: appendSeconds, appendCPUSeconds: appendCPUSeconds, appendEventsPerSecond: Double(input.count) / appendSeconds,
                      sqliteSeconds: sqliteSeconds, sqliteEventsPerSecond: Double(input.count) / sqliteSeconds,
                      storedBytes: stored, jsonlBytes: jsonl.count, gzipBytes: gzip, peakRSSBytes: ResourceUsage.peakRSSBytes)
    }

    /// Inserts the events into SQLite the fast way: WAL, one prepared
    /// statement, one transaction per batch. The JSON of `data` is prepared
    /// before the clock starts, which favours the baseline.
    func sqliteInsert(_ input: [Event]) throws -> Double {
        var config = Configuration()
        config.journalMode = .wal
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: directory + "/baseline.sqlite", configuration: config)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE event (site TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL,
                  kind TEXT NOT NULL, contact TEXT, customer TEXT, channel TEXT, queue TEXT, agent TEXT, data TEXT NOT NULL,
                  PRIMARY KEY (site, seq), UNIQUE (site, id))
                """)
        }
        let data = input.map { e -> String in JSONWriter.string(.object(e.data)) }
        let start = ResourceUsage.now
        var seq: Int64 = 0
        for lower in stride(from: 0, to: input.count, by: batch) {
            try queue.inTransaction { db in
                let statement = try db.cachedStatement(sql: "INSERT INTO event VALUES (?,?,?,?,?,?,?,?,?,?,?)")
                for i in lower..<min(input.count, lower + batch) {
                    let e = input[i]
                    seq += 1
                    statement.setUncheckedArguments([e.site, seq, e.id, e.at.ms, e.kind.rawValue, e.contact, e.customer,
                                                     e.channel?.rawValue, e.queue, e.agent, data[i]])
                    try statement.execute()
                }
                return .commit
            }
        }
        return ResourceUsage.now - start
    }
}

/// The first error raised by any of several threads.
final class LockedError: Sendable {
    private let first = Mutex<(any Error)?>(nil)
    func set(_ e: any Error) { first.withLock { if $0 == nil { $0 = e } } }
    var error: (any Error)? { first.withLock { $0 } }
}
