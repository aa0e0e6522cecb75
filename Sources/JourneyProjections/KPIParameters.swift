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

    /// The default parameters (SL 20 s, short abandon 5 s, W 72 h, containment 24 h, 30-minute intervals).
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
        do {
            return try ConfigDecoder.decode(KPIParameters.self, from: text)
        } catch let e as ConfigDecoder.Failure {
            throw ProjectionError(.config, "kpi.json \(e); see docs/kpi-definitions.md")
        }
    }
}

extension KPIParameters: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case serviceLevelSeconds, shortAbandonSeconds, repeatWindowHours, containmentWindowHours, intervalMinutes, siteUTCOffsetMinutes
    }

    /// Reads the keys `kpi.json` gives over the defaults, each in its range.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func int(_ key: CodingKeys, _ range: ClosedRange<Int>, _ fallback: Int) throws -> Int {
            guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return fallback }
            guard range.contains(v) else {
                throw ConfigDecoder.Failure(path: key.stringValue, message: "must be a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return v
        }
        serviceLevelSeconds = try int(.serviceLevelSeconds, 1...3600, serviceLevelSeconds)
        shortAbandonSeconds = try int(.shortAbandonSeconds, 0...600, shortAbandonSeconds)
        repeatWindowHours = try int(.repeatWindowHours, 1...24 * 60, repeatWindowHours)
        containmentWindowHours = try int(.containmentWindowHours, 1...24 * 30, containmentWindowHours)
        intervalMinutes = try int(.intervalMinutes, 15...30, intervalMinutes)
        guard intervalMinutes == 15 || intervalMinutes == 30 else {
            throw ConfigDecoder.Failure(path: "intervalMinutes", message: "must be 15 or 30")
        }
        let offsets = try c.decodeIfPresent([String: Int].self, forKey: .siteUTCOffsetMinutes) ?? [:]
        for site in offsets.keys.sorted() where abs(offsets[site] ?? 0) > 14 * 60 {
            throw ConfigDecoder.Failure(path: "siteUTCOffsetMinutes.\(site)", message: "must be minutes within ±840")
        }
        siteUTCOffsetMinutes = offsets
    }
}
