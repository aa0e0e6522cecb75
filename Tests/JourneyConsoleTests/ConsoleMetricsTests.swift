import Foundation
import JourneyConsole
import JourneyLog
import JourneyModel
import JourneySync
import XCTest

/// `/metrics`: who may read it, that the exposition parses, and that a
/// peer's replication lag rises while it stops pulling and returns to 0
/// once it has caught up.
final class ConsoleMetricsTests: XCTestCase {
    /// Samples of a Prometheus text exposition: `name{labels}` → value. Fails on a line that is not a comment or a sample.
    func samples(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Double] {
        var out: [String: Double] = [:]
        for raw in text.split(separator: "\n") where !raw.hasPrefix("#") {
            let parts = raw.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else {
                XCTFail("not a sample: \(raw)", file: file, line: line); continue
            }
            let name = parts[0].prefix { $0 != "{" }
            XCTAssertTrue(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }, "metric name \(name)", file: file, line: line)
            out[String(parts[0])] = value
        }
        return out
    }

    func testMetricsParseAndReplicationLagRisesAndReturnsToZero() async throws {
        let bed = try await ConsoleTestBed(seed: 23)
        defer { Task { await bed.shutdown() } }
        let denied = try await bed.get("/metrics")
        XCTAssertEqual(denied.status, 401)
        let peerDenied = try await bed.get("/metrics", token: ConsoleTestBed.peerToken)
        XCTAssertEqual(peerDenied.status, 401)

        // A peer (its own store, north) pulls everything of east from this node.
        var options = LogOptions()
        options.durability = .none
        let north = try LogStore.create(directory: bed.directory + "/north", site: "north", options: options)
        defer { north.close() }
        var config = SyncConfig()
        config.keys = ["east": bed.store.publicKey]
        let peer = SyncConfig.Peer(name: "east", url: bed.server.url, token: ConsoleTestBed.peerToken)
        let client = SyncClient(store: north, config: config)
        _ = try? await client.pull(from: peer)  // west's blocks are refused: its key is not pinned here
        XCTAssertEqual(north.lastSeq(of: "east"), bed.store.lastSeq(of: "east"))

        let key = "journey_replication_lag_events{peer=\"peer\",origin=\"east\"}"
        let caughtUp = samples(try await bed.get("/metrics", token: ConsoleTestBed.metricsToken).body)
        XCTAssertEqual(caughtUp[key], 0, "caught up")
        XCTAssertNotNil(caughtUp["journey_log_head_seq{origin=\"east\"}"])
        XCTAssertEqual(caughtUp["journey_projection_lag_events{origin=\"east\"}"], 0)
        XCTAssertGreaterThan(caughtUp["journey_blocks_refused_total{peer=\"east\",origin=\"west\",reason=\"unpinned-key\"}"] ?? 0, 0)
        XCTAssertGreaterThan(caughtUp["journey_blocks_stored_total{peer=\"east\",origin=\"east\"}"] ?? 0, 0)
        // The peer's store syncs its segments (north is created with durability none, but creating a log syncs it).
        XCTAssertNotNil(caughtUp["journey_fsync_seconds_count"])
        XCTAssertTrue(caughtUp.keys.contains { $0.hasPrefix("hb_requests{http_route=\"/v1/blocks\"") }, "requests by route and status")

        // The peer stops; this node appends: the lag rises by what it appended.
        let at = Timestamp(ms: try await bed.host.read { $0.dataHorizon.ms } + 1000)
        let events = (0..<25).map { i in Event(site: "east", id: "lag-\(i)", at: Timestamp(ms: at.ms + Int64(i)), kind: .agentLogin, agent: "lag-agent-\(i)") }
        _ = try bed.store.append(events)
        let behind = samples(try await bed.get("/metrics", token: ConsoleTestBed.metricsToken).body)
        XCTAssertEqual(behind[key], 25)
        XCTAssertNotNil(behind["journey_replication_lag_seconds{peer=\"peer\",origin=\"east\"}"])

        // It pulls again: back to 0.
        _ = try? await client.pull(from: peer)
        let again = samples(try await bed.get("/metrics", token: ConsoleTestBed.metricsToken).body)
        XCTAssertEqual(again[key], 0)
        XCTAssertEqual(again["journey_replication_lag_seconds{peer=\"peer\",origin=\"east\"}"], 0)
    }
}
