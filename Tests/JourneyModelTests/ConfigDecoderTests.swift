import JourneyModel
import XCTest

/// The one mechanism configs are decoded by: Codable over this module's
/// JSON parser, with faults named by their key path.
final class ConfigDecoderTests: XCTestCase {
    struct Inner: Decodable, Equatable {
        enum CodingKeys: String, CodingKey, CaseIterable { case n, ok }
        var n: Int
        var ok: Bool?
    }

    struct Outer: Decodable, Equatable {
        enum CodingKeys: String, CodingKey, CaseIterable { case name, ratio, items, byName, big }
        var name: String
        var ratio: Double?
        var items: [Inner]?
        var byName: [String: Int]?
        var big: Int64?
    }

    func testAWellFormedConfigDecodes() throws {
        let o = try ConfigDecoder.decode(Outer.self, from: #"{"name":"x","ratio":0.25,"items":[{"n":1},{"n":2,"ok":true}],"byName":{"a":3},"big":9007199254740993}"#)
        XCTAssertEqual(o, Outer(name: "x", ratio: 0.25, items: [Inner(n: 1, ok: nil), Inner(n: 2, ok: true)], byName: ["a": 3], big: 9_007_199_254_740_993))
        XCTAssertEqual(try ConfigDecoder.decode(Outer.self, from: #"{"name":"x","ratio":1}"#).ratio, 1)
    }

    func testFaultsAreNamedByTheirPath() {
        let cases: [(String, String)] = [
            (#"{"ratio":1}"#, "'name' is missing"),
            (#"{"name":1}"#, "'name' must be text"),
            (#"{"name":"x","ratio":"high"}"#, "'ratio' must be a number"),
            (#"{"name":"x","items":[{"n":1},{"n":1.5}]}"#, "'items[1].n' must be a whole number"),
            (#"{"name":"x","items":[{"n":1},{"n":2,"ok":"yes"}]}"#, "'items[1].ok' must be true or false"),
            (#"{"name":"x","items":{"n":1}}"#, "'items' must be a list"),
            (#"{"name":"x","items":[3]}"#, "'items[0]' must be an object"),
            (#"{"name":"x","byName":{"a":"three"}}"#, "'byName.a' must be a whole number"),
            (#"{"name":"x","items":[{"n":1,"m":2}]}"#, "unknown key 'items[0].m'; the keys here are n, ok"),
            (#"{"name":"x","name":"y"}"#, "'name' is given twice"),
            (#"{"name":"x","big":1e400}"#, "'big' must be a whole number"),
            (#"{"name":"x""#, "is not valid JSON at byte"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ConfigDecoder.decode(Outer.self, from: text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }
}
