import JourneyModel
import JourneySimulation

/// Random event contents for properties over the log's formats: scalars of
/// every kind, text of every width (both spellings of accents, CJK, emoji),
/// nesting up to a depth and around the JSON bound. Deterministic per seed.
public enum RandomValues {
    /// A random value: scalars of every kind, text of every width, and arrays and objects up to `depth` deep.
    public static func value(_ rng: inout SplitMix64, depth: Int, wide: Bool) -> JSONValue {
        let pick = depth > 0 ? rng.next() % 8 : rng.next() % 6
        switch pick {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .integer(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))
        case 3: return .number(["1.5", "-0", "2e10", "-3.25E-7"][Int(rng.next() % 4)])
        case 4, 5: return .string(text(&rng, wide: wide))
        case 6: return .array((0..<Int(rng.next() % 4)).map { _ in value(&rng, depth: depth - 1, wide: wide) })
        default:
            return .object(JSONObject((0..<Int(rng.next() % 4)).map { _ in
                JSONObject.Member(text(&rng, wide: false), value(&rng, depth: depth - 1, wide: wide))
            }))
        }
    }

    /// Text of 0–40 characters (ASCII, accented in both spellings, CJK, emoji), or with `wide` up to 3,000 random ones.
    public static func text(_ rng: inout SplitMix64, wide: Bool) -> String {
        let pieces = ["a", "Z", "7", "-", "é", "e\u{301}", "東", "🙂", " ", "\""]
        let n = wide ? Int(rng.next() % 3_000) : Int(rng.next() % 40)
        return String((0..<n).map { _ in
            wide ? Character(Unicode.Scalar(UInt8(33 + rng.next() % 90))) : Character(pieces[Int(rng.next() % UInt64(pieces.count))])
        })
    }

    /// A round of `count` events of `site` (some of which a store refuses:
    /// nested past the bound): in `round % 3 == 1` many distinct or barely
    /// compressible strings, in `round % 3 == 2` chains of 58–67 levels.
    public static func events(_ rng: inout SplitMix64, round: Int, count: Int, site: String = "north") -> [Event] {
        var base = SyntheticTraffic(site: site, seed: 3).events(count: 1)[0]
        base.site = site
        let wide = round % 3 == 1
        let deep = round % 3 == 2 ? JSONParser.depthMax + 2 : 6
        return (0..<count).map { i in
            var e = base
            e.id = "r\(round)-\(i)-" + text(&rng, wide: false)
            e.data = JSONObject((0..<Int(rng.next() % 12)).map { _ in
                JSONObject.Member(text(&rng, wide: false), value(&rng, depth: Int(rng.next() % UInt64(deep)), wide: wide))
            })
            if rng.next() % 4 == 0 { e.extra = ["x-" + text(&rng, wide: false): value(&rng, depth: Int(rng.next() % UInt64(deep)), wide: wide)] }
            if round % 3 == 2, rng.next() % 4 == 0 {
                // A chain around the bound: 58–67 levels of arrays and objects mixed.
                var chain = value(&rng, depth: 0, wide: false)
                for _ in 0..<(58 + Int(rng.next() % 10)) { chain = rng.next() % 2 == 0 ? .array([chain]) : .object(["k": chain]) }
                e.data.members.append(JSONObject.Member("chain", chain))
            }
            return e
        }
    }
}
