import JourneyModel
import JourneyProjections

/// Team health (`journey insights teams`).
///
/// Per team, week by week over the range (weeks counted from its first
/// day): FCR, AHT and CSAT. The **trend** is each series' least-squares
/// slope per week and the **stability** the standard deviation of weekly
/// FCR. **Composition** compares the team's agents with the rest of its
/// site: mean tenure, share hired in the last 90 days, skills per agent.
/// A team is flagged for each of: FCR falling by ≥ `fcrSlopeFlag` per
/// week, AHT rising by ≥ 5 % of its mean per week, CSAT falling by ≥ 2
/// points per week, weekly FCR varying at least twice as much as the
/// site's median team, and mean tenure under 60 % of the rest of the site's.
public enum TeamHealth {
    /// What to look at.
    public struct Options: Sendable {
        /// Only this site; nil: every site.
        public var site: String?
        /// Local days; default the 8 weeks up to the last day whose FCR windows have closed.
        public var fromDay: Int64?
        /// Last local day.
        public var toDay: Int64?
        /// Flag a team whose FCR falls by at least this per week.
        public var fcrSlopeFlag = 0.01
        /// The defaults.
        public init() {}
    }

    struct Week { var elapsed = 0.0, ok = 0.0, handled = 0.0, handleMs = 0.0, surveys = 0.0, satisfied = 0.0 }

    /// Per team: FCR trend, stability and composition, with the teams flagged.
    public static func report(_ engine: ProjectionEngine, _ options: Options = Options()) throws -> InsightReport {
        // Default: up to the last day whose FCR windows have closed (later days' FCR counts only the repeats so far).
        let range = try DayRange.resolve(engine, site: nil, fromDay: options.fromDay, toDay: options.toDay,
                                         lastDay: engine.lastClosedWindowDay, span: 56)
        let (from, to) = (range.from, range.to)
        // Weeks end on `to`: when the range is not whole weeks, the first week is the short one.
        let weekAnchor = to - 7 * ((range.days + 6) / 7) + 1
        // Teams by the bytes of their names, as the projection keeps them (see ``ByteKey``).
        var weeks: [ByteKey: [Int: Week]] = [:]
        var teamSite: [ByteKey: String] = [:]
        var members: [ByteKey: [(tenure: Double, skills: Double)]] = [:]
        var filter = ProjectionQuery.Filter()
        filter.fromDay = from
        filter.toDay = to
        filter.site = options.site
        filter.limit = Int.max
        for r in try engine.teamPeriodRows(filter, byWeek: false) {
            guard let team = r.team.map({ ByteKey($0) }) else { continue }
            teamSite[team] = r.site
            let week = Int((r.period - weekAnchor) / 7)
            var w = weeks[team, default: [:]][week] ?? Week()
            w.elapsed += Double(r.fcrElapsed); w.ok += Double(r.fcrOK); w.handled += Double(r.handled); w.handleMs += Double(r.handleMs)
            w.surveys += Double(r.surveys); w.satisfied += Double(r.satisfied)
            weeks[team, default: [:]][week] = w
        }
        for p in try engine.agentProfileRows() {
            guard let team = p.team.map({ ByteKey($0) }) else { continue }
            let hired = p.hiredDay.map { Double(to - $0) } ?? .nan
            members[team, default: []].append((hired, Double(p.skills.count)))
        }
        struct Health { var team: String; var site: String; var fcr: [Double]; var aht: [Double]; var csat: [Double]; var tenure: Double; var newShare: Double; var skills: Double; var agents: Int }
        var teams: [Health] = []
        for team in weeks.keys.sorted() {
            let series = (weeks[team] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
            let m = members[team] ?? []
            let tenures = m.map(\.tenure).filter { !$0.isNaN }
            teams.append(Health(
                team: team.text, site: teamSite[team] ?? "",
                fcr: series.compactMap { $0.elapsed >= 20 ? $0.ok / $0.elapsed : nil },
                aht: series.compactMap { $0.handled >= 20 ? $0.handleMs / $0.handled / 1000 : nil },
                csat: series.compactMap { $0.surveys >= 10 ? $0.satisfied / $0.surveys : nil },
                tenure: tenures.isEmpty ? .nan : tenures.reduce(0, +) / Double(tenures.count),
                newShare: tenures.isEmpty ? .nan : Double(tenures.filter { $0 < 90 }.count) / Double(tenures.count),
                skills: m.isEmpty ? .nan : m.map(\.skills).reduce(0, +) / Double(m.count), agents: m.count))
        }
        var rows: [[JSONValue]] = [], scored: [(Double, String)] = []
        for t in teams {
            let others = teams.filter { $0.site == t.site && !$0.team.sameBytes(as: t.team) }
            let otherTenure = others.map(\.tenure).filter { !$0.isNaN }
            let restTenure = otherTenure.isEmpty ? Double.nan : otherTenure.reduce(0, +) / Double(otherTenure.count)
            let fcrSlope = Statistics.slope(t.fcr), ahtSlope = Statistics.slope(t.aht), csatSlope = Statistics.slope(t.csat)
            let sd = Statistics.standardDeviation(t.fcr)
            let siteSDs = teams.filter { $0.site == t.site }.compactMap { Statistics.standardDeviation($0.fcr) }
            let medianSD = Statistics.median(siteSDs)
            var flags: [String] = [], score = 0.0
            if let s = fcrSlope, s <= -options.fcrSlopeFlag { flags.append(String(format: "FCR falling %.1f points/week", -s * 100)); score += -s / options.fcrSlopeFlag }
            let meanAHT = t.aht.isEmpty ? 0 : t.aht.reduce(0, +) / Double(t.aht.count)
            if let s = ahtSlope, meanAHT > 0, s >= 0.05 * meanAHT { flags.append(String(format: "AHT rising %.0f s/week", s)); score += s / (0.05 * meanAHT) }
            if let s = csatSlope, s <= -0.02 { flags.append(String(format: "CSAT falling %.1f points/week", -s * 100)); score += -s / 0.02 }
            if let sd, let medianSD, medianSD > 0, sd >= 2 * medianSD { flags.append(String(format: "unstable: weekly FCR varies ±%.1f points (site median ±%.1f)", sd * 100, medianSD * 100)); score += sd / medianSD - 1 }
            if !t.tenure.isNaN, !restTenure.isNaN, t.tenure < 0.6 * restTenure {
                flags.append(String(format: "less experienced: mean tenure %.0f days vs %.0f for the rest of %@", t.tenure, restTenure, t.site)); score += 1
            }
            rows.append([.string(t.team), .string(t.site), .integer(Int64(t.agents)), .integer(Int64(t.fcr.count)),
                         Value.number(t.fcr.last), Value.number(fcrSlope), Value.number(sd), Value.number(t.aht.last, 1), Value.number(ahtSlope, 1),
                         Value.number(t.csat.last), Value.number(csatSlope), Value.number(t.tenure.isNaN ? nil : t.tenure, 0),
                         Value.number(restTenure.isNaN ? nil : restTenure, 0), Value.number(t.newShare.isNaN ? nil : t.newShare),
                         Value.number(t.skills.isNaN ? nil : t.skills, 2), Value.number(score, 1), .string(flags.joined(separator: "; "))])
            if !flags.isEmpty { scored.append((score, "\(t.team) (\(t.site)): " + flags.joined(separator: "; "))) }
        }
        let order = rows.indices.sorted { a, b in
            let x = rows[a][15].doubleValue ?? 0, y = rows[b][15].doubleValue ?? 0
            return x != y ? x > y : (rows[a][0].stringValue ?? "") < (rows[b][0].stringValue ?? "")
        }
        var findings = scored.sorted { $0.0 > $1.0 }.prefix(5).map(\.1)
        if range.isEmpty { findings.append(range.emptyNote(closedWindowsOf: engine.repeatWindowMs)) }
        else if findings.isEmpty { findings.append("every team's KPIs are steady over the range") }
        let columns = ["team", "site", "agents", "weeks", "fcr", "fcrTrendPerWeek", "fcrStability", "aht", "ahtTrendPerWeek", "csat", "csatTrendPerWeek",
                       "tenureDays", "siteTenureDays", "newShare", "skillsPerAgent", "concern", "flags"]
        return InsightReport(title: "Team health \(range.text), week by week",
                             findings: findings, result: QueryResult(columns: columns, rows: order.map { rows[$0] }, positions: engine.positions, horizon: engine.dataHorizon))
    }
}
