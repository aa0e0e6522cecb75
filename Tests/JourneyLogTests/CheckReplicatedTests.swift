import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import XCTest

/// A batch of replicated blocks is checked on two threads before the blocks
/// are stored in order: each result is the block's own check, in the
/// batch's order, and only checked blocks can be stored.
final class CheckReplicatedTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-check-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func blocks(of store: LogStore) throws -> [Block] {
        let snap = try XCTUnwrap(store.snapshot(origin: store.site))
        return try snap.blocks.indices.map { try snap.block(at: $0) }
    }

    func testABatchIsCheckedBlockByBlockInOrderAndStoresAsBefore() throws {
        var options = LogOptions()
        options.durability = .none
        options.eventsPerBlock = 50
        let west = try LogStore.create(directory: root + "/west", site: "west", options: options)
        let south = try LogStore.create(directory: root + "/south", site: "south", options: options)
        _ = try west.append(SyntheticTraffic(site: "west", seed: 1).events(count: 600))
        _ = try south.append(SyntheticTraffic(site: "south", seed: 2).events(count: 600))
        let w = try blocks(of: west), s = try blocks(of: south)
        XCTAssertGreaterThan(w.count, 5)
        // Interleaved origins; only west's key is pinned, and south's is pinned as west's key's bytes (wrong).
        let batch = zip(w, s).flatMap { [$0, $1] }
        let node = try LogStore.create(directory: root + "/node", site: "hub", options: options)
        for keys in [["west": west.publicKey], ["west": west.publicKey, "south": west.publicKey],
                     ["west": west.publicKey, "south": south.publicKey]] {
            let results = node.checkReplicated(batch, keys: keys)
            XCTAssertEqual(results.count, batch.count)
            for (b, r) in zip(batch, results) {
                // Alone: a block without a pinned key is refused, as in the batch.
                let one = Result { () throws -> CheckedBlock in
                    guard let key = keys[b.header.origin] else { throw LogError(.badSignature, "no key") }
                    return try node.checkReplicated(b, publicKey: key)
                }
                switch (r, one) {
                case (.success(let x), .success(let y)):
                    XCTAssertEqual(x.block.header.chainHash, b.header.chainHash)
                    XCTAssertEqual(y.block.header.chainHash, b.header.chainHash)
                case (.failure, .failure): break
                default: XCTFail("\(b.header.origin) seq \(b.header.firstSeq): batch \(r), alone \(one)")
                }
                XCTAssertEqual((try? r.get()) != nil, b.header.origin == "west" || keys["south"] == south.publicKey,
                               "\(b.header.origin) with keys \(keys.keys.sorted())")
            }
        }
        // Stored in order from the batch's results, the node holds both logs as sent.
        for r in node.checkReplicated(batch, keys: ["west": west.publicKey, "south": south.publicKey]) {
            XCTAssertTrue(try node.appendReplicated(try r.get()))
        }
        XCTAssertEqual(node.snapshot(origin: "west")?.lastSeq, 600)
        XCTAssertEqual(node.snapshot(origin: "south")?.lastSeq, 600)
        XCTAssertEqual(node.snapshot(origin: "south")?.headHash, south.snapshot(origin: "south")?.headHash)
    }
}
