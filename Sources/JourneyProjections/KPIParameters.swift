import JourneyModel

/// The parameters of every KPI definition (docs/kpi-definitions.md), in one
/// place. A projection records the parameters it was built with; opening it
/// with different ones rebuilds it, so figures never mix definitions.
///
/// Read from `DATA/kpi.json` when present (see `config/kpi.example.json`),
/// otherwise the defaults below.
public struct KPIParameters: Sendable, Equatable {
    /// Service level threshold T: answered within T counts as in service level.
    public var serviceLevelSeconds = 20
    /// Abandons faster than this are short abandons, left out of SL and abandon rate.
    public var shortAbandonSeconds = 5
    /// Repeat window W: a contact of the same customer starting within W after one ended is a repeat.
    public var repeatWindowHours = 72
    /// Self-service containment window.
    public var containmentWindowHours = 24
    /// Length of the site × queue × interval rows: 15 or 30.
    public var intervalMinutes = 30
    /// Legacy: a fixed UTC offset per site, in minutes, for sites that have
    /// recorded no time zone (`journey init --time-zone` / `journey site
    /// --time-zone` record a DST-aware zone in the site's log, which wins).
    public var siteUTCOffsetMinutes: [String: Int] = [:]

    public init() {}

    /// The repeat window W in ms.
    public var repeatWindowMs: Int64 { Int64(repeatWindowHours) * 3_600_000 }
    /// The interval length in ms.
    public var intervalMs: Int64 { Int64(intervalMinutes) * 60_000 }


    /// The canonical JSON of the parameters (what a projection records).
    public var json: String {
        var offsets = JSONObject()
        for k in siteUTCOffsetMinutes.keys.sorted() { offsets[k] = .integer(Int64(siteUTCOffsetMinutes[k] ?? 0)) }
        return JSONWriter.string(.object([
            "serviceLevelSeconds": .integer(Int64(serviceLevelSeconds)), "shortAbandonSeconds": .integer(Int64(shortAbandonSeconds)),
            "repeatWindowHours": .integer(Int64(repeatWindowHours)), "containmentWindowHours": .integer(Int64(containmentWindowHours)),
            "intervalMinutes": .integer(Int64(intervalMinutes)), "siteUTCOffsetMinutes": .object(offsets),
        ]))
    }

    /// Parses a `kpi.json`; unknown keys and bad values are errors naming the key.
    public static func parse(_ text: String) throws -> KPIParameters {
        guard case .object(let o) = try JSONParser.parse(text) else { throw ProjectionError("kpi.json must be a JSON object") }
        var p = KPIParameters()
        for m in o.members {
            func int(_ range: ClosedRange<Int>) throws -> Int {
                guard let v = m.value.intValue, range.contains(Int(v)) else {
                    throw ProjectionError("kpi.json '\(m.key)' must be a whole number in \(range.lowerBound)…\(range.upperBound)")
                }
                return Int(v)
            }
            switch m.key {
            case "serviceLevelSeconds": p.serviceLevelSeconds = try int(1...3600)
            case "shortAbandonSeconds": p.shortAbandonSeconds = try int(0...600)
            case "repeatWindowHours": p.repeatWindowHours = try int(1...24 * 60)
            case "containmentWindowHours": p.containmentWindowHours = try int(1...24 * 30)
            case "intervalMinutes":
                p.intervalMinutes = try int(15...30)
                guard p.intervalMinutes == 15 || p.intervalMinutes == 30 else { throw ProjectionError("kpi.json 'intervalMinutes' must be 15 or 30") }
            case "siteUTCOffsetMinutes":
                guard case .object(let sites) = m.value else { throw ProjectionError("kpi.json 'siteUTCOffsetMinutes' must map site ids to minutes") }
                for s in sites.members {
                    guard let v = s.value.intValue, abs(v) <= 14 * 60 else { throw ProjectionError("kpi.json 'siteUTCOffsetMinutes.\(s.key)' must be minutes within ±840") }
                    p.siteUTCOffsetMinutes[s.key] = Int(v)
                }
            default:
                throw ProjectionError("kpi.json has an unknown key '\(m.key)'; see docs/kpi-definitions.md")
            }
        }
        return p
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
