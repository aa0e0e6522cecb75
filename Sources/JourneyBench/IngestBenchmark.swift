import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
#if canImport(Glibc)
import Glibc
#endif

/// `journey bench ingest`: `journey append FILE` of a canonical JSONL file,
/// end to end and durable, in a child process whose wall time and peak RSS
/// are measured; beside it, in the same run, one decode pass over the same
/// file on two threads (the floor a pass over JSONL costs) and reading the
/// file alone.
public struct IngestBenchmark {
    /// Events the benchmark generates.
    public var events = 2_000_000
    /// Generator seed.
    public var seed: UInt64 = 42
    /// Scratch directory (deleted and recreated).
    public var directory: String
    /// The `journey` executable that runs the append.
    public var executable: String
    /// Receives progress lines.
    public var progress: (String) -> Void = { _ in }

    /// A benchmark working in `directory`, running `executable`.
    public init(directory: String, executable: String) {
        self.directory = directory
        self.executable = executable
    }

    /// What one run measured.
    public struct Result: Sendable {
        /// Events measured.
        public var events: Int
        /// Bytes of the JSONL file.
        public var fileBytes: UInt64
        /// Seconds the append took.
        public var appendSeconds: Double
        /// Append throughput, events per second.
        public var appendEventsPerSecond: Double
        /// Peak RSS of the `journey append` process.
        public var appendPeakRSSBytes: Int
        /// One decode pass over the file (the baseline).
        public var decodeEventsPerSecond: Double
        /// Reading the file alone.
        public var readEventsPerSecond: Double
    }

    /// Distinct events generated at once; a larger file repeats them with other ids.
    static let generated = 500_000

    /// Runs the benchmark.
    public func run() throws -> Result {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/input.jsonl"
        let fileBytes = try writeInput(file)
        progress("wrote \(events) events, \(fileBytes >> 20) MB of JSONL")

        progress("reading the file alone…")
        var started = ResourceUsage.now
        let reader = try LineChunks(path: file, chunkBytes: 8 << 20)
        while try reader.next() != nil {}
        let readSeconds = ResourceUsage.now - started

        progress("decoding the file once on two threads…")
        started = ResourceUsage.now
        let decoded = try decodeOnce(file)
        let decodeSeconds = ResourceUsage.now - started
        guard decoded == events else { throw BenchError(.inconsistent, "the bench decoded \(decoded) of \(events) events") }

        progress("journey append (durable, batch) in a child process…")
        let store = directory + "/store"
        _ = try runChild(["init", "--data", store, "--site", "bench"])
        started = ResourceUsage.now
        let peak = try runChild(["append", "--data", store, file])
        let appendSeconds = ResourceUsage.now - started
        return Result(events: events, fileBytes: fileBytes, appendSeconds: appendSeconds,
                      appendEventsPerSecond: Double(events) / appendSeconds, appendPeakRSSBytes: peak,
                      decodeEventsPerSecond: Double(events) / decodeSeconds, readEventsPerSecond: Double(events) / readSeconds)
    }

    /// Writes `events` synthetic events as canonical JSONL, a round of
    /// ``generated`` distinct events at a time, each round with its own ids.
    func writeInput(_ path: String) throws -> UInt64 {
        let base = SyntheticTraffic(site: "bench", seed: seed).events(count: min(events, Self.generated))
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw BenchError(.io, "cannot write \(path)")
        }
        defer { try? out.close() }
        var written = 0, bytes: UInt64 = 0, round = 0
        while written < events {
            var buffer: [UInt8] = []
            for var e in base.prefix(events - written) {
                e.seq = 0
                if round > 0 { e.id += "~\(round)" }
                EventCodec.encode(e, into: &buffer)
                buffer.append(0x0A)
                written += 1
            }
            try out.write(contentsOf: Data(buffer))
            bytes += UInt64(buffer.count)
            round += 1
        }
        return bytes
    }

    /// One pass of decoding (two threads, as the append's passes do); returns the events decoded.
    func decodeOnce(_ path: String) throws -> Int {
        let reader = try LineChunks(path: path, chunkBytes: 8 << 20)
        var count = 0
        let options = EventCodec.DecodeOptions(defaultSite: "bench", allowMissingID: true)
        while let chunk = try reader.next() {
            count += JSONLAppend.decodeInHalves(chunk, options: options) { $0.events.count }.reduce(0, +)
        }
        return count
    }

    /// Runs `journey ARGS` and returns its peak RSS in bytes (see ``ChildProcess``).
    func runChild(_ args: [String]) throws -> Int {
        let child = try ChildProcess.run(executable, args)
        guard child.status == 0 else {
            throw BenchError(.childFailed, "journey \(args.joined(separator: " ")) failed (exit \(child.status))")
        }
        return child.peakRSSBytes
    }
}
