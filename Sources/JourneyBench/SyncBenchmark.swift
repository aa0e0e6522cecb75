import Foundation
import Hummingbird
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import Synchronization
import JourneySync
import Logging

/// `journey bench sync`: two nodes on loopback. Catch-up: a node pulls a
/// large log from a peer (events/s), beside reading the same blocks from the
/// local disk (the baseline: what the network, checks and storing add).
/// Live: the peer appends at a steady rate while the node follows; the lag
/// from each append returning to the follower holding it.
public struct SyncBenchmark: Sendable {
    /// Events the benchmark generates.
    public var events = 1_000_000
    /// Seconds of live appends after the catch-up.
    public var liveSeconds = 5.0
    /// Rate of the live appends, events per second.
    public var liveEventsPerSecond = 20_000
    /// Scratch directory (deleted and recreated).
    public var directory: String
    /// Receives progress lines.
    public var progress: @Sendable (String) -> Void = { _ in }

    /// A benchmark working in `directory`.
    public init(directory: String) { self.directory = directory }

    /// What the benchmark measured.
    public struct Result: Sendable {
        /// Events measured.
        public var events: Int
        /// Bytes replicated.
        public var bytes: UInt64
        /// Seconds the catch-up took.
        public var catchUpSeconds: Double
        /// Seconds a plain local read of the same blocks took (the baseline).
        public var localReadSeconds: Double
        /// Live lag per appended batch, the server woken by each append.
        public var lagsMs: [Double]
        /// The same with the server looking every 20 ms instead (the baseline).
        public var pollingLagsMs: [Double]
        /// Peak resident memory of the process, bytes.
        public var peakRSSBytes: Int
        /// Catch-up throughput.
        public var catchUpEventsPerSecond: Double { Double(events) / catchUpSeconds }
        /// Local read throughput (the baseline).
        public var localReadEventsPerSecond: Double { Double(events) / localReadSeconds }
        /// Live lag at percentile `p` (0–1), ms, with the server woken by the append.
        public func lagPercentile(_ p: Double) -> Double { Self.percentile(lagsMs, p) }
        /// Live lag at percentile `p`, ms, with the server looking every 20 ms (the baseline).
        public func pollingLagPercentile(_ p: Double) -> Double { Self.percentile(pollingLagsMs, p) }
        static func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    /// Runs the benchmark.
    public func run() async throws -> Result {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        progress("preparing a peer with \(events) events…")
        let source = try LogStore.create(directory: directory + "/peer", site: "peer")
        let input = SyntheticTraffic(site: "peer", seed: 7).events(count: events)
        for start in stride(from: 0, to: input.count, by: 65_536) {
            _ = try source.append(Array(input[start..<min(input.count, start + 65_536)]))
        }
        let token = "bench-token-0123456789abcdef"
        var serverConfig = SyncConfig()
        serverConfig.clients = [.init(name: "node", token: token)]
        var logger = Logger(label: "journey.bench.sync")
        logger.logLevel = .critical
        let server = SyncServer(store: source, config: serverConfig, logger: logger)
        let running = try await RunningServer.start(server)
        defer { running.stop() }
        let peer = SyncConfig.Peer(name: "peer", url: running.url, token: token)

        progress("baseline: reading the same blocks from the local disk…")
        let readStart = Date()
        var bytes: UInt64 = 0
        if let snap = source.snapshot(origin: "peer") {
            for i in snap.blocks.indices { bytes += UInt64(try snap.block(at: i).bytes.count) }
        }
        let localReadSeconds = Date().timeIntervalSince(readStart)

        progress("catch-up: the node pulls the whole log over HTTP…")
        let node = try LogStore.create(directory: directory + "/node", site: "node")
        var clientConfig = SyncConfig()
        clientConfig.keys = ["peer": source.publicKey]
        let client = SyncClient(store: node, config: clientConfig, logger: logger)
        let catchStart = Date()
        let report = try await client.pull(from: peer)
        let catchUpSeconds = Date().timeIntervalSince(catchStart)
        guard report.events == events else { throw SyncError(.protocolViolation, "caught up \(report.events) of \(events) events") }

        var traffic = SyntheticTraffic(site: "peer", seed: 8, start: Timestamp(ms: 1_800_000_000_000))
        progress("live, baseline: appending \(liveEventsPerSecond) events/s for \(liveSeconds) s while the node follows a server that looks every 20 ms…")
        var polling = server
        polling.wakesOnAppend = false
        let pollingLags = try await live(source: source, node: node, server: polling, token: token, clientConfig: clientConfig,
                                         logger: logger, traffic: &traffic, tag: "poll")
        progress("live: the same, the server woken by each append…")
        let lags = try await live(source: source, node: node, server: server, token: token, clientConfig: clientConfig,
                                  logger: logger, traffic: &traffic, tag: "wake")
        return Result(events: events, bytes: bytes, catchUpSeconds: catchUpSeconds, localReadSeconds: localReadSeconds,
                      lagsMs: lags, pollingLagsMs: pollingLags, peakRSSBytes: ResourceUsage.peakRSSBytes)
    }

    /// One live phase: the peer appends at the rate for `liveSeconds` while the
    /// node follows `server`; returns the lag of each batch in ms.
    func live(source: LogStore, node: LogStore, server: SyncServer, token: String, clientConfig: SyncConfig, logger: Logger,
              traffic: inout SyntheticTraffic, tag: String) async throws -> [Double] {
        let stop = Flag()
        let running = try await RunningServer.start(server)
        defer { running.stop() }
        let peer = SyncConfig.Peer(name: "peer", url: running.url, token: token)
        let client = SyncClient(store: node, config: clientConfig, logger: logger)
        let follower = Task { await client.follow([peer], waitMs: 1000, stop: { stop.isSet }) }
        // Each time the node stores a block, note how far it holds the peer's log and when: the lag of a batch
        // is the first arrival holding it minus the moment its append returned (resolution: the wake-up, not a timer).
        let arrivals = Arrivals()
        let recorder = Task {
            while !stop.isSet {
                let g = node.appended.generation
                arrivals.add(node.snapshot(origin: "peer")?.lastSeq ?? 0, at: ContinuousClock.now)
                await node.appended.wait(after: g, timeout: .milliseconds(100))
            }
        }
        let batch = max(1, liveEventsPerSecond / 50)
        let live = traffic.events(count: Int(liveSeconds * Double(liveEventsPerSecond)) + batch)
        var next = 0
        let liveStart = ContinuousClock.now
        var appended: [(seq: UInt64, at: ContinuousClock.Instant)] = []
        while ContinuousClock.now - liveStart < .seconds(liveSeconds) {
            let slice = Array(live[next..<min(live.count, next + batch)]).map { e -> Event in var e = e; e.id = "live-\(tag)-" + e.id; return e }
            next += batch
            let r = try source.append(slice)
            if let last = r.lastSeq { appended.append((last, ContinuousClock.now)) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let drainStart = ContinuousClock.now
        // Until the recorder has seen the last batch arrive (not merely the store holding it), or 10 s.
        while arrivals.maxHeld < (appended.last?.seq ?? 0) && ContinuousClock.now - drainStart < .seconds(10) {
            try await Task.sleep(for: .milliseconds(2))
        }
        stop.set()
        node.appended.wakeAll()
        _ = await recorder.result
        follower.cancel()
        _ = await follower.result
        return arrivals.lagsMs(of: appended)
    }
}

/// What the node held of the peer's log at each wake-up, in time order.
final class Arrivals: Sendable {
    private let list = Mutex<[(held: UInt64, at: ContinuousClock.Instant)]>([])
    func add(_ held: UInt64, at: ContinuousClock.Instant) { list.withLock { $0.append((held, at)) } }
    var all: [(held: UInt64, at: ContinuousClock.Instant)] { list.withLock { $0 } }
    var maxHeld: UInt64 { list.withLock { $0.last?.held ?? 0 } }

    /// The lag of each appended batch, ms: the first arrival holding its last
    /// seq minus the moment its append returned. A batch that never arrived
    /// (within the drain) is not a sample.
    func lagsMs(of appended: [(seq: UInt64, at: ContinuousClock.Instant)]) -> [Double] {
        let seen = all
        var lags: [Double] = []
        var k = 0
        for a in appended {
            while k < seen.count && seen[k].held < a.seq { k += 1 }
            guard k < seen.count else { break }
            lags.append(max(0, (seen[k].at - a.at).inSeconds * 1000))
        }
        return lags
    }
}

final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
