import Foundation
import JourneyConsole
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneySync

/// `journey bench console`: the screen-pop (`GET /v1/customers/{key}/journey`)
/// under load on loopback — `wrk` (Debian's package) with many concurrent
/// connections, each request a different customer — beside, in the same run,
/// the same load on `/v1/api/positions`, which reads no projection rows: the
/// HTTP floor of this server on this machine.
///
/// Two sets of customers: the **callers** of the store's last full day (who
/// a screen-pop is asked for: someone calling now), the target figure; and
/// the customers with the **most repeats** (the longest journeys, up to the
/// screen-pop's default 50 contacts), the worst case.
public struct ConsoleBenchmark {
    /// The simulated store and its projection (``ProjectionBenchmark``'s).
    public var store: ProjectionBenchmark
    /// Concurrent connections.
    public var connections = 50
    /// wrk threads.
    public var threads = 2
    /// Seconds of load per endpoint.
    public var seconds = 10
    /// Customers the requests cycle through.
    public var customers = 5_000
    /// Seconds of unmeasured load over each set before the measured runs.
    public var warmUpSeconds = 3
    /// Progress lines.
    public var progress: (String) -> Void = { _ in }

    /// A store of `events` events under `directory`.
    public init(store: ProjectionBenchmark) { self.store = store }

    /// One endpoint's latency under load.
    public struct Load: Sendable {
        /// Requests per second served.
        public var requestsPerSecond: Double
        /// Latency percentiles, ms.
        public var p50Ms: Double, p90Ms: Double, p99Ms: Double
        /// Non-2xx answers and socket errors (a correct run has none).
        public var errors: Int
    }

    /// The screen-pop's loads and the floor's, with the store's size.
    public struct Result: Sendable {
        public var events: Int
        /// Callers of the last full day: the target figure.
        public var screenPop: Load
        /// The customers with the most repeats.
        public var heaviest: Load
        public var floor: Load
        public var connections: Int
        /// Customers in each set.
        public var callers: Int, heavy: Int
    }

    /// Runs both loads; nil when `wrk` is not installed.
    public func run() async throws -> Result? {
        guard let wrk = ChildProcess.which("wrk") else {
            progress("wrk is not installed (Debian: apt-get install wrk); the console benchmark is skipped")
            return nil
        }
        let log = try store.prepareStore()
        let events = Int(log.stats().first?.events ?? 0)
        // A node on the simulated store's directory, with its projection built in bulk.
        let node = Node(directory: DataDirectory(store.directory + "/store"))
        do {
            let engine = try ProjectionEngine(path: node.directory.projectionsPath)
            if engine.positions["north"] != UInt64(events) {
                progress("building projections for the console benchmark…")
                _ = try engine.rebuild(from: log)
            }
        }
        let dir = store.directory + "/console-bench"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let host = try ProjectionHost(node: node, store: log)
        let limit = customers
        let (callers, heavy) = try await host.read { engine in
            var f = ProjectionQuery.Filter()
            f.fromDay = engine.horizonDay() - 1
            f.toDay = f.fromDay
            f.limit = 100_000
            var seen = Set<String>()
            let day = try engine.read(engine.reads.contacts(f)).compactMap(\.customer).filter { seen.insert($0).inserted }
            // A fixed shuffle, so that consecutive requests are not the day's consecutive callers.
            var rng = SplitMix64(seed: 7)
            let callers = Array(day.shuffled(using: &rng).prefix(limit))
            let heavy = try engine.query(.customers(minRepeats: 0, limit: limit)).rows.compactMap { $0.first?.stringValue }
            return (callers, heavy)
        }
        guard !callers.isEmpty, !heavy.isEmpty else { throw BenchError(.inconsistent, "the simulated store has no customers") }
        var config = SyncConfig()
        let token = DemoCentres.token()
        config.viewers = [.init(name: "bench", token: token, role: .viewer)]
        let console = ConsoleServer(node: node, host: host, config: config, record: { _ in throw BenchError(.io, "the benchmark's console records nothing") })
        let server = try await RunningServer.start(SyncServer(store: log, config: config), extra: [console])
        defer { server.stop() }

        func script(_ name: String, _ keys: [String]) throws -> String {
            let path = dir + "/\(name).lua"
            let paths = keys.map { "\"/v1/customers/\(URLForm.encode($0))/journey\"" }.joined(separator: ",\n")
            try """
                local paths = {\(paths)}
                local i = 0
                wrk.headers["Authorization"] = "Bearer \(token)"
                request = function()
                  i = i + 1
                  return wrk.format("GET", paths[(i % #paths) + 1])
                end
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let floorScript = dir + "/floor.lua"
        try """
            wrk.headers["Authorization"] = "Bearer \(token)"
            request = function() return wrk.format("GET", "/v1/api/positions") end
            """.write(toFile: floorScript, atomically: true, encoding: .utf8)
        // A server answers warm: a short load over both sets first brings their pages into memory (a cold first
        // run measured p99 152 ms at 10M events where the warm ones measured 8.5–8.7 ms).
        progress("warming up: \(warmUpSeconds) s over both sets of customers…")
        let callersScript = try script("callers", callers), heavyScript = try script("heaviest", heavy)
        _ = try await load(wrk, script: callersScript, url: server.url, seconds: warmUpSeconds)
        _ = try await load(wrk, script: heavyScript, url: server.url, seconds: warmUpSeconds)
        progress("screen-pop: \(connections) connections for \(seconds) s over \(callers.count) callers of the last full day…")
        let pop = try await load(wrk, script: callersScript, url: server.url)
        progress("screen-pop: the same over the \(heavy.count) customers with the most repeats…")
        let heaviest = try await load(wrk, script: heavyScript, url: server.url)
        progress("floor (/v1/api/positions): the same load…")
        let floor = try await load(wrk, script: floorScript, url: server.url)
        return Result(events: events, screenPop: pop, heaviest: heaviest, floor: floor, connections: connections,
                      callers: callers.count, heavy: heavy.count)
    }

    /// Runs wrk with `script` against `url` and reads its latency distribution.
    func load(_ wrk: String, script: String, url: String, seconds: Int? = nil) async throws -> Load {
        let out = try await ChildProcess.output(wrk, ["-t", String(threads), "-c", String(connections), "-d", "\(seconds ?? self.seconds)s",
                                                      "--latency", "-s", script, url])
        return try Self.parse(out)
    }

    /// wrk's report: `Latency Distribution` percentiles, `Requests/sec`, errors.
    static func parse(_ text: String) throws -> Load {
        func ms(_ s: Substring) -> Double? {
            for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where s.hasSuffix(unit) {
                return Double(s.dropLast(unit.count)).map { $0 * scale }
            }
            return nil
        }
        var percentiles: [String: Double] = [:]
        var rate: Double?
        var errors = 0
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count == 2, words[0].hasSuffix("%"), let v = ms(words[1]) { percentiles[String(words[0])] = v }
            if words.first == "Requests/sec:", words.count == 2 { rate = Double(words[1]) }
            if line.contains("Non-2xx or 3xx responses:"), let n = words.last.flatMap({ Int($0) }) { errors += n }
            if line.contains("Socket errors:") {
                for w in words { if let n = Int(w.trimmingCharacters(in: .punctuationCharacters)) { errors += n } }
            }
        }
        guard let p50 = percentiles["50%"], let p90 = percentiles["90%"], let p99 = percentiles["99%"], let rate else {
            throw BenchError(.childFailed, "could not read wrk's report:\n\(text)")
        }
        return Load(requestsPerSecond: rate, p50Ms: p50, p90Ms: p90, p99Ms: p99, errors: errors)
    }
}
