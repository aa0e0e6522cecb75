import JourneyInsights
import JourneyModel
import JourneyProjections

/// An insight asked by name with `journey insights NAME`'s options (and
/// `coach`'s, as `coaching`), as the console's URLs and API give them.
public enum InsightRequest: Sendable {
    case repeats(RepeatCauses.Options)
    case mix(MixMonitor.Options)
    case teams(TeamHealth.Options)
    case attrition(AttritionWatch.Options)
    case coaching(CoachingList.Options)

    /// The insights, by name.
    public static let names = ["repeats", "mix", "teams", "attrition", "coaching"]

    /// Every option name any insight takes (each insight refuses the others).
    public static let parameterNames: Set<String> = Set(allowed.values.flatMap { $0 })

    static let allowed: [String: Set<String>] = [
        "repeats": ["site", "from", "to", "window", "dimension", "min-contacts", "limit"],
        "mix": ["site", "day", "from", "to", "weeks", "alpha", "min-change", "all"],
        "teams": ["site", "from", "to"],
        "attrition": ["site", "as-of", "recent-days", "baseline-days", "threshold", "limit"],
        "coaching": ["metric", "below", "min-contacts", "site", "from", "to"],
    ]

    /// The options `name` takes, sorted.
    public static func parameters(of name: String) -> [String] { (allowed[name] ?? []).sorted() }

    /// The whole-number options and their ranges.
    static let integerRanges: [String: ClosedRange<Int>] = [
        "min-contacts": 1...1_000_000, "limit": 0...ConsoleLimits.rowsMax, "weeks": 1...52, "recent-days": 1...366, "baseline-days": 1...3660,
    ]
    /// The fractional options and their ranges.
    static let numberRanges: [String: ClosedRange<Double>] = [
        "alpha": 0.000001...0.5, "min-change": 0...1, "threshold": 0...1_000_000, "below": 0...1,
    ]

    /// The site the request is limited to, if any.
    public var site: String? {
        switch self {
        case .repeats(let o): return o.site
        case .mix(let o): return o.site
        case .teams(let o): return o.site
        case .attrition(let o): return o.site
        case .coaching(let o): return o.site
        }
    }

    /// The request `name` with `fields`; unknown names and bad values are refused, naming them.
    public static func parse(_ name: String, _ fields: [String: String]) throws -> InsightRequest {
        guard let allowed = allowed[name] else {
            throw ConsoleError(.notFound, "no insight '\(name)'; use one of \(names.joined(separator: ", "))")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConsoleError(.invalid, "'\(name)' takes no parameter '\(unknown)'; it takes \(allowed.sorted().joined(separator: ", "))")
        }
        let p = Fields(fields)
        switch name {
        case "repeats":
            var o = RepeatCauses.Options()
            o.site = try p.text("site"); o.fromDay = try p.day("from"); o.toDay = try p.day("to")
            o.windowHours = try p.int("window", 1...1440, suffix: "h"); o.dimension = try p.text("dimension")
            o.minContacts = try p.int("min-contacts") ?? o.minContacts; o.limit = try p.int("limit") ?? o.limit
            return .repeats(o)
        case "mix":
            var o = MixMonitor.Options()
            o.site = try p.text("site")
            let day = try p.day("day")
            if day != nil && (fields["from"] != nil || fields["to"] != nil) { throw ConsoleError(.invalid, "give 'day' or 'from'/'to', not both") }
            o.fromDay = try day ?? p.day("from"); o.toDay = try day ?? p.day("to")
            o.weeks = try p.int("weeks") ?? o.weeks; o.alpha = try p.number("alpha") ?? o.alpha
            o.minimumChange = try p.number("min-change") ?? o.minimumChange; o.all = try p.flag("all")
            return .mix(o)
        case "teams":
            var o = TeamHealth.Options()
            o.site = try p.text("site"); o.fromDay = try p.day("from"); o.toDay = try p.day("to")
            return .teams(o)
        case "attrition":
            var o = AttritionWatch.Options()
            o.site = try p.text("site"); o.asOfDay = try p.day("as-of")
            o.recentDays = try p.int("recent-days") ?? o.recentDays; o.baselineDays = try p.int("baseline-days") ?? o.baselineDays
            o.threshold = try p.number("threshold") ?? o.threshold; o.limit = try p.int("limit") ?? o.limit
            return .attrition(o)
        default:
            var o = CoachingList.Options()
            switch try p.text("metric") ?? "fcr" {
            case "fcr": o.metric = .fcr
            case "csat": o.metric = .csat
            default: throw ConsoleError(.invalid, "'metric' must be fcr or csat")
            }
            o.below = try p.number("below") ?? o.below; o.minContacts = try p.int("min-contacts") ?? o.minContacts
            o.site = try p.text("site"); o.fromDay = try p.day("from"); o.toDay = try p.day("to")
            return .coaching(o)
        }
    }

    /// Runs the insight on `engine` (after checking that its site is one the projection holds).
    public func report(_ engine: ProjectionEngine) throws -> InsightReport {
        try ConsoleServer.checkKnown(site: site, engine)
        switch self {
        case .repeats(let o): return try RepeatCauses.report(engine, o)
        case .mix(let o): return try MixMonitor.report(engine, o)
        case .teams(let o): return try TeamHealth.report(engine, o)
        case .attrition(let o): return try AttritionWatch.report(engine, o)
        case .coaching(let o): return try CoachingList.report(engine, o)
        }
    }

    /// Typed reading of request fields, each refusal naming the field.
    struct Fields {
        var fields: [String: String]
        init(_ fields: [String: String]) { self.fields = fields }

        func text(_ name: String) throws -> String? {
            guard let v = fields[name] else { return nil }
            guard !v.isEmpty, v.unicodeScalars.count <= 512 else { throw ConsoleError(.invalid, "'\(name)' must be 1 to 512 characters") }
            return v
        }
        func day(_ name: String) throws -> Int64? {
            guard let v = try text(name) else { return nil }
            guard let d = LocalDay(v) else { throw ConsoleError(.invalid, "'\(name)' must be a date, YYYY-MM-DD") }
            return d.number
        }
        func int(_ name: String, suffix: String? = nil) throws -> Int? {
            try int(name, InsightRequest.integerRanges[name] ?? 0...Int.max, suffix: suffix)
        }
        func number(_ name: String) throws -> Double? {
            try number(name, InsightRequest.numberRanges[name] ?? -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        }
        func int(_ name: String, _ range: ClosedRange<Int>, suffix: String? = nil) throws -> Int? {
            guard var v = try text(name) else { return nil }
            if let suffix, v.hasSuffix(suffix) { v.removeLast(suffix.count) }
            guard let n = Int(v), range.contains(n) else {
                throw ConsoleError(.invalid, "'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        func number(_ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let v = try text(name) else { return nil }
            guard let x = Double(v), x.isFinite, range.contains(x) else {
                throw ConsoleError(.invalid, "'\(name)' must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return x
        }
        func flag(_ name: String) throws -> Bool {
            switch fields[name] {
            case nil: return false
            case "", "true", "1": return true
            case "false", "0": return false
            default: throw ConsoleError(.invalid, "'\(name)' is a flag: give it no value, true or false")
            }
        }
    }
}
