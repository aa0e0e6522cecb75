import JourneyModel
import JourneySync
import XCTest

/// The sync config written by `journey demo` is read back as it was written.
final class SyncConfigTests: XCTestCase {
    /// Seeded configs of every shape (with and without TLS, CA files and origin
    /// lists): parse(json(c)) == c, and writing twice gives the same bytes.
    func testWrittenConfigsReadBackUnchanged() throws {
        var rng = SplitMix64(seed: 7)
        func word(_ prefix: String) -> String { prefix + String(rng.next() % 100_000) }
        for _ in 0..<200 {
            var c = SyncConfig()
            c.listenHost = rng.next() % 2 == 0 ? "127.0.0.1" : "0.0.0.0"
            c.listenPort = Int(rng.next() % 65_536)
            if rng.next() % 3 == 0 { c.tlsCertificate = "/etc/journey/\(word("cert")).pem"; c.tlsKey = "/etc/journey/\(word("key")).pem" }
            for _ in 0..<Int(rng.next() % 4) {
                c.peers.append(SyncConfig.Peer(name: word("peer"), url: "https://\(word("host")).example:7400", token: word("token-0123456789abcdef-"),
                                               caCertificate: rng.next() % 2 == 0 ? nil : "/etc/journey/ca.pem"))
            }
            for _ in 0..<Int(rng.next() % 4) {
                let origins: Set<String>? = rng.next() % 2 == 0 ? nil : Set((0..<Int(rng.next() % 3)).map { _ in word("site") })
                c.clients.append(SyncConfig.Client(name: word("client"), token: word("secret-0123456789abcdef-"), origins: origins))
            }
            for _ in 0..<Int(rng.next() % 4) { c.keys[word("site")] = (0..<32).map { _ in UInt8(rng.next() % 256) } }
            let text = JSONWriter.string(c.json)
            XCTAssertEqual(try SyncConfig.parse(text), c, text)
            XCTAssertEqual(JSONWriter.string(try SyncConfig.parse(text).json), text)
        }
    }
}
