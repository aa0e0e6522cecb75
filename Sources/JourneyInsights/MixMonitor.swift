import JourneyModel
import JourneyProjections

/// Traffic-mix shifts (`journey insights mix`).
///
/// For each site and day, the share of contacts per category of four
/// dimensions — queue, reason, channel, and route of answered contacts
/// (direct, transfer, overflow) — is compared with the same weekday over the
/// previous `weeks` weeks (pooled). Each category is tested with a
/// two-proportion z-test, made quasi-binomial: day-to-day shares vary more
/// than coin flips would (repeat contacts and busy days cluster), so z is
/// divided by √φ, where φ ≥ 1 is the dispersion of the baseline days
/// themselves (Pearson χ² of their days × categories table over its degrees
/// of freedom, per dimension). The significance level `alpha` is for the
/// whole site-day (Bonferroni: each of its m tests at alpha / m). A
/// significant shift is flagged only when it is also material: at least
/// one point of share and a fifth of the category's usual share.
public enum MixMonitor {
    /// What to look at.
    public struct Options: Sendable {
        /// Only this site; nil: every site.
        public var site: String?
        /// Local days to test; default the last complete day.
        public var fromDay: Int64?
        /// Last local day.
        public var toDay: Int64?
        /// Weeks of baseline before the period.
        public var weeks = 4
        /// Family-wise significance level per site-day.
        public var alpha = 0.01
        /// Smallest change of share (absolute) worth a flag; it must also be a fifth of the usual share.
        public var minimumChange = 0.01
        /// Report every category, not only the flagged ones.
        public var all = false
        /// The defaults.
        public init() {}
    }

    /// The dimensions whose shares are watched.
    public static let dimensions = ["queue", "reason", "channel", "route"]

    /// A count's cell; the category (a reason, a channel …) compared and hashed by its bytes, as
    /// the projection grouped it (see ``ByteKey``): two reasons written two ways stay two.
    struct Cell: Hashable {
        var site: String; var day: Int64; var dimension: String; var category: String
        static func == (a: Cell, b: Cell) -> Bool {
            a.day == b.day && a.site == b.site && a.dimension == b.dimension && a.category.sameBytes(as: b.category)
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(site); hasher.combine(day); hasher.combine(dimension)
            category.hashBytes(into: &hasher)
        }
    }

    /// Categories whose share of contacts moved beyond what chance explains, against the same weekdays before.
    public static func report(_ engine: ProjectionEngine, _ options: Options = Options()) throws -> InsightReport {
        guard (1...52).contains(options.weeks), options.alpha > 0, options.alpha < 1 else { throw InsightsError("--weeks must be 1–52 and --alpha in (0, 1)") }
        let range = try DayRange.resolve(engine, site: options.site, fromDay: options.fromDay, toDay: options.toDay,
                                         lastDay: engine.horizonDay(site: options.site) - 1, span: 1)
        let (from, to) = (range.from, range.to)
        let first = from - 7 * Int64(options.weeks)
        var counts: [Cell: Int] = [:]
        for m in try engine.mixCounts(fromDay: first, toDay: to, site: options.site) {
            counts[Cell(site: m.site, day: m.day, dimension: m.dimension, category: m.category)] = Int(m.contacts)
        }
        // Totals per site, day and dimension; categories seen per site and dimension.
        var totals: [Cell: Int] = [:]
        var categories: [String: Set<ByteKey>] = [:]
        for (c, n) in counts {
            totals[Cell(site: c.site, day: c.day, dimension: c.dimension, category: ""), default: 0] += n
            categories[c.site + "\u{1}" + c.dimension, default: []].insert(ByteKey(c.category))
        }
        let sites = Set(counts.keys.map(\.site)).sorted()
        var rows: [[JSONValue]] = []
        var flagged: [(z: Double, text: String)] = []
        var tested = 0
        // Only days with contacts can be tested: walking them, not the calendar, keeps the work
        // bounded by the data however wide --from … --to is.
        let days = Set(totals.keys.map(\.day)).filter { $0 >= from && $0 <= to }.sorted()
        for site in sites {
            for day in days {
                // The baseline: same weekday, earlier weeks, with data.
                let baseDays = (1...options.weeks).map { day - 7 * Int64($0) }.filter {
                    (totals[Cell(site: site, day: $0, dimension: "channel", category: "")] ?? 0) > 0
                }
                guard baseDays.count >= 2, (totals[Cell(site: site, day: day, dimension: "channel", category: "")] ?? 0) > 0 else { continue }
                var tests: [(String, String, Double, Double, Double, Double, Double)] = []
                for dimension in dimensions {
                    let n1 = Double(totals[Cell(site: site, day: day, dimension: dimension, category: "")] ?? 0)
                    let n2 = Double(baseDays.reduce(0) { $0 + (totals[Cell(site: site, day: $1, dimension: dimension, category: "")] ?? 0) })
                    guard n1 > 0, n2 > 0 else { continue }
                    let cats = (categories[site + "\u{1}" + dimension] ?? []).sorted().map(\.text)
                    // Dispersion of the baseline days: Pearson χ² / ((days − 1)(categories − 1)), at least 1.
                    var chi2 = 0.0
                    for category in cats {
                        let x2 = Double(baseDays.reduce(0) { $0 + (counts[Cell(site: site, day: $1, dimension: dimension, category: category)] ?? 0) })
                        for d in baseDays {
                            let nd = Double(totals[Cell(site: site, day: d, dimension: dimension, category: "")] ?? 0)
                            let expected = nd * x2 / n2
                            guard expected > 0 else { continue }
                            let x = Double(counts[Cell(site: site, day: d, dimension: dimension, category: category)] ?? 0)
                            chi2 += (x - expected) * (x - expected) / expected
                        }
                    }
                    let df = Double((baseDays.count - 1) * max(1, cats.count - 1))
                    let phi = max(1, chi2 / df)
                    for category in cats {
                        let x1 = Double(counts[Cell(site: site, day: day, dimension: dimension, category: category)] ?? 0)
                        let x2 = Double(baseDays.reduce(0) { $0 + (counts[Cell(site: site, day: $1, dimension: dimension, category: category)] ?? 0) })
                        guard x1 + x2 > 0 else { continue }
                        tests.append((dimension, category, x1, n1, x2, n2, phi))
                    }
                }
                guard !tests.isEmpty else { continue }
                tested += 1
                let critical = Statistics.criticalZ(twoSidedP: options.alpha / Double(tests.count))
                for (dimension, category, x1, n1, x2, n2, phi) in tests {
                    let z = Statistics.twoProportionZ(x1, n1, x2, n2) / phi.squareRoot()
                    // Significant, and material: at least `minimumChange` and a fifth of the usual share.
                    let change = abs(x1 / n1 - x2 / n2)
                    let flag = abs(z) >= critical && change >= max(options.minimumChange, 0.2 * x2 / n2)
                    guard flag || options.all else { continue }
                    let share = x1 / n1, base = x2 / n2
                    rows.append([.string(site), .string(Timestamp.dateString(day: day)), .string(dimension), .string(category),
                                 .integer(Int64(x1)), Value.number(share), Value.number(base), Value.number(share - base),
                                 Value.number(z, 2), Value.number(critical, 2), .bool(flag), .integer(Int64(baseDays.count)), Value.number(phi, 2)])
                    if flag {
                        flagged.append((abs(z), "\(site) \(Timestamp.dateString(day: day)): \(dimension) '\(category)' \(share > base ? "rose" : "fell") "
                                        + "from \(Value.percent(base)) to \(Value.percent(share)) of contacts (z = \(String(format: "%.1f", z)), flagged at |z| ≥ \(String(format: "%.1f", critical)))"))
                    }
                }
            }
        }
        rows.sort { a, b in
            let za = abs(a[8].doubleValue ?? 0), zb = abs(b[8].doubleValue ?? 0)
            return za != zb ? za > zb : (a[0].stringValue ?? "", a[1].stringValue ?? "") < (b[0].stringValue ?? "", b[1].stringValue ?? "")
        }
        var findings = flagged.sorted { $0.z > $1.z }.prefix(5).map(\.text)
        if findings.isEmpty {
            findings.append(range.isEmpty ? range.emptyNote() : tested == 0
                ? "no site-day with at least two same-weekday baseline days in the last \(options.weeks) weeks"
                : "no significant, material shift in \(tested) site-days (family-wise α = \(options.alpha) per site-day; change ≥ \(Value.percent(options.minimumChange)) and ≥ a fifth of the usual share)")
        }
        let columns = ["site", "day", "dimension", "category", "contacts", "share", "baselineShare", "change", "z", "threshold", "flagged", "baselineDays", "dispersion"]
        return InsightReport(title: "Traffic mix \(range.text) against the same weekday over \(options.weeks) weeks",
                             findings: findings, result: QueryResult(columns: columns, rows: rows, positions: engine.positions, horizon: engine.dataHorizon))
    }
}
