import AsyncHTTPClient
import Foundation
import Hummingbird
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneySync
import JourneyTestSupport
import Logging
import XCTest

/// Real servers on loopback, real HTTP clients: no mocks for the transport.
final class SyncTests: XCTestCase {
    var root = ""
    var servers: [Task<Void, any Error>] = []

    override func setUp() { root = NSTemporaryDirectory() + "journey-sync-\(UUID().uuidString)" }
    override func tearDown() async throws {
        for s in servers { s.cancel() }
        for s in servers { _ = await s.result }
        try? FileManager.default.removeItem(atPath: root)
    }

    struct Node {
        var site: String
        var store: LogStore
        var url: String
        var token: String
    }

    static func token(_ site: String) -> String { "token-of-\(site)-0123456789abcdef" }

    /// A store with `events` events of its own, served on a free loopback port.
    func node(_ site: String, events: Int, seed: UInt64, keys: [String: [UInt8]] = [:],
              directory: String? = nil, clients: [SyncConfig.Client]? = nil) async throws -> Node {
        let dir = directory ?? "\(root)/\(site)"
        let store = FileManager.default.fileExists(atPath: dir + "/journey.json") ? try LogStore.open(directory: dir)
            : try LogStore.create(directory: dir, site: site)
        if events > 0 { try appendOwn(store, events: events, seed: seed) }
        var config = SyncConfig()
        config.clients = clients ?? ["a", "b", "c", "hub", "x", "victim"].map { SyncConfig.Client(name: $0, token: Self.token($0)) }
        config.keys = keys
        var logger = Logger(label: "test.sync.\(site)")
        logger.logLevel = .critical
        let port = try await start(SyncServer(store: store, config: config, logger: logger))
        return Node(site: site, store: store, url: "http://127.0.0.1:\(port)", token: Self.token(site))
    }

    /// Runs `server` on a free loopback port until the test ends; returns the port.
    func start(_ server: SyncServer) async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let once = Once()
            servers.append(Task {
                do {
                    let app = try server.application(host: "127.0.0.1", port: 0) { bound in once.run { continuation.resume(returning: bound) } }
                    try await app.runService(gracefulShutdownSignals: [])
                } catch {
                    once.run { continuation.resume(throwing: error) }
                    throw error
                }
            })
        }
    }

    func appendOwn(_ store: LogStore, events: Int, seed: UInt64) throws {
        var traffic = SyntheticTraffic(site: store.site, seed: seed)
        traffic.start = Timestamp(ms: 1_772_438_400_000 + Int64(seed) * 1000)
        let batch = traffic.events(count: events).map { e -> Event in
            var e = e
            e.id = "\(seed)-" + e.id
            return e
        }
        _ = try store.append(batch)
    }

    func client(_ me: Node, keys: [String: [UInt8]]) -> SyncClient {
        var config = SyncConfig()
        config.keys = keys
        return SyncClient(store: me.store, config: config)
    }

    func peer(_ n: Node, as who: String) -> SyncConfig.Peer { SyncConfig.Peer(name: n.site, url: n.url, token: Self.token(who)) }

    func heads(_ store: LogStore) -> [String: String] {
        Dictionary(uniqueKeysWithValues: store.stats().map { ($0.site, "\($0.lastSeq):\($0.headHash)") })
    }

    func testRingConvergesWithAppendsBetweenRoundsAndProjectionsAgree() async throws {
        var nodes: [Node] = []
        for (i, s) in ["a", "b", "c"].enumerated() { nodes.append(try await node(s, events: 3000 + i * 700, seed: UInt64(i + 1))) }
        let keys = Dictionary(uniqueKeysWithValues: nodes.map { ($0.site, $0.store.publicKey) })
        // Ring: a pulls from b, b from c, c from a. Origins travel by relay.
        for round in 0..<4 {
            for (i, n) in nodes.enumerated() {
                let next = nodes[(i + 1) % 3]
                try await client(n, keys: keys).pull(from: peer(next, as: n.site))
            }
            if round < 2 { for (i, n) in nodes.enumerated() { try appendOwn(n.store, events: 500, seed: UInt64(10 + round * 3 + i)) } }
        }
        let expected = heads(nodes[0].store)
        XCTAssertEqual(expected.count, 3)
        for n in nodes { XCTAssertEqual(heads(n.store), expected, "node \(n.site) did not converge") }
        // Identical facts → identical projections on every node.
        var dumps: [String] = []
        for n in nodes {
            let engine = try ProjectionEngine(path: "\(root)/\(n.site).sqlite")
            try engine.catchUp(from: n.store)
            dumps.append(try engine.canonicalDump())
        }
        XCTAssertEqual(Set(dumps).count, 1)
        for n in nodes { XCTAssertTrue(try LogVerifier(directory: n.store.directory, publicKeys: keys).verify().isSound) }
    }

    func testStarConvergesThroughTheHub() async throws {
        let hub = try await node("hub", events: 100, seed: 1)
        let a = try await node("a", events: 2000, seed: 2), b = try await node("b", events: 2500, seed: 3)
        let keys = ["hub": hub.store.publicKey, "a": a.store.publicKey, "b": b.store.publicKey]
        // A catch-up says how far along it is; its last line is the whole of what the node lacked.
        let lines = LineBox()
        let first = try await client(hub, keys: keys).pull(from: peer(a, as: "hub"), progress: { lines.add($0) })
        XCTAssertEqual(first.events, 2000)
        XCTAssertEqual(lines.all.last?.hasPrefix("pulled from a 2000 of 2000 events (100%), "), true, "\(lines.all)")
        for _ in 0..<2 {
            for spoke in [a, b] { try await client(hub, keys: keys).pull(from: peer(spoke, as: "hub")) }
            for spoke in [a, b] { try await client(spoke, keys: keys).pull(from: peer(hub, as: spoke.site)) }
        }
        XCTAssertEqual(heads(a.store), heads(hub.store))
        XCTAssertEqual(heads(b.store), heads(hub.store))
        // Nothing new: a pull stores nothing.
        let again = try await client(a, keys: keys).pull(from: peer(hub, as: "a"))
        XCTAssertEqual(again.events, 0)
    }

    /// A long poll on the writer's store is answered by the append itself: the
    /// server does not look again on a timer (a writer's wait has none), so a
    /// pull that came back before its 30 s wait was woken by the append.
    func testALongPollIsAnsweredByTheAppend() async throws {
        let a = try await node("a", events: 10, seed: 1)
        let hub = try await node("hub", events: 0, seed: 2)
        let keys = ["a": a.store.publicKey, "hub": hub.store.publicKey]
        try await client(hub, keys: keys).pull(from: peer(a, as: "hub"))
        let waiting = client(hub, keys: keys), from = peer(a, as: "hub")
        let pull = Task { try await waiting.pull(from: from, waitMs: 30_000) }
        try await Task.sleep(for: .milliseconds(300))  // lets the pull reach its wait (order only; either way it must end)
        try appendOwn(a.store, events: 5, seed: 3)
        // A hang detector, not a timing: without the wake-up the pull would take the whole 30 s.
        let outcome = try await withThrowingTaskGroup(of: SyncClient.Report?.self) { group in
            group.addTask { try await pull.value }
            group.addTask { try await Task.sleep(for: .seconds(15)); return nil }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        let report = try XCTUnwrap(outcome, "the long poll was not woken by the append")
        XCTAssertEqual(report.events, 5)
        XCTAssertEqual(heads(hub.store)["a"], heads(a.store)["a"])
    }

    /// A block may hold up to 32 MiB compressed, more than one response's
    /// 16 MiB: the server sends such a block alone, and the client must take
    /// it, or replication of the origin stops at it for good.
    func testABlockLargerThanAResponseReplicates() async throws {
        let a = try await node("a", events: 10, seed: 1)
        let hub = try await node("hub", events: 0, seed: 2)
        let keys = ["a": a.store.publicKey, "hub": hub.store.publicKey]
        var base = SyntheticTraffic(site: "a", seed: 4).events(count: 1)[0]
        base.customer = nil
        // 480 events of 60,000 barely compressible characters: one block of about 22 MB.
        _ = try a.store.append(BulkyEvents.incompressible(480, like: base, seed: 9))
        let largest = try XCTUnwrap(a.store.snapshot(origin: "a")?.blocks.map(\.totalBytes).max())
        XCTAssertGreaterThan(largest, BlockFrames.responseBytesMax + (1 << 20), "the test needs a block larger than a response")
        for _ in 0..<3 { try await client(hub, keys: keys).pull(from: peer(a, as: "hub")) }
        XCTAssertEqual(heads(hub.store)["a"], heads(a.store)["a"])
    }

    /// A client that connects and sends half a request head, then nothing,
    /// held its socket for ever; many of them would take the descriptors
    /// the node's own log needs. The server closes such a connection once it
    /// has been idle its limit — and a long poll, a request in flight, is
    /// not cut by the same limit.
    func testAConnectionThatSendsHalfARequestIsClosedButALongPollIsNot() async throws {
        let store = try LogStore.create(directory: "\(root)/idle", site: "a")
        try appendOwn(store, events: 10, seed: 1)
        var config = SyncConfig()
        config.clients = [SyncConfig.Client(name: "hub", token: Self.token("hub"))]
        var server = SyncServer(store: store, config: config, logger: Logger(label: "test.idle"))
        server.idleSeconds = 1
        let port = try await start(server)
        let fd = Loopback.connect(port: UInt16(port))
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        _ = Array("GET /v1/heads HTTP/1.1\r\nHost: x\r\n".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // A hang detector, not a timing: the server closes the connection (read returns 0) well within 20 s.
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 20_000) == 1 else { return XCTFail("the half-sent request's connection is still open after 20 s") }
        var byte: UInt8 = 0
        XCTAssertEqual(read(fd, &byte, 1), 0, "the server closed the connection")
        // A long poll of 3 s, three times the idle limit, is answered, not cut.
        let a = Node(site: "a", store: store, url: "http://127.0.0.1:\(port)", token: Self.token("a"))
        let hub = try await node("hub", events: 0, seed: 2)
        let keys = ["a": store.publicKey]
        try await client(hub, keys: keys).pull(from: peer(a, as: "hub"))
        let report = try await client(hub, keys: keys).pull(from: peer(a, as: "hub"), waitMs: 3_000)
        XCTAssertEqual(report.events, 0)
    }

    func testNoTokenOrWrongTokenGets401AndReadsNothing() async throws {
        let a = try await node("a", events: 500, seed: 1)
        let me = try await node("b", events: 10, seed: 2)
        let before = heads(me.store)
        do {
            _ = try await client(me, keys: ["a": a.store.publicKey]).pull(from: SyncConfig.Peer(name: "a", url: a.url, token: "not-the-token-at-all"))
            XCTFail("a wrong token must be refused")
        } catch let e as SyncError {
            XCTAssertEqual(e.code, .unauthorized)
        }
        XCTAssertEqual(heads(me.store), before)
        for header in [nil, "Bearer ", "Basic " + Self.token("b"), "Bearer " + Self.token("b").dropLast()] as [String?] {
            var request = HTTPClientRequest(url: a.url + "/v1/blocks?cursors=")
            if let header { request.headers.add(name: "Authorization", value: String(header)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            XCTAssertEqual(response.status.code, 401, "header \(header ?? "none")")
            let body = try await response.body.collect(upTo: 1 << 20)
            XCTAssertFalse(body.readableBytesView.starts(with: Array("JBLK".utf8)), "no block is sent")
        }
    }

    func testForgedOriginIsRejectedAndNothingStored() async throws {
        // A rogue node writes a log it calls "a" with its own key; the victim pins the real a's key.
        let realA = try LogStore.create(directory: "\(root)/real-a", site: "a")
        let forger = try await node("a", events: 800, seed: 9, directory: "\(root)/forged-a")
        let victim = try await node("victim", events: 0, seed: 0)
        do {
            try await client(victim, keys: ["a": realA.publicKey]).pull(from: peer(forger, as: "victim"))
            XCTFail("a block signed by the wrong key must be refused")
        } catch let e as SyncError {
            XCTAssertEqual(e.code, .rejected)
            XCTAssertTrue(e.message.contains("not signed by the pinned key"), e.message)
        }
        XCTAssertNil(victim.store.stats().first { $0.site == "a" })
        // Unpinned origins are refused too.
        do {
            try await client(victim, keys: [:]).pull(from: peer(forger, as: "victim"))
            XCTFail("an origin without a pinned key must be refused")
        } catch let e as SyncError {
            XCTAssertTrue(e.message.contains("not pinned"), e.message)
        }
    }

    func testABlockAlteredByARelayingPeerIsRejected() async throws {
        let a = try await node("a", events: 1500, seed: 1)
        let keys = ["a": a.store.publicKey]
        // x relays a's log, then someone with access to x's disk rewrites a payload byte and fixes the CRC.
        let relayDir = "\(root)/x"
        let x0 = try LogStore.create(directory: relayDir, site: "x")
        try await SyncClient(store: x0, config: { var c = SyncConfig(); c.keys = keys; return c }()).pull(from: peer(a, as: "x"))
        x0.close()
        let segment = "\(relayDir)/logs/a/00000000000000000001.seg"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        let start = 21 + 1
        let total = try Array(bytes[start...]).withUnsafeBytes { try BlockHeader.parse($0).totalBytes }
        bytes[start + total - 20] ^= 0x10
        let crc = Checksum.crc32c(Array(bytes[start..<(start + total - 4)]))
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[start + total - 4 + i] = $0[i] } }
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        // The relay itself notices at open (the chain hash is recomputed for every block) and
        // serves nothing past the damage; a receiver would refuse the block on its own check too.
        let relay = try await node("x", events: 0, seed: 0, directory: relayDir)
        XCTAssertTrue(relay.store.damagedOrigins["a"]?.message.contains("chain hash does not match") ?? false,
                      "\(relay.store.damagedOrigins)")
        let altered = try Block(parsing: Array(bytes[start..<(start + total)]))
        XCTAssertThrowsError(try LogStore.create(directory: "\(root)/receiver", site: "victim2").appendReplicated(altered, publicKey: keys["a"])) {
            XCTAssertTrue("\($0)".contains("chain hash does not match"), "\($0)")
        }
        let victim = try await node("victim", events: 0, seed: 0)
        _ = try? await client(victim, keys: keys).pull(from: peer(relay, as: "victim"))
        XCTAssertNil(victim.store.stats().first { $0.site == "a" }, "nothing of the altered log is stored")
    }

    /// Node `a` with 1,000 events, and a `victim` node that has pulled them.
    func victimHoldingA() async throws -> (a: Node, victim: Node, keys: [String: [UInt8]]) {
        let a = try await node("a", events: 1000, seed: 1)
        let keys = ["a": a.store.publicKey]
        let victim = try await node("victim", events: 0, seed: 0)
        try await client(victim, keys: keys).pull(from: peer(a, as: "victim"))
        return (a, victim, keys)
    }

    func testAForkedChainIsRefusedAsADivergence() async throws {
        let (a, victim, keys) = try await victimHoldingA()
        // A copy of a's store (same key) that goes its own way: a fork of a's history.
        let forkDir = "\(root)/a-fork"
        try FileManager.default.copyItem(atPath: "\(root)/a", toPath: forkDir)
        try FileManager.default.copyItem(atPath: "\(root)/a", toPath: forkDir + "-longer")
        let fork = try await node("a", events: 300, seed: 77, directory: forkDir)
        let longerFork = try await node("a", events: 500, seed: 79, directory: forkDir + "-longer")
        // The real a goes on too, and the victim follows it.
        try appendOwn(a.store, events: 300, seed: 78)
        try await client(victim, keys: keys).pull(from: peer(a, as: "victim"))
        let before = heads(victim.store)
        XCTAssertEqual(before["a"], heads(a.store)["a"])
        // Same length as ours: the heads differ at the same seq.
        do {
            try await client(victim, keys: keys).pull(from: peer(fork, as: "victim"))
            XCTFail("a fork must be refused")
        } catch let e as SyncError {
            XCTAssertTrue(e.message.contains("holds a fork of 'a'"), e.message)
        }
        // Longer than ours: its blocks conflict with the history we hold.
        do {
            try await client(victim, keys: keys).pull(from: peer(longerFork, as: "victim"))
            XCTFail("a fork must be refused")
        } catch let e as SyncError {
            XCTAssertTrue(e.message.contains("fork"), e.message)
        }
        XCTAssertEqual(heads(victim.store), before, "nothing merged")
    }

    func testAClientLimitedToSomeOriginsReadsOnlyThose() async throws {
        let b = try await node("b", events: 400, seed: 2)
        let hubClients = [SyncConfig.Client(name: "victim", token: Self.token("victim"), origins: ["b"]),
                          SyncConfig.Client(name: "a", token: Self.token("a"))]
        let hub = try await node("hub", events: 300, seed: 1, clients: hubClients)
        try await client(hub, keys: ["b": b.store.publicKey]).pull(from: peer(b, as: "hub"))
        let victim = try await node("victim", events: 0, seed: 0)
        let r = try await client(victim, keys: ["b": b.store.publicKey, "hub": hub.store.publicKey]).pull(from: peer(hub, as: "victim"))
        XCTAssertEqual(Set(r.origins.keys), ["b"], "the hub's own origin is not readable by this client")
        let heads = try await client(victim, keys: [:]).heads(of: peer(hub, as: "victim"))
        XCTAssertEqual(heads.map(\.origin), ["b"])
    }
}

/// Runs a closure at most once (the server's start callback may race its failure).
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func run(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        body()
    }
}

/// Lines heard from a `@Sendable` callback.
final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
