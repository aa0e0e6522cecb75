#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import JourneyLog
import JourneyModel
import JourneySync
import XCTest

extension SyncTests {
    /// Through a proxy that cuts, stalls, truncates, duplicates and flips bits:
    /// the nodes converge, with nothing lost, doubled or corrupted stored.
    func testConvergesThroughAFaultProxy() async throws {
        let a = try await node("a", events: 0, seed: 0)
        for s: UInt64 in 1...36 { try appendOwn(a.store, events: 500, seed: s) }
        let b = try await node("b", events: 4000, seed: 4)
        let hub = try await node("hub", events: 0, seed: 0)
        let keys = ["a": a.store.publicKey, "b": b.store.publicKey, "hub": hub.store.publicKey]
        try await client(hub, keys: keys).pull(from: peer(b, as: "hub"))
        let port = Int(a.url.split(separator: ":").last ?? "") ?? 0
        let proxy = try FaultProxy(upstreamPort: port, seed: 2026)
        defer { proxy.stop() }
        // A client of its own, so no pooled connection bypasses the proxy's faults.
        var httpConfig = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(3)))
        httpConfig.maximumUsesPerConnection = 1
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        var config = SyncConfig()
        config.keys = keys
        let victim = SyncClient(store: hub.store, config: config, http: http, responseBytes: 16_384)
        let viaProxy = SyncConfig.Peer(name: "a-via-proxy", url: "http://127.0.0.1:\(proxy.port)", token: Self.token("hub"))
        var failures = 0
        for _ in 0..<200 {
            do {
                try await victim.pull(from: viaProxy)
                if heads(hub.store)["a"] == heads(a.store)["a"] { break }
            } catch {
                failures += 1
            }
        }
        try await http.shutdown()
        XCTAssertEqual(heads(hub.store)["a"], heads(a.store)["a"], "did not converge through the faults")
        XCTAssertGreaterThan(failures, 0, "the proxy should have broken some pulls")
        XCTAssertGreaterThan(proxy.faultsInjected.filter { $0.key != .pass }.values.reduce(0, +), 10, "\(proxy.faultsInjected)")
        // Every event of a is stored once, in order, and the stored log verifies.
        var seqs: [UInt64] = []
        try hub.store.forEachEvent(origin: "a") { seqs.append($0.seq); return true }
        XCTAssertEqual(seqs, Array(1...UInt64(18_000)))
        XCTAssertTrue(try LogVerifier(directory: hub.store.directory, publicKeys: keys).verify().isSound)
    }

    /// The path of the built `journey` executable.
    func journeyBinary() throws -> String {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("journey").path,
                          repo.appendingPathComponent(".build/debug/journey").path,
                          Bundle.main.bundleURL.appendingPathComponent("journey").path]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "the journey executable was not built next to the tests"])
    }

    /// `journey sync` killed with SIGKILL in the middle of a pull, then run
    /// again: no gap, no duplicate, and the store opens with no manual step.
    func testSyncKilledMidPullResumesWithoutGapOrDuplicate() async throws {
        let a = try await node("a", events: 0, seed: 0)
        for s: UInt64 in 1...48 { try appendOwn(a.store, events: 5_000, seed: s) }
        let binary = try journeyBinary()
        let dir = "\(root)/puller"
        _ = try LogStore.create(directory: dir, site: "puller")
        let config = #"{"peers":[{"name":"a","url":"\#(a.url)","token":"\#(Self.token("victim"))"}],"keys":{"a":"\#(Checksum.hex(a.store.publicKey))"}}"#
        try config.write(toFile: dir + "/sync.json", atomically: true, encoding: .utf8)
        let segment = dir + "/logs/a/00000000000000000001.seg"
        func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int) ?? 0 }
        /// Runs `journey sync`; with `killAt`, SIGKILLs it once its segment has grown past that many bytes.
        func run(killAt: Int?) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["sync", "--data", dir]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if let killAt {
                let start = Date()
                while p.isRunning && size() < killAt && Date().timeIntervalSince(start) < 30 { usleep(200) }
                kill(p.processIdentifier, SIGKILL)
            }
            p.waitUntilExit()
            return p.terminationStatus
        }
        var killedMidway = 0
        for threshold in [400_000, 1_500_000, 2_600_000] {
            _ = try run(killAt: threshold)
            let got = (try LogStore.openReadOnly(directory: dir)).stats().first { $0.site == "a" }?.events ?? 0
            if got > 0 && got < 240_000 { killedMidway += 1 }
        }
        XCTAssertGreaterThan(killedMidway, 0, "kills should land in the middle of the transfer")
        XCTAssertEqual(try run(killAt: nil), 0)
        let store = try LogStore.openReadOnly(directory: dir)
        var seqs: [UInt64] = []
        var ids = Set<String>()
        try store.forEachEvent(origin: "a") { e in seqs.append(e.seq); ids.insert(e.id); return true }
        XCTAssertEqual(seqs, Array(1...UInt64(240_000)))
        XCTAssertEqual(ids.count, 240_000)
        XCTAssertEqual(heads(store)["a"], heads(a.store)["a"])
    }

    /// A follower replicates each new block while it follows (long polls).
    func testFollowReplicatesEveryNewBlock() async throws {
        let a = try await node("a", events: 1000, seed: 1)
        let hub = try await node("hub", events: 0, seed: 0)
        let c = client(hub, keys: ["a": a.store.publicKey])
        let stopFlag = StopFlag()
        let source = peer(a, as: "hub")
        let follower = Task { await c.follow([source], waitMs: 1500, stop: { stopFlag.stopped }) }
        defer { stopFlag.stop(); follower.cancel() }
        for round in 0..<5 {
            try await Task.sleep(for: .milliseconds(200))
            try appendOwn(a.store, events: 200, seed: UInt64(100 + round))
            let target = a.store.stats().first { $0.site == "a" }?.lastSeq ?? 0
            let start = Date()
            while (hub.store.snapshot(origin: "a")?.lastSeq ?? 0) < target && Date().timeIntervalSince(start) < 5 {
                try await Task.sleep(for: .milliseconds(5))
            }
            // Convergence is the behaviour under test; how fast is measured by `journey bench sync` (lag p99).
            XCTAssertEqual(hub.store.snapshot(origin: "a")?.lastSeq, target, "round \(round): not replicated")
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var stopped: Bool { lock.withLock { value } }
    func stop() { lock.withLock { value = true } }
}

extension SyncTests {
    /// With a certificate and key configured the server speaks HTTPS, and a
    /// peer that trusts that certificate syncs over it; plain HTTP gets nothing.
    func testSyncOverTLS() async throws {
        let tlsDir = "\(root)/tls"
        try FileManager.default.createDirectory(atPath: tlsDir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                       "-keyout", "\(tlsDir)/key.pem", "-out", "\(tlsDir)/cert.pem"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "openssl could not make a test certificate")
        let source = try LogStore.create(directory: "\(root)/tls-a", site: "a")
        try appendOwn(source, events: 2000, seed: 1)
        var config = SyncConfig()
        config.clients = [.init(name: "hub", token: Self.token("hub"))]
        config.tlsCertificate = "\(tlsDir)/cert.pem"
        config.tlsKey = "\(tlsDir)/key.pem"
        let port = try await start(SyncServer(store: source, config: config))
        let hub = try LogStore.create(directory: "\(root)/tls-hub", site: "hub")
        var clientConfig = SyncConfig()
        clientConfig.keys = ["a": source.publicKey]
        let c = SyncClient(store: hub, config: clientConfig)
        let secure = SyncConfig.Peer(name: "a", url: "https://127.0.0.1:\(port)", token: Self.token("hub"), caCertificate: "\(tlsDir)/cert.pem")
        let r = try await c.pull(from: secure)
        XCTAssertEqual(r.events, 2000)
        do {
            try await c.pull(from: SyncConfig.Peer(name: "a-plain", url: "http://127.0.0.1:\(port)", token: Self.token("hub")))
            XCTFail("plain HTTP to a TLS server must fail")
        } catch let e as SyncError {
            XCTAssertEqual(e.code, .transport)
        }
    }
}
