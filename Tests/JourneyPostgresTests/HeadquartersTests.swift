import Foundation
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyPostgres
import JourneyProjections
import JourneySimulation
import JourneySync
import JourneyTestSupport
import Synchronization
import XCTest

/// The whole scenario, on real sockets and a real PostgreSQL: three
/// centres serve their logs; a headquarters node follows them (`serve
/// --follow --project-to`) and keeps a PostgreSQL projection current as
/// their events arrive, equal to a projection rebuilt from scratch.
final class HeadquartersTests: PostgresTestCase {

    func testAHeadquartersNodeFollowingThreeCentresKeepsPostgreSQLCurrent() async throws {
        let sites = ["north", "south", "central"]
        var config = SimulationConfig(sites: sites, seed: 21, days: 2)
        config.agentsPerSite = 8
        config.contactsPerDay = 150
        config.customersPerSite = 200
        var events: [String: [Event]] = [:]
        try Simulator(config: config).run { site, batch in events[site, default: []] += batch }
        var centres: [String: LogStore] = [:]
        var servers: [RunningServer] = []
        var hqConfig = SyncConfig()
        hqConfig.listenPort = 0
        hqConfig.clients = [.init(name: "viewer", token: "viewer-token")]
        for site in sites {
            let store = try LogStore.create(directory: "\(dir)/\(site)", site: site)
            // The first half now, the rest while headquarters follows.
            let all = events[site, default: []]
            _ = try store.append(Array(all.prefix(all.count / 2)))
            centres[site] = store
            var serve = SyncConfig()
            serve.clients = [.init(name: "hq", token: "hq-token-\(site)")]
            let server = try await RunningServer.start(SyncServer(store: store, config: serve))
            servers.append(server)
            hqConfig.peers.append(.init(name: site, url: server.url, token: "hq-token-\(site)"))
            hqConfig.keys[site] = store.publicKey
        }
        defer { for s in servers { s.stop() }; for c in centres.values { c.close() } }
        try LogStore.create(directory: "\(dir)/hq", site: "hq").close()
        let target = try await database()
        let projection = PostgresProjection(target: target)
        let node = Node(directory: DataDirectory("\(dir)/hq"))
        let rounds = Atomic<Int>(0)
        let headquarters = Task {
            try await node.serve(hqConfig, follow: true, projectTo: projection, bound: { _, _ in }, pulled: { _, _ in },
                                 projected: { _ in rounds.add(1, ordering: .relaxed) })
        }
        defer { headquarters.cancel() }

        func heads() -> [String: UInt64] { Dictionary(uniqueKeysWithValues: sites.map { ($0, centres[$0]?.lastSeq(of: $0) ?? 0) }) }
        func waitUntilCurrent(_ context: String) async throws {
            let deadline = ContinuousClock.now + .seconds(180)
            var held: [String: UInt64] = [:]
            while ContinuousClock.now < deadline {
                held = try await projection.positions().filter { $0.value > 0 }
                if held == heads() { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            XCTFail("\(context): the database holds \(held), the centres \(heads())")
        }
        try await waitUntilCurrent("first half")
        for site in sites {
            let all = events[site, default: []]
            _ = try centres[site]?.append(Array(all.dropFirst(all.count / 2)))
        }
        try await waitUntilCurrent("all of it")
        XCTAssertGreaterThan(rounds.load(ordering: .relaxed), 1, "followed in several rounds")
        headquarters.cancel()
        _ = await headquarters.result

        // Equal to a projection built from scratch from what headquarters holds.
        let hq = try LogStore.open(directory: "\(dir)/hq", options: { var o = LogOptions(); o.readOnly = true; return o }())
        defer { hq.close() }
        let fresh = try ProjectionEngine(path: dir + "/fresh.sqlite")
        _ = try fresh.rebuild(from: hq)
        let differences = try await projection.differences(from: fresh)
        XCTAssertEqual(differences, [])
        let sitesAnswer = try await PostgresReader(target: target).query(.sites(ProjectionQuery.Filter()))
        XCTAssertEqual(JSONWriter.string(sitesAnswer.json), JSONWriter.string(try fresh.query(.sites(ProjectionQuery.Filter())).json))
        XCTAssertEqual(sitesAnswer.rows.count, 3)
    }
}
