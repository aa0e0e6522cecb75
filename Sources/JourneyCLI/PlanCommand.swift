import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneyStaffing

/// `journey staffing plan`: tomorrow's (or any day's) cross-site staffing plan.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Agents needed per site, queue and interval, and which site lends agents to which (docs/staffing.md).",
        discussion: """
            Demand is the mean of the same weekday over the last --weeks weeks (or --forecast FILE, CSV \
            site,queue,start,calls); AHT, patience and shrinkage are measured over those weeks; available agents \
            are the agents logged in on those days. The plan records the position vector it used; --commit appends \
            staffing.planned and agent.lent events, which replicate, and `journey audit plan ID` re-derives it.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Day to plan, YYYY-MM-DD (default: the day after the data horizon).") var date: DayArgument?
    @Option(help: "Interval length, minutes (a multiple of the projection's).") var interval = 30
    @Option(help: "Weeks of same-weekday history to average.") var weeks = 4
    @Option(help: "Service-level target, as a share.") var target = 0.8
    @Option(help: "Service-level threshold, seconds.") var within = 20.0
    @Option(help: "Highest occupancy allowed (0–1).") var maxOccupancy = 1.0
    @Option(help: "Shrinkage for every site (default: each site's measured not-ready share).") var shrinkage: Double?
    @Option(help: "Largest share of a site's agents of a skill set it may lend per interval.") var maxLendShare = 0.25
    @Option(help: "Forecast CSV (site,queue,start,calls) instead of history.") var forecast: String?
    @Flag(help: "Also list every site × queue × interval requirement.") var detail = false
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Record the plan: append staffing.planned and agent.lent events to this centre's log.") var commit = false

    func run() throws {
        try execute()
    }

    func execute() throws {
        var p = PlanParameters()
        p.intervalMinutes = interval
        p.weeks = weeks
        p.target = target
        p.withinSeconds = within
        p.maxOccupancy = maxOccupancy
        p.shrinkage = shrinkage
        p.maxLendShare = maxLendShare
        try p.validate()
        let fc = try forecast.map { path -> Forecast in
            do { return try Forecast.parse(csv: String(decoding: try InputFile.read(path), as: UTF8.self)) } catch let e as StaffingError {
                throw StaffingError(e.code, "\(path): \(e.message)")
            }
        }
        let node = store.node()
        let (log, engine) = try node.projections()
        guard engine.dataHorizon.ms > 0 else { throw CLIError(.badInput, "the store holds no events to plan from; import or simulate some first") }
        let day = date?.day ?? (engine.horizonDay() + 1)
        let record = try PlanRecord(engine: engine, day: day, parameters: p, forecast: fc)
        var committed: LogStore.AppendResult?
        if commit {
            log.close()
            committed = try node.record(record.events(site: log.site, at: node.clock.now()))
        }
        if json {
            var out = record.data
            if detail { out["requirements"] = .array(record.plan.requirements.map(Self.json)) }
            if let committed { out["committed"] = .object(["appended": .integer(Int64(committed.appended)), "duplicates": .integer(Int64(committed.duplicates))]) }
            Console.line(JSONWriter.string(.object(out)))
            return
        }
        Self.printPlan(record, detail: detail)
        if let committed {
            Console.line(committed.appended > 0
                ? "recorded: \(committed.appended) events (staffing.planned + \(committed.appended - 1) agent.lent), seq \(committed.firstSeq ?? 0)–\(committed.lastSeq ?? 0); they replicate with the next sync"
                : "already recorded (same plan, same id): nothing appended")
        }
    }

    static func json(_ r: StaffingPlan.Requirement) -> JSONValue {
        .object(["site": .string(r.site), "queue": .string(r.queue), "start": .string(Timestamp(ms: r.start).rfc3339),
                 "calls": .number(String(format: "%.2f", r.calls)), "aht": .number(String(format: "%.1f", r.ahtSeconds)),
                 "patience": r.patienceSeconds.map { .number(String(format: "%.1f", $0)) } ?? .null,
                 "model": .string(r.patienceSeconds == nil ? "erlang-c" : "erlang-a"),
                 "agents": .integer(Int64(r.agents)), "positions": .integer(Int64(r.positions))])
    }

    /// `HH:MM` (UTC) of an instant.
    static func clock(_ ms: Int64) -> String { String(Timestamp(ms: ms).rfc3339.dropFirst(11).prefix(5)) }

    /// One line per site: each queue's model, with the patience Erlang A used
    /// (`north: billing A 182 s, email C, …`). A queue whose intervals used
    /// both models (patience measured for some only) shows both.
    static func queueModels(_ plan: StaffingPlan) -> [String] {
        var byQueue: [String: [String: (a: [Double], c: Int)]] = [:]
        for r in plan.requirements {
            var m = byQueue[r.site, default: [:]][r.queue] ?? ([], 0)
            if let p = r.patienceSeconds { m.a.append(p) } else { m.c += 1 }
            byQueue[r.site, default: [:]][r.queue] = m
        }
        return byQueue.keys.sorted().map { site in
            let queues = byQueue[site] ?? [:]
            return "\(site): " + queues.keys.sorted().map { q in
                let m = queues[q] ?? ([], 0)
                let a = m.a.isEmpty ? nil : "A \(Int((m.a.reduce(0, +) / Double(m.a.count)).rounded())) s"
                return "\(q) " + [a, m.c > 0 ? "C" : nil].compactMap { $0 }.joined(separator: "/")
            }.joined(separator: ", ")
        }
    }

    /// The human report of a plan (also used by `journey demo`).
    static func printPlan(_ record: PlanRecord, detail: Bool) {
        let plan = record.plan
        let weekday = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"][Int(((plan.day % 7) + 7) % 7)]
        Console.line("Staffing plan \(record.id) for \(Timestamp.dateString(day: plan.day)) (\(weekday)), \(plan.parameters.intervalMinutes)-min intervals, "
                     + "target \(Int(plan.parameters.target * 100))/\(Int(plan.parameters.withinSeconds)) s, lend ≤ \(Int(plan.parameters.maxLendShare * 100)) % per skill set")
        if plan.forecast != nil {
            Console.line("demand: forecast file")
        } else {
            let days = plan.historyDays.keys.sorted().map { "\($0) \(plan.historyDays[$0]?.count ?? 0)" }.joined(separator: ", ")
            Console.line("demand: mean of the same weekday over the last \(plan.parameters.weeks) weeks (history days per site: \(days))")
        }
        if case .object(let p) = record.data["positions"] ?? .null {
            Console.line("from positions " + p.members.map { "\($0.key)=\(Output.text($0.value))" }.joined(separator: ","))
        }
        Console.line()
        var t = Table(["site", "shrinkage", "required agent-h", "available agent-h", "short before", "short after", "lent", "borrowed"], numeric: Set(1...7))
        let hours = Double(plan.parameters.intervalMinutes) / 60
        for site in Set(plan.sites.map(\.site)).sorted() {
            let rows = plan.sites.filter { $0.site == site }
            func sum(_ f: (StaffingPlan.SiteInterval) -> Int) -> String { String(format: "%.1f", Double(rows.reduce(0) { $0 + f($1) }) * hours) }
            t.add([site, String(format: "%.1f %%", (plan.shrinkage[site] ?? 0) * 100), sum(\.required), sum(\.available),
                   sum(\.shortfallBefore), sum(\.shortfallAfter), sum(\.lent), sum(\.borrowed)])
        }
        Console.line(t.render())
        let totals = plan.totals
        Console.line(String(format: "shortfall: %.1f agent-hours with each centre on its own, %.1f after lending (%.1f agent-hours lent)",
                            Double(totals.shortfallBefore) * hours, Double(totals.shortfallAfter) * hours, Double(totals.lent) * hours))
        Console.line("(shortfall is counted per interval and skill: a centre with more agent-hours than required overall can still be short "
                     + "where its agents lack the skill or work other hours. Required agents use Erlang A where callers' patience was measured "
                     + "— from voice and chat waits only, the channels where callers can hang up — else Erlang C.)")
        Console.line("model and patience per queue:")
        for line in queueModels(plan) { Console.line("  " + line) }
        Console.line()
        if plan.loans.isEmpty {
            Console.line("lending: none needed (no centre short where another has spare skilled agents)")
        } else {
            var l = Table(["from", "to", "skill", "agents", "start (UTC)", "end (UTC)"], numeric: [3])
            for loan in plan.loans { l.add([loan.from, loan.to, loan.queue, String(loan.agents), clock(loan.start), clock(loan.end)]) }
            Console.line("lending (\(plan.loans.count) loans):")
            Console.line(l.render())
        }
        if detail {
            Console.line()
            var d = Table(["site", "queue", "start (UTC)", "calls", "AHT s", "patience s", "model", "agents", "positions"], numeric: [3, 4, 5, 7, 8])
            for r in plan.requirements {
                d.add([r.site, r.queue, clock(r.start), String(format: "%.1f", r.calls), String(format: "%.0f", r.ahtSeconds),
                       r.patienceSeconds.map { String(format: "%.0f", $0) } ?? "—", r.patienceSeconds == nil ? "Erlang C" : "Erlang A",
                       String(r.agents), String(r.positions)])
            }
            Console.line(d.render())
        }
    }
}
