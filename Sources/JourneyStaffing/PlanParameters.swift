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

    /// Reads parameters recorded by ``json``.
    public static func parse(_ o: JSONObject) throws -> PlanParameters {
        func double(_ k: String) throws -> Double {
            guard let v = o[k]?.doubleValue else { throw StaffingError("recorded plan parameter '\(k)' is missing or not a number") }
            return v
        }
        func int(_ k: String) throws -> Int {
            guard let v = o[k]?.intValue else { throw StaffingError("recorded plan parameter '\(k)' is missing or not a whole number") }
            return Int(v)
        }
        var p = PlanParameters()
        p.intervalMinutes = try int("intervalMinutes")
        p.weeks = try int("weeks")
        p.target = try double("target")
        p.withinSeconds = try double("withinSeconds")
        p.maxOccupancy = try double("maxOccupancy")
        p.shrinkage = o["shrinkage"]?.stringValue == "measured" ? nil : try double("shrinkage")
        p.maxLendShare = try double("maxLendShare")
        p.minAbandonsForPatience = try int("minAbandonsForPatience")
        try p.validate()
        return p
    }

    /// Checks every value is in range; the error names the option.
    public func validate() throws {
        guard [15, 30, 60].contains(intervalMinutes) else { throw StaffingError("--interval must be 15, 30 or 60 minutes") }
        guard (1...52).contains(weeks) else { throw StaffingError("--weeks must be 1–52") }
        guard target > 0, target < 1 else { throw StaffingError("--target must be between 0 and 1 (e.g. 0.8)") }
        guard withinSeconds >= 0, withinSeconds <= ErlangC.Bounds.withinSecondsMax else {
            throw StaffingError("--within must be 0–\(Int(ErlangC.Bounds.withinSecondsMax)) seconds")
        }
        guard maxOccupancy >= ErlangC.Bounds.occupancyMin, maxOccupancy <= 1 else {
            throw StaffingError("--max-occupancy must be in [\(ErlangC.Bounds.occupancyMin), 1]")
        }
        if let s = shrinkage, !(s >= 0 && s < 1) { throw StaffingError("--shrinkage must be in [0, 1)") }
        guard maxLendShare >= 0, maxLendShare <= 1 else { throw StaffingError("--max-lend-share must be in [0, 1]") }
        guard minAbandonsForPatience >= 1 else { throw StaffingError("minAbandonsForPatience must be at least 1") }
    }
}

/// A number rounded to `digits` decimals, as recorded in a plan.
func decimal(_ x: Double, _ digits: Int) -> JSONValue { .rounded(x, digits: digits) }
