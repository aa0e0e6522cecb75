import ArgumentParser
import Foundation
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyProjections

/// `journey coach`: agents below a KPI threshold after adjusting for tenure and queue mix.
struct CoachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coach",
        abstract: "Agents to coach: FCR (or CSAT) below a threshold after adjusting for tenure and queue mix; --schedule records coaching.",
        discussion: """
            Adjusted = overall rate × observed / expected, where expected sums, over the agent's contacts, the rate of all agents \
            on the same queue with the same tenure band (docs/insights.md). --schedule appends a coaching.scheduled event for each \
            listed agent of this centre (agents of other centres are coached by their own centre); they replicate, and \
            `journey query agents` shows them.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "fcr or csat.") var metric: MetricArgument = .fcr
    @Option(help: "Threshold, as a share (0.7 = 70 %).") var below: Double
    @Option(help: "Fewest contacts for an agent to be judged.") var minContacts = 30
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("First day (default: the 28 days up to the last whose FCR windows have closed, not before the data).", valueName: "date")) var from: DayArgument?
    @Option(help: ArgumentHelp("Last day, inclusive.", valueName: "date")) var to: DayArgument?
    @Flag(help: "Record coaching.scheduled events for the listed agents of this centre.") var schedule = false
    @OptionGroup var output: InsightOutput

    enum MetricArgument: String, ExpressibleByArgument, CaseIterable { case fcr, csat }

    func run() throws {
        try execute()
    }

    func execute() throws {
        var o = CoachingList.Options()
        o.metric = metric == .fcr ? .fcr : .csat
        o.below = below; o.minContacts = minContacts; o.site = site; o.fromDay = from?.day; o.toDay = to?.day
        let node = store.node()
        let (log, engine) = try node.projections()
        try Projections.checkFilters(engine, site: site)
        let started = node.clock.monotonicSeconds()
        Console.error("coach: judging every agent's \(o.metric.rawValue.uppercased()) against peers on the same queues and tenure…")
        let judged = try CoachingList.entries(engine, o)
        Console.error("coach: \(judged.entries.count) agents judged over \(judged.range.text) in \(String(format: "%.1f", node.clock.monotonicSeconds() - started)) s")
        let report = try CoachingList.report(engine, o, judged: judged)
        let listed = judged.entries.filter { $0.adjusted < below }
        InsightsCommand.print(report, output)
        guard schedule else { return }
        log.close()
        let events = CoachingList.scheduledEvents(listed, site: log.site, options: o, engine: engine, at: node.clock.now())
        let result = try node.record(events)
        Console.line("scheduled coaching for \(result.appended) agent(s) of \(log.site)"
                     + (result.duplicates > 0 ? " (\(result.duplicates) already scheduled for this data)" : "")
                     + (listed.count > events.count ? "; \(listed.count - events.count) listed agent(s) belong to other centres, which schedule their own" : ""))
    }
}
