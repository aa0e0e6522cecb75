import Foundation
import JourneyModel
import JourneyProjections

/// Repeat contacts ranked by cause (`journey insights repeats`).
///
/// A contact *was repeated* when the same customer's next contact started
/// within the window W after it ended. Each first contact is attributed to
/// its queue, reason, handling agent, route (overflow, transfer), channel
/// hand-off (the repeat came on another channel, e.g. ivr→voice) and
/// cross-site move (the repeat reached another centre). For each cause:
/// contacts, repeats and rate, against two references:
///
/// - **excess**: repeats beyond what the cause's own rate in the previous
///   period of the same length predicts for this period's contacts (a cause
///   new this period, or too small then, is held to its site's previous
///   rate). Rows rank by it: what drives repeats up now, weighted by size.
/// - **aboveSite**: repeats beyond the site's current rate (a standing
///   weakness, such as a complaints queue, shows here even when unchanged).
///
/// Contacts whose window is still open at the horizon are left out, repeated
/// or not: counting the repeats seen so far without the peers that may yet
/// stay unrepeated would overstate the rate of the newest days.
public enum RepeatCauses {
    /// What to look at.
    public struct Options: Sendable {
        /// Only this site; nil: every site.
        public var site: String?
        /// Local days; default: the last 7 days whose windows have closed.
        public var fromDay: Int64?
        /// Last local day; default the last whose repeat windows have closed.
        public var toDay: Int64?
        /// W in hours; default the projection's repeat window.
        public var windowHours: Int?
        /// Causes with fewer contacts are not ranked.
        public var minContacts = 30
        /// Most causes listed.
        public var limit = 15
        /// Only this dimension (one of ``RepeatCauses/dimensions``).
        public var dimension: String?
        /// The data directory, written into the drill-down commands so they run as printed.
        public var dataDirectory: String?
        /// The defaults.
        public init() {}
    }

    /// Dimensions in the order they are reported.
    public static let dimensions = ["route", "queue", "reason", "agent", "handoff", "cross-site"]

    /// A cause: its value (queue, reason, agent …) compared and hashed by its bytes, as the projection keeps it (see ``ByteKey``).
    struct Key: Hashable {
        var dimension: String; var site: String; var value: String
        static func == (a: Key, b: Key) -> Bool { a.dimension == b.dimension && a.site.sameBytes(as: b.site) && a.value.sameBytes(as: b.value) }
        func hash(into hasher: inout Hasher) {
            hasher.combine(dimension)
            site.hashBytes(into: &hasher)
            value.hashBytes(into: &hasher)
        }
    }
    struct Tally {
        var contacts = 0, repeats = 0
        var examples: [String] = []
        /// Repeats per agent who handled the first contact.
        var agents: [ByteKey: Int] = [:]
        /// The agents behind most of the repeats, most first: "agent (repeats)".
        func topAgents(_ n: Int) -> [(String, Int)] {
            agents.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map { ($0.key.text, $0.value) }
        }
    }

    /// The days a report with `options` covers: the options' days, else the
    /// 7 days ending with the last whose repeat windows have closed.
    public static func range(_ engine: ProjectionEngine, _ options: Options) throws -> DayRange {
        let w = options.windowHours.map { Int64($0) * 3_600_000 } ?? engine.repeatWindowMs
        return try DayRange.resolve(engine, site: options.site, fromDay: options.fromDay, toDay: options.toDay,
                                    lastDay: engine.lastClosedWindowDay(windowMs: w, site: options.site), span: 7)
    }

    /// Repeats per cause (queue, reason, agent, route …) against the site's rate, largest excess first, each with the command that lists its contacts.
    public static func report(_ engine: ProjectionEngine, _ options: Options = Options()) throws -> InsightReport {
        let w = options.windowHours.map { Int64($0) * 3_600_000 } ?? engine.repeatWindowMs
        let horizon = engine.dataHorizon
        let range = try Self.range(engine, options)
        let (from, to) = (range.from, range.to)
        let length = max(1, range.days)
        let current = try tally(engine, from: from, to: to, w: w, site: options.site)
        let previous = try tally(engine, from: from - length, to: from - 1, w: w, site: options.site)

        var rows: [[JSONValue]] = []
        var ranked: [(Key, Tally, Double, Double, Double)] = []
        if let d = options.dimension, !dimensions.contains(d) {
            throw InsightsError("unknown dimension '\(d)'; use one of \(dimensions.joined(separator: ", "))")
        }
        for (key, t) in current.causes where t.contacts >= options.minContacts && (options.dimension == nil || options.dimension == key.dimension) {
            guard let site = current.sites[key.site], site.contacts > 0 else { continue }
            let siteRate = Double(site.repeats) / Double(site.contacts)
            // The reference: the cause's own previous rate, else its site's previous rate.
            let reference: Double
            if let p = previous.causes[key], p.contacts >= options.minContacts {
                reference = Double(p.repeats) / Double(p.contacts)
            } else if let p = previous.sites[key.site], p.contacts > 0 {
                reference = Double(p.repeats) / Double(p.contacts)
            } else {
                reference = siteRate
            }
            let excess = Double(t.repeats) - Double(t.contacts) * reference
            guard excess > 0 else { continue }
            ranked.append((key, t, siteRate, excess, reference))
        }
        ranked.sort { a, b in a.3 != b.3 ? a.3 > b.3 : (a.0.dimension, a.0.site, ByteKey(a.0.value)) < (b.0.dimension, b.0.site, ByteKey(b.0.value)) }
        var findings: [String] = []
        let days = range.text
        for (i, (key, t, siteRate, excess, reference)) in ranked.prefix(max(0, options.limit)).enumerated() {
            let rate = Double(t.repeats) / Double(t.contacts)
            let z = (rate - reference) / max(1e-9, reference * (1 - reference) / Double(t.contacts)).squareRoot()
            let prev = previous.causes[key]
            let prevRate = prev.flatMap { $0.contacts > 0 ? Double($0.repeats) / Double($0.contacts) : nil }
            let drill = drillCommand(key, from: from, to: to, data: options.dataDirectory, windowHours: options.windowHours)
            rows.append([.integer(Int64(i + 1)), .string(key.dimension), .string(key.site), .string(key.value),
                         .integer(Int64(t.contacts)), .integer(Int64(t.repeats)), Value.number(rate), Value.number(prevRate),
                         Value.number(prevRate.map { rate - $0 }), Value.number(excess, 1), Value.number(siteRate),
                         Value.number(Double(t.repeats) - Double(t.contacts) * siteRate, 1), Value.number(z, 1),
                         .string(t.topAgents(3).map { "\($0.0) (\($0.1))" }.joined(separator: " ")),
                         .string(t.examples.joined(separator: " ")), .string(drill)])
            if i < 3 {
                let was = prevRate.map { "\(Value.percent($0)) in the previous \(length) days" } ?? "not seen in the previous \(length) days"
                findings.append("\(key.site): \(describe(key)) repeated within \(w / 3_600_000) h \(Value.percent(rate)) of the time (\(was); "
                                + "site \(Value.percent(siteRate))) — \(Int(excess.rounded())) more repeats than usual"
                                + (key.dimension == "agent" || t.agents.isEmpty ? "" : "; first contacts handled most by " + t.topAgents(3).map(\.0).joined(separator: ", "))
                                + "; drill: \(drill)")
            }
        }
        if range.isEmpty {
            findings.append(range.emptyNote(closedWindowsOf: w))
        } else if findings.isEmpty {
            findings.append("no cause repeats more than usual over \(days) (at least \(options.minContacts) contacts)")
        }
        let columns = ["rank", "dimension", "site", "value", "contacts", "repeats", "rate", "previousRate", "change", "excess", "siteRate",
                       "aboveSite", "z", "agents", "examples", "drill"]
        return InsightReport(title: "Repeat causes \(days), window \(w / 3_600_000) h", findings: findings,
                             result: QueryResult(columns: columns, rows: rows, positions: engine.positions, horizon: horizon))
    }

    static func describe(_ k: Key) -> String {
        switch k.dimension {
        case "route": return "contacts routed '\(k.value)'"
        case "queue": return "contacts of queue \(k.value)"
        case "reason": return "contacts for '\(k.value)'"
        case "agent": return "contacts handled by agent \(k.value)"
        case "handoff": return "\(k.value) hand-offs (the repeat came on another channel)"
        default: return "contacts repeated at another centre (\(k.value))"
        }
    }

    /// The `journey query contacts` query that lists exactly the contacts
    /// cause `k` counts: for a route, queue, reason or agent, the row's
    /// `contacts` (add `repeated` for its `repeats`); for a hand-off or a
    /// cross-site move, its `repeats` — the first contacts whose repeat came
    /// on that channel or at that site.
    public static func drillQuery(dimension: String, site: String, value: String, fromDay: Int64, toDay: Int64, windowHours: Int? = nil) -> ProjectionQuery {
        var f = ProjectionQuery.Filter()
        let parts = value.components(separatedBy: "→")
        f.site = site
        switch dimension {
        case "route": f.route = value
        case "queue": f.queue = value
        case "reason": f.reason = value
        case "agent": f.agent = value
        case "handoff": f.channel = parts.first ?? value; f.repeatedToChannel = parts.last ?? value
        default: f.repeatedAtSite = parts.last ?? value
        }
        // Exactly the contacts the row counts: ended, with a customer, their window closed.
        f.countedOnly = true
        f.fromDay = fromDay
        f.toDay = toDay
        f.windowMs = windowHours.map { Int64($0) * 3_600_000 }
        return .contacts(f)
    }

    /// ``drillQuery(dimension:site:value:fromDay:toDay:windowHours:)`` as the command that runs it, with `--data` when known.
    static func drillCommand(_ k: Key, from: Int64, to: Int64, data: String?, windowHours: Int? = nil) -> String {
        drillQuery(dimension: k.dimension, site: k.site, value: k.value, fromDay: from, toDay: to, windowHours: windowHours).commandLine(data: data)
    }

    /// Per cause and per site: contacts whose outcome is known, and how many were repeated.
    static func tally(_ engine: ProjectionEngine, from: Int64, to: Int64, w: Int64, site: String?) throws -> (causes: [Key: Tally], sites: [String: Tally]) {
        var causes: [Key: Tally] = [:]
        var sites: [String: Tally] = [:]
        var handoffBase: [String: Int] = [:]  // site \u{1} channel → contacts
        try engine.forEachCountedContact(fromDay: from, toDay: to, windowMs: w, site: site) { c in
            let s = c.site
            let example = s + "/" + c.contact
            func add(_ dimension: String, _ value: String?, counts: Bool = true) {
                guard let value else { return }
                var t = causes[Key(dimension: dimension, site: s, value: value)] ?? Tally()
                if counts { t.contacts += 1 }
                if c.repeated {
                    t.repeats += 1
                    if t.examples.count < 3 { t.examples.append(example) }
                    if let agent = c.agent, dimension != "agent" { t.agents[ByteKey(agent), default: 0] += 1 }
                }
                causes[Key(dimension: dimension, site: s, value: value)] = t
            }
            sites[s, default: Tally()].contacts += 1
            if c.repeated { sites[s, default: Tally()].repeats += 1 }
            add("queue", c.queue)
            add("reason", c.reason)
            add("agent", c.agent)
            add("route", c.route ?? (c.transfers > 0 ? "transfer" : nil))
            let channel = c.channel ?? "unknown"
            handoffBase[s + "\u{1}" + channel, default: 0] += 1
            if c.repeated, let nextSite = c.nextSite {
                if let next = c.nextChannel, next != channel { add("handoff", "\(channel)→\(next)", counts: false) }
                if nextSite != s { add("cross-site", "\(s)→\(nextSite)", counts: false) }
            }
        }
        // Hand-offs and cross-site moves are rates over all the channel's (or site's) contacts.
        for (key, var t) in causes where key.dimension == "handoff" || key.dimension == "cross-site" {
            if key.dimension == "handoff" {
                let channel = String(key.value.split(separator: "→").first ?? "")
                t.contacts = handoffBase[key.site + "\u{1}" + channel] ?? 0
            } else {
                t.contacts = sites[key.site]?.contacts ?? 0
            }
            causes[key] = t
        }
        return (causes, sites)
    }
}
