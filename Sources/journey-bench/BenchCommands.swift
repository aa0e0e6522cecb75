import ArgumentParser
import Foundation
import JourneyBench
import JourneyLog
import JourneyModel
import JourneyPostgres

import JourneyCLI

/// `journey-bench`: the benchmarks, each figure beside its same-run baseline
/// and target. A separate executable, so that `journey` does not ship them;
/// `journey bench ARGS` runs it when it was built beside `journey`.
@main
struct JourneyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journey-bench",
        abstract: "Measure JourneyStore against its baselines and targets (build with `swift build -c release`, which builds `journey` beside it).",
        subcommands: [BenchAllCommand.self, BenchConsoleCommand.self, BenchPostgresCommand.self, BenchAppendCommand.self, BenchIngestCommand.self, BenchScanCommand.self, BenchRebuildCommand.self,
                      BenchCatchUpCommand.self, BenchQueryCommand.self, BenchSyncCommand.self, BenchDemoCommand.self])

    /// Runs the command, printing failures the way `journey` does.
    static func main() async {
        do {
            var command = try parseAsRoot(nil)
            try await JourneyCLI.runParsed(&command)
        } catch {
            exit(withError: error)
        }
    }
}

struct BenchAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append throughput and storage size against batched SQLite, JSONL and gzip -6.")

    @Option(help: "Events to append.") var events = 1_000_000
    @Option(help: "Generator seed.") var seed: UInt64 = 42
    @Option(help: "Events per append call (and per SQLite transaction).") var batch = 16_384
    @Option(help: "Concurrent appenders sharing group commits.") var appenders = 2
    @Option(help: "zlib level of the log's blocks (1–9).") var compressionLevel: Int32 = LogOptions().compressionLevel
    @Option(help: ArgumentHelp("Scratch directory (deleted and recreated).", valueName: "dir"))
    var dir = FileManager.default.temporaryDirectory.path + "/journey-bench-append"
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Keep the scratch directory (the benchmark's store and SQLite file) for inspection.") var keep = false

    func validate() throws {
        guard (1...9).contains(compressionLevel) else { throw ValidationError("--compression-level must be 1–9") }
        guard events > 0, batch > 0, appenders > 0 else { throw ValidationError("--events, --batch and --appenders must be positive") }
    }

    func run() throws {
        var bench = AppendBenchmark(directory: dir)
        bench.events = events
        bench.seed = seed
        bench.batch = batch
        bench.appenders = appenders
        bench.compressionLevel = compressionLevel
        bench.progress = { Console.error("bench: \($0)") }
        let r = try bench.run()
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        if json {
            Console.line(JSONWriter.string(.object([
                "events": .integer(Int64(r.events)),
                "appendEventsPerSecond": .integer(Int64(r.appendEventsPerSecond)),
                "appendCPUSeconds": .number(String(format: "%.3f", r.appendCPUSeconds)),
                "sqliteEventsPerSecond": .integer(Int64(r.sqliteEventsPerSecond)),
                "ratioToSQLite": .number(String(format: "%.2f", r.ratioToSQLite)),
                "storedBytes": .integer(Int64(r.storedBytes)),
                "bytesPerEvent": .number(String(format: "%.2f", r.bytesPerEvent)),
                "jsonlBytes": .integer(Int64(r.jsonlBytes)),
                "gzip6Bytes": .integer(Int64(r.gzipBytes)),
                "storedOverJSONL": .number(String(format: "%.4f", r.storedOverJSONL)),
                "storedOverGzip6": .number(String(format: "%.4f", r.storedOverGzip)),
                "peakRSSBytes": .integer(Int64(r.peakRSSBytes)),
            ])))
            return
        }
        func rate(_ x: Double) -> String { String(format: "%.0f events/s", x) }
        var t = Table(["figure", "measured", "baseline", "ratio", "target", "met"], numeric: [3])
        t.add(["append (batch fsync)", rate(r.appendEventsPerSecond), "—", "—", BenchTarget.appendRate.text,
               BenchTarget.appendRate.verdict(r.appendEventsPerSecond)])
        t.add(["append vs SQLite", rate(r.appendEventsPerSecond), rate(r.sqliteEventsPerSecond) + " (SQLite WAL)",
               String(format: "%.2f×", r.ratioToSQLite), BenchTarget.appendOverSQLite.text, BenchTarget.appendOverSQLite.verdict(r.ratioToSQLite)])
        t.add(["stored vs JSONL", "\(r.storedBytes) B", "\(r.jsonlBytes) B (JSONL)", String(format: "%.4f", r.storedOverJSONL),
               BenchTarget.storedOverJSONL.text, BenchTarget.storedOverJSONL.verdict(r.storedOverJSONL)])
        t.add(["stored vs gzip -6", "\(r.storedBytes) B", "\(r.gzipBytes) B (gzip -6)", String(format: "%.4f", r.storedOverGzip),
               BenchTarget.storedOverGzip.text, BenchTarget.storedOverGzip.verdict(r.storedOverGzip)])
        Console.line("append benchmark: \(r.events) events, \(appenders) appenders × \(batch) per call, seed \(seed)")
        Console.line(t.render())
        Console.line(String(format: "bytes per event stored: %.2f; append took %.2f s wall, %.2f s CPU (%.2f µs CPU per event); SQLite %.2f s; peak RSS %.0f MB",
                            r.bytesPerEvent, r.appendSeconds, r.appendCPUSeconds, r.appendCPUSeconds / Double(r.events) * 1e6,
                            r.sqliteSeconds, Double(r.peakRSSBytes) / 1e6))
    }
}

struct BenchRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Log scan + decode and full projection rebuild throughput on a simulated centre, with peak memory.")

    @OptionGroup var simulated: SimulatedStoreOptions
    @Flag(help: "Do not run the DuckDB peer (Scripts/duckdb-peer.sh) after the rebuild.") var noPeer = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var bench = simulated.benchmark()
        if !noPeer {
            if let script = DuckDBPeer.locate(executable: BenchExecutable.path) {
                bench.peer = DuckDBPeer(script: script)
            } else {
                let why = "no Scripts/duckdb-peer.sh in the package this bench was built in or under the working directory"
                bench.peerMissing = why
                Console.error("bench: \(why): the DuckDB peer is skipped")
            }
        }
        let r = try bench.runRebuild()
        ScanReport.print(r, json: json)
        // A peer that computed other figures makes the comparison meaningless: that fails the bench.
        if let peer = r.peer, !peer.agreement.agrees { throw BenchError(.disagreement, "the DuckDB peer disagrees with the projection (the rows are listed above): report it with the seed and event count") }
    }
}

struct BenchScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Log scan + decode throughput on a simulated centre, beside reading and inflating the same blocks alone.")

    @OptionGroup var simulated: SimulatedStoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws { ScanReport.print(try simulated.benchmark().runRebuild(scanOnly: true), json: json) }
}

/// The report of `bench scan` and `bench rebuild` (the rebuild rows only when a rebuild ran).
enum ScanReport {
    static func print(_ r: ProjectionBenchmark.RebuildResult, json: Bool) {
        let rebuilt = r.rebuildSeconds.isFinite
        if json {
            var o: JSONObject = [
                "events": .integer(Int64(r.events)),
                "scanEventsPerSecond": .integer(Int64(r.scanEventsPerSecond)),
                "inflateEventsPerSecond": .integer(Int64(r.inflateEventsPerSecond)),
            ]
            if rebuilt {
                o["rebuildEventsPerSecond"] = .integer(Int64(r.rebuildEventsPerSecond))
                o["rebuildSeconds"] = .exact(r.rebuildSeconds)
                o["phases"] = .object(JSONObject(r.phases.keys.sorted().map { JSONObject.Member($0, .exact(r.phases[$0])) }))
            }
            if let p = r.peer {
                o["duckdb"] = .object(["version": .string(p.version), "seconds": .exact(p.seconds), "loadSeconds": .exact(p.loadSeconds),
                                       "computeSeconds": .exact(p.computeSeconds), "peakRSSBytes": .integer(Int64(p.peakRSSBytes)),
                                       "rowsCompared": .integer(Int64(p.agreement.rows)), "agrees": .bool(p.agreement.agrees),
                                       "differences": .array(p.agreement.differences.map { .string($0) }),
                                       "rebuildOverDuckDB": .exact(r.rebuildOverPeer)])
            }
            if let why = r.peerUnavailable { o["duckdbUnavailable"] = .string(why) }
            o["peakRSSBytes"] = .integer(Int64(r.peakRSSBytes))
            Console.line(JSONWriter.string(.object(o)))
            return
        }
        func rate(_ x: Double) -> String { String(format: "%.0f events/s", x) }
        var t = Table(["figure", "measured", "baseline (same run)", "target", "met"])
        t.add(["log scan + decode", rate(r.scanEventsPerSecond), rate(r.inflateEventsPerSecond) + " read + inflate only", BenchTarget.scanRate.text,
               BenchTarget.scanRate.verdict(r.scanEventsPerSecond)])
        if rebuilt {
            t.add(["full rebuild", rate(r.rebuildEventsPerSecond), rate(r.scanEventsPerSecond) + " scan + decode", BenchTarget.rebuildRate.text,
                   BenchTarget.rebuildRate.verdict(r.rebuildEventsPerSecond)])
            if let p = r.peer {
                t.add(["rebuild vs DuckDB", String(format: "%.1f s", r.rebuildSeconds),
                       String(format: "%.1f s DuckDB %@ (%d threads), %@", p.seconds, p.version, p.threads, p.agreement.agrees ? "same figures" : "DIFFERENT FIGURES"),
                       BenchTarget.rebuildOverDuckDB.text, p.agreement.agrees ? BenchTarget.rebuildOverDuckDB.verdict(r.rebuildOverPeer) : "no"])
            }
        }
        t.add(["peak RSS", String(format: "%.0f MB", Double(r.peakRSSBytes) / 1e6), "—", BenchTarget.peakRSS.text, BenchTarget.peakRSS.verdict(Double(r.peakRSSBytes))])
        Console.line("\(rebuilt ? "rebuild" : "scan") benchmark: \(r.events) simulated events")
        Console.line(t.render())
        if let p = r.peer {
            Console.line(String(format: "DuckDB peer: %.1f s (load %.1f s, SQL %.1f s), peak RSS %.0f MB; %d rows compared (intervals, agent-days, site-days of repeats): %@",
                                p.seconds, p.loadSeconds, p.computeSeconds, Double(p.peakRSSBytes) / 1e6, p.agreement.rows,
                                p.agreement.agrees ? "every figure agrees" : "they differ:\n  " + p.agreement.differences.joined(separator: "\n  ")))
        } else if let why = r.peerUnavailable {
            Console.line("DuckDB peer not run: \(why)")
        }
        if rebuilt {
            Console.line("rebuild phases: " + r.phases.keys.sorted().map { String(format: "%@ %.1f s", $0, r.phases[$0] ?? 0) }.joined(separator: ", ")
                         + String(format: "; total %.1f s", r.rebuildSeconds))
        }
    }
}

struct BenchCatchUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catchup",
        abstract: "Incremental catch-up of the same number of new events after half and after all of a simulated store's history, and a replay as of its middle.")

    @OptionGroup var simulated: SimulatedStoreOptions
    @Option(help: "New events each catch-up applies.") var newEvents = 20_000
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let r = try simulated.benchmark().runCatchUp(newEvents: newEvents)
        let rebuildRate = Double(r.rebuildEvents) / r.rebuildSeconds
        if json {
            Console.line(JSONWriter.string(.object([
                "newEvents": .integer(Int64(r.newEvents)),
                "runs": runsJSON(r.runs), "historyRatio": .exact(r.historyRatio), "derivedDays": .integer(Int64(r.derivedDays)),
                "phases": phasesJSON(r.phases),
                "freshRuns": runsJSON(r.freshRuns), "freshHistoryRatio": .exact(r.freshHistoryRatio), "freshPhases": phasesJSON(r.freshPhases),
                "rebuildEvents": .integer(Int64(r.rebuildEvents)), "rebuildEventsPerSecond": .exact(rebuildRate),
                "replayEvents": .integer(Int64(r.replayEvents)), "replayEventsPerSecond": .exact(Double(r.replayEvents) / r.replaySeconds),
                "peakRSSBytes": .integer(Int64(ResourceUsage.peakRSSBytes)),
            ])))
            return
        }
        var t = Table(["figure", "measured", "baseline (same run)", "target", "met"])
        for (name, runs, ratio) in [("catch-up of \(r.newEvents) new events", r.runs, r.historyRatio),
                                    ("the same by a new engine", r.freshRuns, r.freshHistoryRatio)] {
            guard let short = runs.first, let long = runs.last else { continue }
            t.add([name, String(format: "%.2f s after %d events", long.seconds, long.history),
                   String(format: "%.2f s after %d events", short.seconds, short.history), BenchTarget.catchUpHistoryRatio.text,
                   BenchTarget.catchUpHistoryRatio.verdict(ratio)])
        }
        t.add(["replay --as-of (new file)", String(format: "%.0f events/s", Double(r.replayEvents) / r.replaySeconds),
               String(format: "%.0f events/s bulk rebuild", rebuildRate), BenchTarget.replayOverRebuild.text,
               BenchTarget.replayOverRebuild.verdict(Double(r.replayEvents) / r.replaySeconds / rebuildRate)])
        Console.line("catch-up benchmark: \(r.newEvents) new events; history ratio \(String(format: "%.2f", r.historyRatio))")
        Console.line(t.render())
        Console.line("catch-up after the longest history: \(r.derivedDays) day(s) derived again; phases " + r.phases.keys.sorted().map { String(format: "%@ %.2f s", $0, r.phases[$0] ?? 0) }.joined(separator: ", "))
        Console.line("the same by a new engine: phases " + r.freshPhases.keys.sorted().map { String(format: "%@ %.2f s", $0, r.freshPhases[$0] ?? 0) }.joined(separator: ", "))
    }

    func runsJSON(_ runs: [(history: Int, seconds: Double)]) -> JSONValue {
        .array(runs.map { .object(["history": .integer(Int64($0.history)), "seconds": .exact($0.seconds)]) })
    }

    func phasesJSON(_ phases: [String: Double]) -> JSONValue {
        .object(JSONObject(phases.keys.sorted().map { JSONObject.Member($0, .exact(phases[$0])) }))
    }
}

struct BenchDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "`journey demo` at its default size, end to end, with its peak memory.")

    @Option(help: ArgumentHelp("Scratch directory (deleted before and after).", valueName: "dir"))
    var dir = FileManager.default.temporaryDirectory.path + "/journey-bench-demo"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let r = try DemoBenchmark(directory: dir, executable: try BenchExecutable.journey()).run()
        if json {
            Console.line(JSONWriter.string(.object(["seconds": .exact(r.seconds), "peakRSSBytes": .integer(Int64(r.peakRSSBytes))])))
            return
        }
        var t = Table(["figure", "measured", "target", "met"])
        t.add(["journey demo, wall", String(format: "%.1f s", r.seconds), BenchTarget.demoSeconds.text, BenchTarget.demoSeconds.verdict(r.seconds)])
        t.add(["journey demo, peak RSS", String(format: "%.0f MB", Double(r.peakRSSBytes) / 1e6), BenchTarget.demoPeakRSS.text,
               BenchTarget.demoPeakRSS.verdict(Double(r.peakRSSBytes))])
        Console.line(t.render())
    }
}

struct BenchQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Latency of each projection query on a simulated store (target < 100 ms at 10 million events).")

    @OptionGroup var simulated: SimulatedStoreOptions
    @Option(help: "Runs of each query (the median is reported).") var repeats = 7
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (total, timings) = try simulated.benchmark().runQueries(repeats: repeats)
        if json {
            Console.line(JSONWriter.string(.object([
                "events": .integer(Int64(total)),
                "peakRSSBytes": .integer(Int64(ResourceUsage.peakRSSBytes)),
                "queries": .array(timings.map { .object(["name": .string($0.name), "medianMs": .number(String(format: "%.2f", $0.medianMs)),
                                                         "maxMs": .number(String(format: "%.2f", $0.maxMs)), "rows": .integer(Int64($0.rows))]) }),
            ])))
            return
        }
        var t = Table(["query", "median", "max", "rows", "target", "met"], numeric: [3])
        for q in timings {
            t.add([q.name, String(format: "%.1f ms", q.medianMs), String(format: "%.1f ms", q.maxMs), String(q.rows), BenchTarget.queryMs.text,
                   BenchTarget.queryMs.verdict(q.medianMs)])
        }
        Console.line("query benchmark: \(total) simulated events, \(repeats) runs each")
        Console.line(t.render())
    }
}

struct BenchConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The console's screen-pop under load (wrk, 50 connections on loopback) beside the server's HTTP floor (target p99 < 10 ms at 10 million events).")

    @OptionGroup var simulated: SimulatedStoreOptions
    @Option(help: "Concurrent connections.") var connections = 50
    @Option(help: "Seconds of load per endpoint.") var seconds = 10
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var bench = ConsoleBenchmark(store: simulated.benchmark())
        bench.connections = connections
        bench.seconds = seconds
        bench.progress = { Console.error("bench: \($0)") }
        guard let r = try await bench.run() else {
            if json { Console.line(JSONWriter.string(.object(["skipped": .string("wrk is not installed (Debian: apt-get install wrk)")]))) }
            return
        }
        func object(_ l: ConsoleBenchmark.Load) -> JSONValue {
            .object(["requestsPerSecond": .exact(l.requestsPerSecond), "p50Ms": .exact(l.p50Ms), "p90Ms": .exact(l.p90Ms),
                     "p99Ms": .exact(l.p99Ms), "errors": .integer(Int64(l.errors))])
        }
        if json {
            Console.line(JSONWriter.string(.object(["events": .integer(Int64(r.events)), "connections": .integer(Int64(r.connections)),
                                                    "screenPop": object(r.screenPop), "heaviest": object(r.heaviest), "floor": object(r.floor),
                                                    "callers": .integer(Int64(r.callers)), "heavy": .integer(Int64(r.heavy)),
                                                    "peakRSSBytes": .integer(Int64(ResourceUsage.peakRSSBytes))])))
            return
        }
        var t = Table(["endpoint", "requests/s", "p50", "p90", "p99", "errors", "target", "met"], numeric: [1, 2, 3, 4, 5])
        func row(_ name: String, _ l: ConsoleBenchmark.Load, target: Bool) {
            t.add([name, String(format: "%.0f", l.requestsPerSecond), String(format: "%.2f ms", l.p50Ms), String(format: "%.2f ms", l.p90Ms),
                   String(format: "%.2f ms", l.p99Ms), String(l.errors), target ? BenchTarget.screenPopP99Ms.text : name.hasPrefix("GET") ? "baseline" : "worst case",
                   target ? BenchTarget.screenPopP99Ms.verdict(l.errors == 0 ? l.p99Ms : .nan) : ""])
        }
        row("screen-pop, \(r.callers) callers of the last day", r.screenPop, target: true)
        row("screen-pop, \(r.heavy) most-repeating customers", r.heaviest, target: false)
        row("GET /v1/api/positions (HTTP floor)", r.floor, target: false)
        Console.line("console benchmark: \(r.events) simulated events, \(r.connections) connections on loopback")
        Console.line(t.render())
    }
}

struct BenchSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Two nodes on loopback: catch-up throughput and live replication lag.")

    @Option(help: "Events in the peer's log for the catch-up.") var events = 1_000_000
    @Option(help: "Seconds of live appends.") var liveSeconds = 5.0
    @Option(help: "Live append rate, events per second.") var rate = 20_000
    @Option(help: ArgumentHelp("Scratch directory (deleted and recreated).", valueName: "dir"))
    var dir = FileManager.default.temporaryDirectory.path + "/journey-bench-sync"
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var bench = SyncBenchmark(directory: dir)
        bench.events = events
        bench.liveSeconds = liveSeconds
        bench.liveEventsPerSecond = rate
        bench.progress = { Console.error("bench: \($0)") }
        let r = try await bench.run()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if json {
            Console.line(JSONWriter.string(.object([
                "events": .integer(Int64(r.events)), "bytes": .integer(Int64(r.bytes)),
                "catchUpEventsPerSecond": .integer(Int64(r.catchUpEventsPerSecond)),
                "localReadEventsPerSecond": .integer(Int64(r.localReadEventsPerSecond)),
                "lagP50Ms": .number(String(format: "%.1f", r.lagPercentile(0.5))), "lagP99Ms": .number(String(format: "%.1f", r.lagPercentile(0.99))),
                "lagMaxMs": .number(String(format: "%.1f", r.lagPercentile(1.0))), "lagSamples": .integer(Int64(r.lagsMs.count)),
                "pollingLagP50Ms": .number(String(format: "%.1f", r.pollingLagPercentile(0.5))),
                "pollingLagP99Ms": .number(String(format: "%.1f", r.pollingLagPercentile(0.99))),
                "peakRSSBytes": .integer(Int64(r.peakRSSBytes)),
            ])))
            return
        }
        var t = Table(["figure", "measured", "baseline", "target", "met"])
        t.add(["catch-up over HTTP", String(format: "%.0f events/s (%.0f MB/s)", r.catchUpEventsPerSecond, Double(r.bytes) / r.catchUpSeconds / 1e6),
               String(format: "%.0f events/s local block read", r.localReadEventsPerSecond), BenchTarget.catchUpRate.text,
               BenchTarget.catchUpRate.verdict(r.catchUpEventsPerSecond)])
        t.add(["live lag p99", String(format: "%.1f ms (p50 %.1f, max %.1f, %d samples), server woken by the append", r.lagPercentile(0.99),
                                      r.lagPercentile(0.5), r.lagPercentile(1.0), r.lagsMs.count),
               String(format: "%.1f ms (p50 %.1f) server looking every 20 ms", r.pollingLagPercentile(0.99), r.pollingLagPercentile(0.5)),
               BenchTarget.lagP99Ms.text, BenchTarget.lagP99Ms.verdict(r.lagPercentile(0.99))])
        Console.line("sync benchmark: \(r.events) events catch-up, then \(rate) events/s live for \(liveSeconds) s")
        Console.line(t.render())
        Console.line(String(format: "peak RSS %.0f MB", Double(r.peakRSSBytes) / 1e6))
    }
}

/// The simulated store the rebuild and query benchmarks share.
struct BenchPostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "The PostgreSQL projection beside the SQLite one: full copy, incremental round, query latency, follow lag.",
        discussion: """
        Needs a PostgreSQL server and a role that may create databases: JOURNEY_BENCH_POSTGRES_URL (or \
        JOURNEY_TEST_POSTGRES_URL) and PGPASSWORD, as `eval "$(Scripts/postgres-cluster.sh start)"` sets them. \
        Each run makes its own databases and drops them.
        """)

    @OptionGroup var simulated: SimulatedStoreOptions
    @Option(help: "New events of the incremental round.") var incremental = 20_000
    @Option(help: "Seconds of steady appends while following.") var followSeconds = 8.0
    @Option(help: "Events per second appended while following.") var rate = 20_000
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let url = env["JOURNEY_BENCH_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["JOURNEY_TEST_POSTGRES_URL"] ?? ""
        guard !url.isEmpty else {
            throw BenchError(.io, "no PostgreSQL server: set JOURNEY_BENCH_POSTGRES_URL and PGPASSWORD (eval \"$(Scripts/postgres-cluster.sh start)\")")
        }
        let admin = try PostgresTarget.resolve(url: nil, passwordFile: nil, environment: ["JOURNEY_POSTGRES_URL": url, "PGPASSWORD": env["PGPASSWORD"] ?? ""])
        var bench = PostgresBenchmark(projections: simulated.benchmark(), admin: admin)
        bench.incrementalEvents = incremental
        bench.followSeconds = followSeconds
        bench.followEventsPerSecond = rate
        bench.progress = { Console.error("bench: \($0)") }
        let r = try await bench.run()
        if json {
            Console.line(JSONWriter.string(.object([
                "events": .integer(Int64(r.events)), "sqliteRebuildSeconds": .exact(r.sqliteRebuildSeconds),
                "fullCopySeconds": .exact(r.fullCopySeconds), "fullCopyRows": .integer(Int64(r.fullCopyRows)),
                "projectEventsPerSecond": .exact(r.projectEventsPerSecond), "copyEventsPerSecond": .exact(r.copyEventsPerSecond),
                "incrementalCatchUpSeconds": .exact(r.incrementalCatchUpSeconds), "incrementalCopySeconds": .exact(r.incrementalCopySeconds),
                "incrementalRows": .integer(Int64(r.incrementalRows)),
                "queries": .array(r.queries.map { .object(["name": .string($0.name), "sqliteMs": .exact($0.sqliteMs), "postgresMs": .exact($0.postgresMs)]) }),
                "followLagP50Ms": .exact(r.followLag(0.5)), "followLagP99Ms": .exact(r.followLag(0.99)),
                "followEventsPerSecond": .integer(Int64(r.followEventsPerSecond)), "peakRSSBytes": .integer(Int64(ResourceUsage.peakRSSBytes)),
            ])))
            return
        }
        Console.line("postgres benchmark: \(r.events) simulated events; PostgreSQL beside SQLite, same run")
        var t = Table(["figure", "measured", "baseline (same run)", "target", "met"], numeric: [])
        t.add(["project into PostgreSQL (SQLite rebuild + full copy)", String(format: "%.0f events/s", r.projectEventsPerSecond),
               String(format: "SQLite rebuild alone %.0f events/s", Double(r.events - incremental) / r.sqliteRebuildSeconds),
               BenchTarget.postgresProjectRate.text, BenchTarget.postgresProjectRate.verdict(r.projectEventsPerSecond)])
        t.add(["full copy alone", String(format: "%.1f s, %d rows (%.0f events/s)", r.fullCopySeconds, r.fullCopyRows, r.copyEventsPerSecond),
               String(format: "SQLite rebuild %.1f s", r.sqliteRebuildSeconds), "—", "—"])
        t.add(["incremental round (\(incremental) events)", String(format: "catch-up %.2f s + copy %.2f s (%d rows)", r.incrementalCatchUpSeconds,
                                                                      r.incrementalCopySeconds, r.incrementalRows),
               String(format: "SQLite catch-up alone %.2f s", r.incrementalCatchUpSeconds), "—", "—"])
        for q in r.queries {
            t.add(["query: " + q.name, String(format: "%.1f ms", q.postgresMs), String(format: "SQLite %.1f ms", q.sqliteMs),
                   BenchTarget.queryMs.text, BenchTarget.queryMs.verdict(q.postgresMs)])
        }
        t.add(["follow lag p99 at \(r.followEventsPerSecond) events/s", String(format: "%.0f ms (p50 %.0f ms, %d batches)", r.followLag(0.99),
                                                                        r.followLag(0.5), r.followLagsMs.count),
               "—", BenchTarget.postgresFollowLagMs.text, BenchTarget.postgresFollowLagMs.verdict(r.followLag(0.99))])
        Console.line(t.render())
    }
}

struct SimulatedStoreOptions: ParsableArguments {
    @Option(help: "Events in the simulated store.") var events = 2_000_000
    @Option(help: "Simulation seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Scratch directory (the simulated store is reused when it holds exactly --events events).", valueName: "dir"))
    var dir = FileManager.default.temporaryDirectory.path + "/journey-bench-projections"

    func benchmark() -> ProjectionBenchmark {
        var bench = ProjectionBenchmark(directory: dir)
        bench.events = events
        bench.seed = seed
        bench.progress = { Console.error("bench: \($0)") }
        return bench
    }
}

struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "`journey append` of a canonical JSONL file, end to end and durable, with its peak RSS, beside one decode pass and a plain read of the same file.")

    @Option(help: "Events in the JSONL file (a 5 GB file is about 21,000,000).") var events = 2_000_000
    @Option(help: "Generator seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Scratch directory (deleted and recreated).", valueName: "dir"))
    var dir = FileManager.default.temporaryDirectory.path + "/journey-bench-ingest"
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be positive") }
    }

    func run() throws {
        var bench = IngestBenchmark(directory: dir, executable: try BenchExecutable.journey())
        bench.events = events
        bench.seed = seed
        bench.progress = { Console.error("bench: \($0)") }
        let r = try bench.run()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if json {
            Console.line(JSONWriter.string(.object([
                "events": .integer(Int64(r.events)), "fileBytes": .integer(Int64(r.fileBytes)),
                "appendEventsPerSecond": .integer(Int64(r.appendEventsPerSecond)),
                "appendSeconds": .number(String(format: "%.3f", r.appendSeconds)),
                "decodeEventsPerSecond": .integer(Int64(r.decodeEventsPerSecond)),
                "readEventsPerSecond": .integer(Int64(r.readEventsPerSecond)),
                "peakRSSBytes": .integer(Int64(r.appendPeakRSSBytes)),
            ])))
            return
        }
        func rate(_ x: Double) -> String { String(format: "%.0f events/s", x) }
        var t = Table(["figure", "measured", "baseline (same run)", "target", "met"])
        t.add(["journey append FILE, durable", rate(r.appendEventsPerSecond), rate(r.decodeEventsPerSecond) + " one decode pass (2 threads)",
               BenchTarget.fileAppendRate.text, BenchTarget.fileAppendRate.verdict(r.appendEventsPerSecond)])
        t.add(["peak RSS of the append", String(format: "%.0f MB", Double(r.appendPeakRSSBytes) / 1e6),
               String(format: "%.0f MB of JSONL", Double(r.fileBytes) / 1e6), BenchTarget.fileAppendPeakRSS.text, BenchTarget.fileAppendPeakRSS.verdict(Double(r.appendPeakRSSBytes))])
        t.add(["reading the file alone", rate(r.readEventsPerSecond), "—", "—", "—"])
        Console.line("ingest benchmark: \(r.events) events, \(r.fileBytes >> 20) MB of canonical JSONL")
        Console.line(t.render())
    }
}

/// The executables the benchmarks run as children.
enum BenchExecutable {
    /// This `journey-bench` executable.
    static var path: String {
        FileManager.default.fileExists(atPath: "/proc/self/exe") ? ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]) : CommandLine.arguments[0]
    }

    /// The `journey` executable built beside this one.
    static func journey() throws -> String {
        let path = URL(fileURLWithPath: Self.path).deletingLastPathComponent().appendingPathComponent("journey").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError(.childFailed, "no `journey` executable beside journey-bench at \(path): build both with `swift build -c release`")
        }
        return path
    }
}
