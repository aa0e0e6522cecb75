import ArgumentParser
import Foundation
import JourneyBench
import JourneyCLI
import JourneyModel

/// `journey-bench all`: every target figure in one report, each benchmark
/// in its own child process so that its peak RSS is its own.
struct BenchAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every benchmark (append, ingest, scan, rebuild with its DuckDB peer, catch-up and replay, query, console, sync, demo) and print each target figure beside its same-run baseline and target.")

    @Option(help: "Events for the append benchmark.") var appendEvents = 1_000_000
    @Option(help: "Events in the JSONL file of the ingest benchmark (`journey append FILE`).") var ingestEvents = 2_000_000
    @Option(help: "Events in the simulated store for scan, rebuild and query (the target scale is 10,000,000).") var events = 2_000_000
    @Option(help: "Events for the sync catch-up.") var syncEvents = 1_000_000
    @Option(help: "New events for the incremental catch-up.") var catchUpEvents = 20_000
    @Flag(help: "Leave out `journey demo` (a few minutes).") var noDemo = false
    @Flag(help: "Print JSON.") var json = false

    /// One line of the report.
    struct Figure {
        var name: String
        var measured: String
        var baseline: String
        var ratio: String
        var target: String
        var met: Bool
        var peakRSS: Int64
        var values: JSONObject
    }

    func run() throws {
        try execute()
    }

    func execute() throws {
        let started = Date()
        let append = try child(["append", "--events", String(appendEvents)])
        let ingest = try child(["ingest", "--events", String(ingestEvents)])
        // The first run over the simulated store builds it (a simulation in that process); measure the next.
        _ = try child(["scan", "--events", String(events)])
        let scan = try child(["scan", "--events", String(events)])
        let rebuild = try child(["rebuild", "--events", String(events)])
        let catchUp = try child(["catchup", "--events", String(events), "--new-events", String(catchUpEvents)])
        let query = try child(["query", "--events", String(events)])
        let console = try child(["console", "--events", String(events)])
        let sync = try child(["sync", "--events", String(syncEvents)])
        let demo = noDemo ? [:] : try child(["demo"])
        func d(_ o: JSONObject, _ k: String) -> Double { o[k]?.doubleValue ?? .nan }
        func rss(_ o: JSONObject) -> Int64 { o["peakRSSBytes"]?.intValue ?? 0 }
        func rate(_ x: Double) -> String { String(format: "%.0f events/s", x) }
        var figures: [Figure] = []
        let a = d(append, "appendEventsPerSecond"), sq = d(append, "sqliteEventsPerSecond")
        figures.append(Figure(name: "append, group-commit fsync", measured: rate(a), baseline: rate(sq) + " batched SQLite (WAL)", ratio: String(format: "%.2f×", a / sq),
                              target: BenchTarget.appendRate.text + " and " + BenchTarget.appendOverSQLite.text,
                              met: BenchTarget.appendRate.met(a) && BenchTarget.appendOverSQLite.met(a / sq), peakRSS: rss(append), values: append))
        let stored = d(append, "storedBytes"), jsonl = d(append, "jsonlBytes"), gz = d(append, "gzip6Bytes")
        figures.append(Figure(name: "storage vs canonical JSONL", measured: String(format: "%.0f B", stored), baseline: String(format: "%.0f B JSONL", jsonl),
                              ratio: String(format: "%.3f", stored / jsonl), target: BenchTarget.storedOverJSONL.text, met: BenchTarget.storedOverJSONL.met(stored / jsonl), peakRSS: rss(append), values: [:]))
        figures.append(Figure(name: "storage vs gzip -6 of the JSONL", measured: String(format: "%.0f B", stored), baseline: String(format: "%.0f B gzip -6", gz),
                              ratio: String(format: "%.3f", stored / gz), target: BenchTarget.storedOverGzip.text, met: BenchTarget.storedOverGzip.met(stored / gz), peakRSS: rss(append), values: [:]))
        let ia = d(ingest, "appendEventsPerSecond"), idec = d(ingest, "decodeEventsPerSecond")
        figures.append(Figure(name: "journey append FILE (JSONL, durable), end to end", measured: rate(ia), baseline: rate(idec) + " one decode pass, 2 threads",
                              ratio: String(format: "%.2f", ia / idec), target: BenchTarget.fileAppendRate.text, met: BenchTarget.fileAppendRate.met(ia), peakRSS: rss(ingest), values: ingest))
        let fileMB = d(ingest, "fileBytes") / 1e6
        figures.append(Figure(name: "peak RSS of that append", measured: String(format: "%.0f MB", Double(rss(ingest)) / 1e6),
                              baseline: String(format: "%.0f MB of JSONL", fileMB), ratio: String(format: "%.2f", Double(rss(ingest)) / 1e6 / fileMB),
                              target: BenchTarget.fileAppendPeakRSS.text, met: BenchTarget.fileAppendPeakRSS.met(Double(rss(ingest))), peakRSS: rss(ingest), values: [:]))
        let s = d(scan, "scanEventsPerSecond"), inf = d(scan, "inflateEventsPerSecond")
        figures.append(Figure(name: "log scan + decode", measured: rate(s), baseline: rate(inf) + " read + inflate only", ratio: String(format: "%.2f", s / inf),
                              target: BenchTarget.scanRate.text, met: BenchTarget.scanRate.met(s), peakRSS: rss(scan), values: scan))
        let r = d(rebuild, "rebuildEventsPerSecond"), rs = d(rebuild, "scanEventsPerSecond")
        figures.append(Figure(name: "full rebuild of all projections", measured: rate(r), baseline: rate(rs) + " scan + decode", ratio: String(format: "%.2f", r / rs),
                              target: BenchTarget.rebuildRate.text, met: BenchTarget.rebuildRate.met(r), peakRSS: rss(rebuild), values: rebuild))
        if case .object(let duck)? = rebuild["duckdb"] {
            let agrees = duck["agrees"]?.boolValue == true, ratio = d(duck, "rebuildOverDuckDB")
            figures.append(Figure(name: "rebuild vs DuckDB on the same events (\(agrees ? "same figures" : "DIFFERENT FIGURES"))",
                                  measured: String(format: "%.1f s", d(rebuild, "rebuildSeconds")),
                                  baseline: String(format: "%.1f s DuckDB %@", d(duck, "seconds"), duck["version"]?.stringValue ?? "?"),
                                  ratio: String(format: "%.2f×", ratio), target: BenchTarget.rebuildOverDuckDB.text,
                                  met: agrees && BenchTarget.rebuildOverDuckDB.met(ratio), peakRSS: duck["peakRSSBytes"]?.intValue ?? 0, values: duck))
        } else {
            figures.append(Figure(name: "rebuild vs DuckDB", measured: "—", baseline: "peer not run: " + (rebuild["duckdbUnavailable"]?.stringValue ?? "?"),
                                  ratio: "—", target: BenchTarget.rebuildOverDuckDB.text, met: false, peakRSS: 0, values: [:]))
        }
        for (runsKey, ratioKey, engine) in [("runs", "historyRatio", ""), ("freshRuns", "freshHistoryRatio", ", new engine")] {
            guard case .array(let runs)? = catchUp[runsKey], case .object(let short)? = runs.first, case .object(let long)? = runs.last else { continue }
            let ratio = d(catchUp, ratioKey)
            figures.append(Figure(name: "catch-up of \(catchUp["newEvents"]?.intValue ?? 0) new events after \(long["history"]?.intValue ?? 0) events\(engine)",
                                  measured: String(format: "%.2f s", d(long, "seconds")),
                                  baseline: String(format: "%.2f s after %lld events", d(short, "seconds"), short["history"]?.intValue ?? 0),
                                  ratio: String(format: "%.2f", ratio), target: BenchTarget.catchUpHistoryRatio.text,
                                  met: BenchTarget.catchUpHistoryRatio.met(ratio), peakRSS: rss(catchUp), values: engine.isEmpty ? catchUp : [:]))
        }
        let replay = d(catchUp, "replayEventsPerSecond"), bulk = d(catchUp, "rebuildEventsPerSecond")
        figures.append(Figure(name: "replay --as-of into a new file", measured: rate(replay), baseline: rate(bulk) + " bulk rebuild",
                              ratio: String(format: "%.2f", replay / bulk), target: BenchTarget.replayOverRebuild.text,
                              met: BenchTarget.replayOverRebuild.met(replay / bulk), peakRSS: rss(catchUp), values: [:]))
        var slowest = (name: "", ms: 0.0)
        if case .array(let qs)? = query["queries"] {
            for q in qs { if case .object(let o) = q, let ms = o["medianMs"]?.doubleValue, ms > slowest.ms { slowest = (o["name"]?.stringValue ?? "", ms) } }
        }
        figures.append(Figure(name: "slowest query (median): \(slowest.name)", measured: String(format: "%.1f ms", slowest.ms), baseline: "—", ratio: "—",
                              target: BenchTarget.queryMs.text, met: BenchTarget.queryMs.met(slowest.ms), peakRSS: rss(query), values: query))
        if case .object(let pop)? = console["screenPop"], case .object(let floor)? = console["floor"] {
            let p99 = d(pop, "p99Ms"), floorP99 = d(floor, "p99Ms")
            let clean = pop["errors"]?.intValue == 0
            figures.append(Figure(name: "console screen-pop p99, \(console["connections"]?.intValue ?? 0) clients on loopback, the last day's callers\(clean ? "" : " (ERRORS)")",
                                  measured: String(format: "%.2f ms (%.0f requests/s)", p99, d(pop, "requestsPerSecond")),
                                  baseline: String(format: "%.2f ms /v1/api/positions (no rows read)", floorP99),
                                  ratio: String(format: "%.2f", p99 / max(floorP99, 1e-9)), target: BenchTarget.screenPopP99Ms.text,
                                  met: clean && BenchTarget.screenPopP99Ms.met(p99), peakRSS: rss(console), values: console))
        } else {
            figures.append(Figure(name: "console screen-pop p99", measured: "—", baseline: "not run: " + (console["skipped"]?.stringValue ?? "?"),
                                  ratio: "—", target: BenchTarget.screenPopP99Ms.text, met: false, peakRSS: 0, values: [:]))
        }
        let c = d(sync, "catchUpEventsPerSecond"), local = d(sync, "localReadEventsPerSecond")
        figures.append(Figure(name: "sync catch-up over loopback HTTP", measured: rate(c), baseline: rate(local) + " local block read", ratio: String(format: "%.2f", c / local),
                              target: BenchTarget.catchUpRate.text, met: BenchTarget.catchUpRate.met(c), peakRSS: rss(sync), values: sync))
        let p99 = d(sync, "lagP99Ms")
        let pollingP99 = d(sync, "pollingLagP99Ms")
        figures.append(Figure(name: "live replication lag p99 (server woken by the append)", measured: String(format: "%.1f ms", p99),
                              baseline: String(format: "%.1f ms with the server looking every 20 ms", pollingP99),
                              ratio: String(format: "%.2f", p99 / max(pollingP99, 1e-9)), target: BenchTarget.lagP99Ms.text, met: BenchTarget.lagP99Ms.met(p99), peakRSS: rss(sync), values: [:]))
        if !noDemo {
            let seconds = d(demo, "seconds")
            figures.append(Figure(name: "journey demo (default size), wall", measured: String(format: "%.1f s", seconds), baseline: "—", ratio: "—",
                                  target: BenchTarget.demoSeconds.text, met: BenchTarget.demoSeconds.met(seconds), peakRSS: rss(demo), values: demo))
            figures.append(Figure(name: "journey demo, peak RSS", measured: String(format: "%.0f MB", Double(rss(demo)) / 1e6), baseline: "—", ratio: "—",
                                  target: BenchTarget.demoPeakRSS.text, met: BenchTarget.demoPeakRSS.met(Double(rss(demo))), peakRSS: rss(demo), values: [:]))
        }
        let maxRSS = figures.map(\.peakRSS).max() ?? 0
        let machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_000_000_000) GB"
        if json {
            Console.line(JSONWriter.string(.object([
                "date": .string(Timestamp(ms: Int64(started.timeIntervalSince1970 * 1000)).rfc3339), "machine": .string(machine),
                "events": .integer(Int64(events)),
                "figures": .array(figures.map { f in .object(["name": .string(f.name), "measured": .string(f.measured), "baseline": .string(f.baseline),
                                                              "ratio": .string(f.ratio), "target": .string(f.target), "met": .bool(f.met),
                                                              "peakRSSBytes": .integer(f.peakRSS)]) }),
                "raw": .object(["append": .object(append), "ingest": .object(ingest), "scan": .object(scan), "rebuild": .object(rebuild),
                                "catchup": .object(catchUp), "query": .object(query), "console": .object(console), "sync": .object(sync), "demo": .object(demo)]),
            ])))
            return
        }
        Console.line("JourneyStore benchmark — \(Timestamp(ms: Int64(started.timeIntervalSince1970 * 1000)).rfc3339.prefix(10)), \(machine); "
                     + "append \(appendEvents) events, ingest \(ingestEvents) events, projections on \(events) simulated events, sync \(syncEvents) events")
        var t = Table(["figure", "measured", "baseline (same run)", "ratio", "target", "met", "peak RSS"])
        for f in figures { t.add([f.name, f.measured, f.baseline, f.ratio, f.target, f.met ? "yes" : "NO", String(format: "%.0f MB", Double(f.peakRSS) / 1e6)]) }
        Console.line(t.render())
        Console.line(String(format: "peak RSS of any benchmark %.0f MB (target %@ at 10M events); %d of %d figures met; %.0f s in all",
                            Double(maxRSS) / 1e6, BenchTarget.peakRSS.text, figures.filter(\.met).count, figures.count, Date().timeIntervalSince(started)))
    }

    /// Runs `journey-bench ARGS --json` as a child process and parses its JSON.
    func child(_ args: [String]) throws -> JSONObject {
        Console.error("bench all: running bench \(args.joined(separator: " "))…")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BenchExecutable.path)
        process.arguments = args + ["--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(.childFailed, "bench \(args[0]) failed (exit \(process.terminationStatus))") }
        guard case .object(let o) = try JSONParser.parse(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError(.childFailed, "bench \(args[0]) printed no JSON object")
        }
        return o
    }
}
