#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyLog
import JourneyModel
import JourneySync
import XCTest

extension SyncTests {
    /// A node's own log damaged on disk is restored by `journey repair` from
    /// a peer's replica, byte for byte, and verifies sound afterwards.
    func testRepairRestoresTheOwnLogFromAPeerOverTheNetwork() async throws {
        let binary = try journeyBinary()
        let a = try await node("a", events: 0, seed: 0)
        for s: UInt64 in 1...6 { try appendOwn(a.store, events: 2_000, seed: s) }
        let keys = ["a": a.store.publicKey]
        let hub = try await node("hub", events: 500, seed: 9)
        try await client(hub, keys: keys).pull(from: peer(a, as: "hub"))
        var before: [String] = []
        try a.store.forEachEvent(origin: "a") { before.append($0.id); return true }
        a.store.close()
        let seg = "\(root)/a/logs/a/00000000000000000001.seg"
        let original = try Data(contentsOf: URL(fileURLWithPath: seg))
        var damaged = original
        damaged[damaged.count / 3] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: seg))
        let config = #"{"peers":[{"name":"hub","url":"\#(hub.url)","token":"\#(Self.token("a"))"}],"keys":{"a":"\#(Checksum.hex(a.store.publicKey))","hub":"\#(Checksum.hex(hub.store.publicKey))"}}"#
        try config.write(toFile: "\(root)/a/sync.json", atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let (verifyStatus, _) = try run(["verify", "--data", "\(root)/a"])
        XCTAssertEqual(verifyStatus, 4)
        let (status, text) = try run(["repair", "--data", "\(root)/a"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("repaired"), text)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: seg)), original, "the segment is byte-identical again")
        let (after, report) = try run(["verify", "--data", "\(root)/a"])
        XCTAssertEqual(after, 0, report)
        let reopened = try LogStore.openReadOnly(directory: "\(root)/a")
        var back: [String] = []
        try reopened.forEachEvent(origin: "a") { back.append($0.id); return true }
        XCTAssertEqual(back, before)
    }

    /// A peer behind us on another history of an origin is reported as a fork.
    func testAForkedPeerThatIsBehindIsReported() async throws {
        let (a, victim, keys) = try await victimHoldingA()
        let forkDir = "\(root)/a-fork"
        try FileManager.default.copyItem(atPath: "\(root)/a", toPath: forkDir)
        try FileManager.default.removeItem(atPath: forkDir + "/journey.lock")
        let fork = try await node("a", events: 100, seed: 77, directory: forkDir)
        try appendOwn(a.store, events: 300, seed: 78)
        try await client(victim, keys: keys).pull(from: peer(a, as: "victim"))
        do {
            try await client(victim, keys: keys).pull(from: peer(fork, as: "victim"))
            XCTFail("a fork that is behind must be reported")
        } catch let e as SyncError {
            XCTAssertTrue(e.message.contains("holds a fork of 'a'") && e.message.contains("behind"), e.message)
        }
    }

    /// A refused origin stops only that origin: the others are still pulled.
    func testARefusedOriginDoesNotStopTheOthers() async throws {
        let a = try await node("a", events: 800, seed: 1)
        let b = try await node("b", events: 900, seed: 2)
        let hub = try await node("hub", events: 0, seed: 0)
        let keys = ["a": a.store.publicKey, "b": b.store.publicKey]
        try await client(hub, keys: keys).pull(from: peer(a, as: "hub"))
        try await client(hub, keys: keys).pull(from: peer(b, as: "hub"))
        // The victim pins a wrong key for 'a': every block of a is refused, b must still arrive.
        let victim = try await node("victim", events: 0, seed: 0)
        var wrong = keys
        wrong["a"] = SiteKey().publicKey
        do {
            try await client(victim, keys: wrong).pull(from: peer(hub, as: "victim"))
            XCTFail("a's blocks must be refused")
        } catch let e as SyncError {
            XCTAssertEqual(e.code, .rejected)
            XCTAssertTrue(e.message.contains("'a'"), e.message)
        }
        XCTAssertEqual(victim.store.snapshot(origin: "b")?.lastSeq, 900, "b was pulled despite a's refusal")
        XCTAssertEqual(victim.store.snapshot(origin: "a")?.lastSeq ?? 0, 0)
    }
}
