import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections

/// The DuckDB peer of `journey bench rebuild`: what an analyst would do
/// instead of using JourneyStore. `Scripts/duckdb-peer.py` loads the
/// store's canonical JSONL into DuckDB and computes, with SQL written apart
/// from the Swift projection, the interval figures, the agent-day handle
/// times and the repeats. The bench compares every row with the projection's
/// typed rows before it compares the times: a peer that computed something
/// else would make the ratio meaningless.
public struct DuckDBPeer {
    /// `Scripts/duckdb-peer.sh`, which creates the peer's virtual environment.
    public var script: String
    /// DuckDB's worker threads (the machine's cores, as the rebuild may use them).
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    /// The peer run by `script` (`Scripts/duckdb-peer.sh`).
    public init(script: String) { self.script = script }

    /// What the peer measured and whether it agreed.
    public struct Result: Sendable {
        /// Wall time of the peer process: starting Python, loading the JSONL, computing.
        public var seconds: Double
        /// The peer's own split of its time (load of the JSONL, SQL).
        public var loadSeconds: Double
        /// Seconds DuckDB spent on the SQL (load excluded).
        public var computeSeconds: Double
        /// The peer's peak resident memory.
        public var peakRSSBytes: Int
        /// DuckDB's version.
        public var version: String
        /// DuckDB's worker threads.
        public var threads: Int
        /// How the figures compared.
        public var agreement: Agreement
    }

    /// The comparison of the peer's rows with the projection's.
    public struct Agreement: Sendable, Equatable {
        /// Rows compared (intervals, agent-days with handled visits, site-days of contacts).
        public var rows: Int
        /// The first differences found, described; empty when every row agreed.
        public var differences: [String]
        /// True when every row of every view agreed.
        public var agrees: Bool { differences.isEmpty }
    }

    /// `Scripts/duckdb-peer.sh` of the package `executable` was built in,
    /// else under the working directory; nil when neither has it. The
    /// package is the nearest directory above the executable that holds the
    /// script: `.build/release` is a link to `.build/<target triple>/release`,
    /// so the package is two levels up by one path and three by the other.
    public static func locate(executable: String) -> String? {
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates: [String] = []
        for _ in 0..<4 {
            directory = directory.deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent("Scripts/duckdb-peer.sh").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Scripts/duckdb-peer.sh")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates the peer's environment when needed; returns why the peer cannot
    /// run (no python3, no venv module, no package index), or nil when it can.
    public func setUp() -> String? {
        do {
            let child = try ChildProcess.run(script, ["--setup"])
            return child.status == 0 ? nil : "Scripts/duckdb-peer.sh --setup exited \(child.status) (its reason is printed above)"
        } catch {
            return "cannot run \(script): \(error)"
        }
    }

    /// Writes every event of `store` as canonical JSONL to `path` (the input
    /// an analyst would have from `journey cat`); returns the events written.
    public static func writeJSONL(_ store: LogStore, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw BenchError(.io, "cannot write \(path)")
        }
        defer { try? out.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(9 << 20)
        var count = 0
        try store.forEachMergedEvent { e in
            EventCodec.encode(e, into: &buffer)
            buffer.append(0x0A)
            count += 1
            if buffer.count >= 8 << 20 {
                try out.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            return true
        }
        try out.write(contentsOf: buffer)
        return count
    }

    /// Runs the peer on `jsonl` with the engine's KPI parameters and compares
    /// its figures with the engine's rows. `output` is a scratch file for the
    /// peer's figures.
    public func run(jsonl: String, engine: ProjectionEngine, output: String) throws -> Result {
        let p = engine.parameters
        let args = [jsonl, output, "--sl-ms", String(Int64(p.serviceLevelSeconds) * 1000), "--short-ms", String(Int64(p.shortAbandonSeconds) * 1000),
                    "--window-ms", String(p.repeatWindowMs), "--interval-ms", String(p.intervalMs),
                    "--duration-max-ms", String(Limits.durationMsMax), "--threads", String(threads)]
        let started = ResourceUsage.now
        let child = try ChildProcess.run(script, args)
        let seconds = ResourceUsage.now - started
        guard child.status == 0 else { throw BenchError(.childFailed, "the DuckDB peer exited \(child.status) (its reason is printed above)") }
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard let data = FileManager.default.contents(atPath: output),
              case .object(let o) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else {
            throw BenchError(.childFailed, "the DuckDB peer wrote no JSON object to \(output)")
        }
        var all = ProjectionQuery.Filter()
        all.limit = Int.max
        let ours: [String: [[String]]] = [
            "intervals": try engine.intervalRows(all).map(Self.figures),
            // The peer counts agent-days of handled visits; the projection also keeps days of logged time alone.
            "agentDays": try engine.agentDayRows(all).filter { $0.handled > 0 }.map(Self.figures),
            "repeatDays": try engine.contactDayRows(all).map { [$0.site, String($0.day), String($0.contacts), String($0.repeats)] },
        ]
        var theirs: [String: [[String]]] = [:]
        for view in ours.keys {
            guard case .array(let rows)? = o[view] else { throw BenchError(.childFailed, "the DuckDB peer's output has no \(view)") }
            theirs[view] = rows.map { row in
                guard case .array(let cells) = row else { return ["not a row: \(row)"] }
                return cells.map(Self.text)
            }
        }
        let secs = o["seconds"].flatMap { v -> JSONObject? in if case .object(let s) = v { return s } else { return nil } } ?? [:]
        return Result(seconds: seconds, loadSeconds: secs["load"]?.doubleValue ?? .nan, computeSeconds: secs["compute"]?.doubleValue ?? .nan,
                      peakRSSBytes: child.peakRSSBytes, version: o["duckdb"]?.stringValue ?? "?", threads: threads,
                      agreement: Self.compare(ours: ours, theirs: theirs))
    }

    /// Compares two sets of views row by row, each sorted by its cells'
    /// bytes so that neither side's order matters.
    public static func compare(ours: [String: [[String]]], theirs: [String: [[String]]]) -> Agreement {
        var differences: [String] = []
        var rows = 0
        func sorted(_ r: [[String]]) -> [[String]] {
            r.sorted { a, b in a.lexicographicallyPrecedes(b) { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        }
        for view in ours.keys.sorted() {
            let a = sorted(ours[view] ?? []), b = sorted(theirs[view] ?? [])
            rows += a.count
            if a.count != b.count { differences.append("\(view): \(a.count) rows in the projection, \(b.count) from DuckDB") }
            for (i, (x, y)) in zip(a, b).enumerated() where x != y {
                differences.append("\(view) row \(i + 1): projection [\(x.joined(separator: ", "))], DuckDB [\(y.joined(separator: ", "))]")
                if differences.count >= 5 { break }
            }
            if differences.count >= 5 { break }
        }
        return Agreement(rows: rows, differences: differences)
    }

    /// The cells of an interval row the peer computes, in its column order.
    static func figures(_ r: IntervalRow) -> [String] {
        [r.site, r.queue] + [r.intervalStart, r.offered, r.answered, r.abandoned, r.shortAbandoned, r.answeredInSL, r.waitMsAnswered,
                             r.handled, r.handleMs].map { String($0) }
    }

    /// The cells of an agent-day row the peer computes, in its column order.
    static func figures(_ r: AgentDayRow) -> [String] {
        [r.agent] + [r.day, r.handled, r.talkMs, r.holdMs, r.acwMs, r.transferred, r.closed, r.repeated].map { String($0) }
    }

    /// A JSON cell as the text the projection's cells are compared in.
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let s): return s
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array, .object: return JSONWriter.string(v)
        }
    }
}
