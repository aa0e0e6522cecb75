import JourneyLog
import JourneyModel
import JourneySync

/// Replication as this node sees it: every origin's head here and at each
/// peer, how many events this node lags behind (or leads), origins refused
/// at open, blocks refused when pulling, and divergence alarms (the same seq
/// with another head hash).
struct ReplicationPage: Sendable {
    struct Head: Sendable {
        var seq: UInt64
        var hash: String
    }
    var site: String
    var here: [String: Head]
    var projected: [String: UInt64]
    var refused: [String: String]
    var peers: [String]
    var peerHeads: [String: [String: (seq: UInt64, hash: String)]]
    var unreachable: [String: String]
    /// The peers that pull from this node: per origin, events they lack and seconds since they were caught up.
    var pulling: [(peer: String, origin: String, events: UInt64, seconds: Double)]
    /// Blocks refused when pulling, since this process started.
    var refusedBlocks: [(peer: String, origin: String, reason: String, blocks: Int)]

    /// This node's heads and its peers', asked now.
    static func read(_ server: ConsoleServer) async -> ReplicationPage {
        let store = server.host.store
        var here: [String: Head] = [:]
        for origin in store.origins {
            guard let snap = store.snapshot(origin: origin) else { continue }
            here[origin] = Head(seq: snap.lastSeq, hash: snap.lastSeq == 0 ? "" : Checksum.hex(snap.headHash))
        }
        let (heads, unreachable) = await server.node.peerHeads(server.config, store: store)
        return ReplicationPage(site: store.site, here: here, projected: await server.host.positions,
                               refused: store.damagedOrigins.mapValues { "\($0)" }, peers: server.config.peers.map(\.name),
                               peerHeads: heads, unreachable: unreachable, pulling: server.tracker.lag(heads: here.mapValues(\.seq)),
                               refusedBlocks: SyncClient.refusedBlocks)
    }

    /// Each pair (peer, origin) whose head hash differs from ours at the same seq.
    var divergences: [(peer: String, origin: String)] {
        peerHeads.keys.sorted().flatMap { peer in
            (peerHeads[peer] ?? [:]).keys.sorted().compactMap { origin -> (peer: String, origin: String)? in
                guard let theirs = peerHeads[peer]?[origin], let ours = here[origin], theirs.seq == ours.seq, theirs.hash != ours.hash else { return nil }
                return (peer, origin)
            }
        }
    }

    var content: HTML {
        let origins = Set(here.keys).union(peerHeads.values.flatMap(\.keys)).sorted()
        let columns = ["origin", "here (seq)", "head hash", "projected"] + peers.map { "\($0) (seq)" } + peers.map { "behind \($0)" }
        let rows = origins.map { origin -> [HTML] in
            let ours = here[origin]
            var cells: [HTML] = ["\(origin)", "\(ours.map { String($0.seq) } ?? "—")", "<code>\(String((ours?.hash ?? "").prefix(16)))</code>",
                                 "\(projected[origin].map(String.init) ?? "—")"]
            cells += peers.map { peer -> HTML in
                unreachable[peer] != nil ? "unreachable" : "\(peerHeads[peer]?[origin].map { String($0.seq) } ?? "—")"
            }
            cells += peers.map { peer -> HTML in
                guard let theirs = peerHeads[peer]?[origin] else { return "—" }
                let behind = Int64(clamping: theirs.seq) - Int64(clamping: ours?.seq ?? 0)
                return behind > 0 ? "<span class=\"flag\">\(behind) events</span>" : "0"
            }
            return cells
        }
        var alarms: [HTML] = divergences.map { d in
            "<li class=\"flag\">\(d.peer) holds \(d.origin) at the same seq with another head hash: the logs diverged. Run <code>journey verify</code> on both and see docs/sync-protocol.md.</li>"
        }
        alarms += refused.keys.sorted().map { origin in "<li class=\"flag\">origin \(origin) refused at open: \(refused[origin] ?? "")</li>" }
        alarms += refusedBlocks.map { r in
            "<li class=\"flag\">\(r.blocks) block(s) of \(r.origin) from \(r.peer) refused since this node started: \(r.reason)</li>"
        }
        alarms += unreachable.keys.sorted().map { peer in "<li>peer \(peer) could not be asked: \(unreachable[peer] ?? "")</li>" }
        let alarmList: HTML = alarms.isEmpty ? "<p>No alarms: no divergence, no refused origin, every peer answered.</p>" : "<ul id=\"alarms\">\(alarms)</ul>"
        let numeric = Set([1, 3] + peers.indices.map { 4 + $0 } + peers.indices.map { 4 + peers.count + $0 })
        return """
            <h1>Replication at \(site)</h1>
            <p>Every origin's last seq in this node's store, in its projection, and at each peer this node pulls from.</p>
            \(Layout.table(columns, rows, numeric: numeric))
            <h2>Peers pulling from this node</h2>
            \(pullingTable)
            <h2>Alarms</h2>
            \(alarmList)
            \(Layout.command("journey status"))
            \(Layout.stamp(positions: projected, horizon: nil))
            """
    }
}

extension ReplicationPage {
    /// Each peer that pulled from this node since it started: what it lacks of each origin.
    var pullingTable: HTML {
        guard !pulling.isEmpty else { return "<p>No peer has pulled from this node since it started.</p>" }
        let rows = pulling.map { l -> [HTML] in
            ["\(l.peer)", "\(l.origin)", l.events > 0 ? "<span class=\"flag\">\(Int64(clamping: l.events))</span>" : "0",
             "\(HTML.decimal(l.seconds, digits: 1))"]
        }
        return Layout.table(["peer", "origin", "events behind", "seconds behind"], rows, numeric: [2, 3],
                            caption: "As of each peer's last pull request; seconds since it last held everything this node has.")
    }
}

extension ConsoleServer {
    /// `/replication`.
    func replication(_ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, [])
        let page = await ReplicationPage.read(self)
        return PageContent(title: "Replication", site: page.site, content: page.content, liveEveryMs: 2_000)
    }
}
