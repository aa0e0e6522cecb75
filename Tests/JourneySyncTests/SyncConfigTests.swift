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

    /// Every fault in a config is named by its key path, whatever its depth.
    func testEachFaultIsNamedByItsPath() {
        let token = String(repeating: "t", count: SyncConfig.tokenLengthMin)
        let peer = #"{"name":"a","url":"http://a:1","token":"x"}"#
        let cases: [(String, String)] = [
            (#"{"listen":"nowhere"}"#, "'listen' must be HOST:PORT"),
            (#"{"listen":7400}"#, "'listen' must be text"),
            (#"{"peers":[\#(peer),{"url":"ftp://b","token":"x"}]}"#, "'peers[1].url' must start with http:// or https://"),
            (#"{"peers":[\#(peer),{"url":"http://b:1"}]}"#, "'peers[1].token' is missing"),
            (#"{"peers":[{"url":"http://b:1","token":"x","colour":"red"}]}"#, "unknown key 'peers[0].colour'"),
            (#"{"clients":[{"token":"\#(token)"},{"token":"short"}]}"#, "'clients[1].token' is shorter than"),
            (#"{"clients":[{"token":"\#(token)","origins":"north"}]}"#, "'clients[0].origins' must be a list"),
            (#"{"keys":{"north":"00"}}"#, "'keys.north' must be the 64 hex digits"),
            (#"{"tls":{"certificate":"c.pem"}}"#, "'tls.key' is missing"),
            (#"{"listen":"a:1","listen":"b:2"}"#, "'listen' is given twice"),
            (#"{"peer":[]}"#, "unknown key 'peer'; the keys here are clients, keys, listen, peers, tls"),
            (#"[1]"#, "must be an object"),
            (#"{"listen":"#, "is not valid JSON at byte"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try SyncConfig.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
                XCTAssertEqual((error as? SyncError)?.code, .config, text)
            }
        }
    }
}
