import JourneyModel

/// The choices a staffing plan is computed with. They are
/// recorded in the plan so an audit recomputes it the same way.
public struct PlanParameters: Sendable, Equatable {
    /// Length of a planning interval, minutes (a multiple of the projection's).
    public var intervalMinutes = 30
    /// Weeks of same-weekday history the forecast averages.
    public var weeks = 4
    /// Service-level target (share answered within ``withinSeconds``).
    public var target = 0.8
    /// Service-level threshold, seconds.
    public var withinSeconds = 20.0
    /// Highest occupancy allowed.
    public var maxOccupancy = 1.0
    /// Shrinkage applied to every site; nil: each site's measured in-shift
    /// shrinkage (not-ready share of logged-in time over the history window).
    public var shrinkage: Double?
    /// Largest share of a site's available agents of each skill set that it may lend in an interval.
    public var maxLendShare = 0.25
    /// Fewest abandons over the window for patience to be estimated (and Erlang A used).
    public var minAbandonsForPatience = 20

    /// The defaults: 30-minute intervals, 4 weeks, 80 % in 20 s, occupancy up to 1, measured shrinkage, lending up to 25 %.
    public init() {}

    /// The canonical JSON object recorded in a plan.
    public var json: JSONObject {
        [
            "intervalMinutes": .integer(Int64(intervalMinutes)), "weeks": .integer(Int64(weeks)),
            "target": decimal(target, 4), "withinSeconds": decimal(withinSeconds, 2),
            "maxOccupancy": decimal(maxOccupancy, 4),
            "shrinkage": shrinkage.map { decimal($0, 4) } ?? .string("measured"),
            "maxLendShare": decimal(maxLendShare, 4),
            "minAbandonsForPatience": .integer(Int64(minAbandonsForPatience)),
        ]
    }

    /// Reads parameters recorded by ``json``, and checks them.
    public static func parse(_ o: JSONObject) throws -> PlanParameters {
        let p: PlanParameters
        do {
            p = try ConfigDecoder.decode(PlanParameters.self, from: .object(o))
        } catch let e as ConfigDecoder.Failure {
            throw StaffingError(.malformedRecord, "recorded plan parameter \(e)")
        }
        try p.validate()
        return p
    }

    /// Checks every value is in range; the error names the option.
    public func validate() throws {
        guard [15, 30, 60].contains(intervalMinutes) else { throw StaffingError(.invalidParameter, "--interval must be 15, 30 or 60 minutes") }
        guard (1...52).contains(weeks) else { throw StaffingError(.invalidParameter, "--weeks must be 1–52") }
        guard target > 0, target < 1 else { throw StaffingError(.invalidParameter, "--target must be between 0 and 1 (e.g. 0.8)") }
        guard withinSeconds >= 0, withinSeconds <= ErlangC.Bounds.withinSecondsMax else {
            throw StaffingError(.invalidParameter, "--within must be 0–\(Int(ErlangC.Bounds.withinSecondsMax)) seconds")
        }
        guard maxOccupancy >= ErlangC.Bounds.occupancyMin, maxOccupancy <= 1 else {
            throw StaffingError(.invalidParameter, "--max-occupancy must be in [\(ErlangC.Bounds.occupancyMin), 1]")
        }
        if let s = shrinkage, !(s >= 0 && s < 1) { throw StaffingError(.invalidParameter, "--shrinkage must be in [0, 1)") }
        guard maxLendShare >= 0, maxLendShare <= 1 else { throw StaffingError(.invalidParameter, "--max-lend-share must be in [0, 1]") }
        guard minAbandonsForPatience >= 1 else { throw StaffingError(.invalidParameter, "minAbandonsForPatience must be at least 1") }
    }
}

extension PlanParameters: Decodable {
    // Not CaseIterable: a plan recorded by a later version may carry more keys.
    enum CodingKeys: String, CodingKey {
        case intervalMinutes, weeks, target, withinSeconds, maxOccupancy, shrinkage, maxLendShare, minAbandonsForPatience
    }

    /// Reads the object ``json`` writes; `shrinkage` is a number or `"measured"`.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        intervalMinutes = try c.decode(Int.self, forKey: .intervalMinutes)
        weeks = try c.decode(Int.self, forKey: .weeks)
        target = try c.decode(Double.self, forKey: .target)
        withinSeconds = try c.decode(Double.self, forKey: .withinSeconds)
        maxOccupancy = try c.decode(Double.self, forKey: .maxOccupancy)
        shrinkage = (try? c.decode(String.self, forKey: .shrinkage)) == "measured" ? nil : try c.decode(Double.self, forKey: .shrinkage)
        maxLendShare = try c.decode(Double.self, forKey: .maxLendShare)
        minAbandonsForPatience = try c.decode(Int.self, forKey: .minAbandonsForPatience)
    }
}

/// A number rounded to `digits` decimals, as recorded in a plan.
func decimal(_ x: Double, _ digits: Int) -> JSONValue { .rounded(x, digits: digits) }
