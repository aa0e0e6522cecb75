import JourneyModel
import JourneyProjections

/// Attrition early warning (`journey insights attrition`).
///
/// Each agent is compared with their own baseline: the `baselineDays`
/// before their last `recentDays`. Six changes are measured — handle time
/// (ratio), not-ready share of logged-in time, days worked per week, CSAT,
/// FCR, and missed offers per contact handled (the recent rates shrunk
/// towards the agent's baseline by a few pseudo-contacts, so a quiet week
/// with few contacts is not read as a collapse) — and each change is turned
/// into a robust z against the same change of the other agents of the site
/// (median and MAD, with a floor on the spread), so a site-wide shift (a
/// busy week, a new product) does not flag everyone. The score is the sum
/// of the z's in the worsening direction, each capped at 5 (drift shows in
/// several signals, noise in one); every z ≥ 2 is shown as a reason. An
/// agent is flagged from `threshold` with at least two reasons.
public enum AttritionWatch {
    /// What to look at.
    public struct Options: Sendable {
        /// Only this site; nil: every site.
        public var site: String?
        /// Last local day of the recent window; default the last complete day.
        public var asOfDay: Int64?
        /// Days of recent behaviour compared.
        public var recentDays = 7
        /// Days before them that make the agent's own baseline.
        public var baselineDays = 28
        /// Score from which an agent is flagged.
        public var threshold = 10.0
        /// Most agents listed.
        public var limit = 20
        /// The defaults.
        public init() {}
    }

    struct Window {
        var handled = 0.0, handleMs = 0.0, loggedMs = 0.0, notReadyMs = 0.0, days = 0.0
        var surveys = 0.0, satisfied = 0.0, fcrElapsed = 0.0, fcrOK = 0.0, missed = 0.0
        var aht: Double? { handled >= 5 ? handleMs / handled / 1000 : nil }
        var notReady: Double? { loggedMs > 0 ? notReadyMs / loggedMs : nil }
        var csat: Double? { surveys >= 5 ? satisfied / surveys : nil }
        var fcr: Double? { fcrElapsed >= 10 ? fcrOK / fcrElapsed : nil }
        var missedRate: Double? { handled >= 5 ? missed / handled : nil }
    }

    /// The most one signal adds to the score.
    static let perSignalMax = 5.0

    /// The signals: name, worsening direction (+1: higher is worse), floor on the spread, and how to word it.
    static let signals: [(name: String, sign: Double, spread: Double)] = [
        ("aht", 1, 0.05), ("notReady", 1, 0.02), ("daysWorked", -1, 0.3), ("csat", -1, 0.05), ("fcr", -1, 0.04), ("missed", 1, 0.01),
    ]

    /// The agents whose recent days drift from their own baseline, most first, with the reasons.
    public static func report(_ engine: ProjectionEngine, _ options: Options = Options()) throws -> InsightReport {
        guard (1...3660).contains(options.recentDays), (7...3660).contains(options.baselineDays) else {
            throw InsightsError("--recent-days must be 1–3660 and --baseline-days 7–3660")
        }
        let asOf = options.asOfDay ?? (engine.horizonDay(site: options.site) - 1)
        let recentFrom = asOf - Int64(options.recentDays) + 1
        let baseFrom = recentFrom - Int64(options.baselineDays)
        // Agents by the bytes of their ids, as the projection keeps them (see ``ByteKey``).
        var base: [ByteKey: Window] = [:], recent: [ByteKey: Window] = [:]
        var info: [ByteKey: (site: String, team: String?)] = [:]
        // The baseline is as long as the data allows (days worked per week divide by the days covered).
        var baselineSpan = options.baselineDays
        if let first = try engine.firstAgentDay(), first > baseFrom {
            baselineSpan = Int(max(1, recentFrom - first))
        }
        var filter = ProjectionQuery.Filter()
        filter.fromDay = baseFrom
        filter.toDay = asOf
        filter.site = options.site
        filter.limit = Int.max
        for d in try engine.agentDayRows(filter) {
            let agent = ByteKey(d.agent)
            info[agent] = (d.site ?? "", d.team)
            var w = Window()
            w.handled = Double(d.handled); w.handleMs = Double(d.talkMs + d.holdMs + d.acwMs)
            w.loggedMs = Double(d.loggedMs); w.notReadyMs = Double(d.notReadyMs)
            w.days = d.loggedMs > 0 ? 1 : 0
            w.surveys = Double(d.surveys); w.satisfied = Double(d.satisfied); w.fcrElapsed = Double(d.fcrElapsed)
            w.fcrOK = Double(d.fcrOK); w.missed = Double(d.missed)
            func add(_ into: inout Window) {
                into.handled += w.handled; into.handleMs += w.handleMs; into.loggedMs += w.loggedMs; into.notReadyMs += w.notReadyMs
                into.days += w.days; into.surveys += w.surveys; into.satisfied += w.satisfied; into.fcrElapsed += w.fcrElapsed
                into.fcrOK += w.fcrOK; into.missed += w.missed
            }
            if d.day >= recentFrom { add(&recent[agent, default: Window()]) } else { add(&base[agent, default: Window()]) }
        }
        // Changes per agent (only agents who worked in the baseline).
        let weekly = { (w: Window, days: Int) in w.days * 7 / Double(days) }
        var changes: [ByteKey: [String: Double]] = [:]
        var texts: [ByteKey: [String: String]] = [:]
        for (agent, b) in base where b.days >= 3 {
            let r = recent[agent] ?? Window()
            var c: [String: Double] = [:], t: [String: String] = [:]
            // A recent rate from few contacts is noisy: it is shrunk towards the agent's own baseline
            // by `prior` pseudo-contacts before the change is measured (the reason shows the raw figures).
            func shrunk(_ sum: Double, _ n: Double, toward x: Double, prior: Double) -> Double { (sum + prior * x) / (n + prior) }
            if let x = b.aht, let y = r.aht, x > 0 {
                c["aht"] = shrunk(r.handleMs / 1000, r.handled, toward: x, prior: 30) / x - 1
                t["aht"] = "AHT \(Int(y)) s vs \(Int(x)) s (\(y >= x ? "+" : "")\(Int(((y / x - 1) * 100).rounded())) %)"
            }
            if let x = b.notReady, let y = r.notReady { c["notReady"] = y - x; t["notReady"] = "not ready \(Value.percent(x)) → \(Value.percent(y)) of logged-in time" }
            let dx = weekly(b, baselineSpan), dy = weekly(r, options.recentDays)
            c["daysWorked"] = dy - dx
            t["daysWorked"] = String(format: "worked %.1f days/week vs %.1f", dy, dx)
            if let x = b.csat, let y = r.csat {
                c["csat"] = shrunk(r.satisfied, r.surveys, toward: x, prior: 20) - x
                t["csat"] = "CSAT \(Value.percent(x)) → \(Value.percent(y))"
            }
            if let x = b.fcr, let y = r.fcr {
                c["fcr"] = shrunk(r.fcrOK, r.fcrElapsed, toward: x, prior: 50) - x
                t["fcr"] = "FCR \(Value.percent(x)) → \(Value.percent(y))"
            }
            if let x = b.missedRate, let y = r.missedRate {
                c["missed"] = shrunk(r.missed, r.handled, toward: x, prior: 50) - x
                t["missed"] = String(format: "missed offers %.2f → %.2f per contact", x, y)
            }
            changes[agent] = c
            texts[agent] = t
        }
        // Robust z of each change among the site's agents.
        var scored: [(agent: ByteKey, score: Double, reasons: [String], z: [String: Double])] = []
        let bySite = Dictionary(grouping: changes.keys, by: { info[$0]?.site ?? "" })
        for (_, agents) in bySite {
            for agent in agents.sorted() {
                var score = 0.0, reasons: [(Double, String)] = [], zs: [String: Double] = [:]
                for s in signals {
                    guard let x = changes[agent]?[s.name] else { continue }
                    let population = agents.compactMap { changes[$0]?[s.name] }
                    let z = s.sign * Statistics.robustZ(x, among: population, minimumSpread: s.spread)
                    zs[s.name] = z
                    // One signal alone can add at most `perSignalMax`: drift shows in several.
                    if z > 0 { score += min(z, perSignalMax) }
                    if z >= 2, let text = texts[agent]?[s.name] { reasons.append((z, text)) }
                }
                scored.append((agent, score, reasons.sorted { $0.0 > $1.0 }.map(\.1), zs))
            }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.agent < $1.agent }
        var rows: [[JSONValue]] = []
        for (i, s) in scored.prefix(max(0, options.limit)).enumerated() {
            rows.append([.integer(Int64(i + 1)), .string(s.agent.text), Value.text(info[s.agent]?.site), Value.text(info[s.agent]?.team),
                         Value.number(s.score, 1), .bool(isFlagged(s))]
                        + signals.map { Value.number(s.z[$0.name], 1) } + [.string(s.reasons.joined(separator: "; "))])
        }
        func isFlagged(_ s: (agent: ByteKey, score: Double, reasons: [String], z: [String: Double])) -> Bool {
            s.score >= options.threshold && s.reasons.count >= 2
        }
        let flagged = scored.filter(isFlagged)
        var findings = flagged.prefix(5).map { s in
            "\(s.agent) (\(info[s.agent]?.site ?? "?"), team \(info[s.agent]?.team ?? "?")): score \(String(format: "%.1f", s.score)) — \(s.reasons.prefix(4).joined(separator: "; "))"
        }
        let firstDay = try engine.firstDataDay(site: options.site)
        if findings.isEmpty {
            if let firstDay, firstDay + 7 <= recentFrom {
                findings.append("no agent drifts from their own baseline beyond score \(options.threshold)")
            } else {
                findings.append("too little history to judge drift: each agent's baseline needs a week of data before the recent \(options.recentDays) days"
                                + (firstDay.map { ", and the data starts on \(Timestamp.dateString(day: $0))" } ?? ", and there is no data yet"))
            }
        }
        let columns = ["rank", "agent", "site", "team", "score", "flagged"] + signals.map { "z." + $0.name } + ["reasons"]
        let shownFrom = max(recentFrom, firstDay ?? recentFrom)
        let against = firstDay.map { $0 < recentFrom } ?? false ? "against each agent's previous \(baselineSpan) days" : "with no earlier days to compare"
        return InsightReport(
            title: "Attrition watch: \(Timestamp.dateString(day: shownFrom))…\(Timestamp.dateString(day: asOf)) \(against)",
            findings: findings, result: QueryResult(columns: columns, rows: rows, positions: engine.positions, horizon: engine.dataHorizon))
    }
}
