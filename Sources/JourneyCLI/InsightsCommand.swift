import ArgumentParser
import Foundation
import JourneyInsights
import JourneyModel
import JourneyProjections

/// `journey insights`: findings that name a cause and show the evidence (docs/insights.md).
struct InsightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "Repeat root causes, traffic-mix shifts, team health and attrition warnings, from the projections.",
        subcommands: [RepeatsInsight.self, MixInsight.self, TeamsInsight.self, AttritionInsight.self])

    /// Prints a report: title, findings, then the rows (or JSON / CSV).
    static func print(_ report: InsightReport, _ output: InsightOutput) {
        if output.json { Console.line(JSONWriter.string(report.json)); return }
        if output.csv { Output.print(report.result, json: false, csv: true); return }
        Console.line("== \(report.title)")
        for f in report.findings { Console.line("• " + f) }
        Console.line()
        Output.print(report.result, json: false, csv: false)
    }

    /// Runs an analysis on the caught-up projection, after checking that `site`
    /// is one it holds (its errors exit as bad input, see ``ExitStatus``).
    static func run(_ store: StoreOptions, site: String?, _ body: (ProjectionEngine) throws -> InsightReport) throws -> InsightReport {
        let engine = try Projections.caughtUp(store).1
        try Projections.checkFilters(engine, site: site)
        return try body(engine)
    }
}

/// Output options shared by the insight commands.
struct InsightOutput: ParsableArguments {
    @Flag(help: "Print JSON (findings, rows, positions).") var json = false
    @Flag(help: "Print the rows as CSV.") var csv = false
}

struct RepeatsInsight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repeats",
        abstract: "Repeat contacts ranked by cause: route, queue, reason, agent, channel hand-off, cross-site.",
        discussion: "Ranked by excess: repeats beyond the cause's own rate in the previous period of the same length.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Repeat window, e.g. 72h (default: the projection's).") var window: WindowArgument?
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("First day (default: 7 days ending with the last whose windows have closed, not before the data).", valueName: "date")) var from: DayArgument?
    @Option(help: ArgumentHelp("Last day, inclusive.", valueName: "date")) var to: DayArgument?
    @Option(help: "Only this dimension: route, queue, reason, agent, handoff, cross-site.") var dimension: String?
    @Option(help: "Causes with fewer contacts are not ranked.") var minContacts = 30
    @Option(help: "Rows to show.") var limit = 15
    @OptionGroup var output: InsightOutput

    func run() throws {
        try execute()
    }

    func execute() throws {
        var o = RepeatCauses.Options()
        o.site = site; o.fromDay = from?.day; o.toDay = to?.day; o.windowHours = window?.hours
        o.dimension = dimension; o.minContacts = minContacts; o.limit = limit
        o.dataDirectory = store.directory
        InsightsCommand.print(try InsightsCommand.run(store, site: site) { try RepeatCauses.report($0, o) }, output)
    }
}

struct MixInsight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "Shares of contacts per queue, reason, channel and route against the same weekday of previous weeks; flags significant shifts.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("The day to test (default: the last complete day).", valueName: "date")) var day: DayArgument?
    @Option(help: ArgumentHelp("Test every day from this one…", valueName: "date")) var from: DayArgument?
    @Option(help: ArgumentHelp("…to this one, inclusive.", valueName: "date")) var to: DayArgument?
    @Option(help: "Weeks of same-weekday baseline.") var weeks = 4
    @Option(help: "Family-wise significance level per site-day.") var alpha = 0.01
    @Option(help: "Smallest change of share worth a flag (it must also be a fifth of the usual share).") var minChange = 0.01
    @Flag(help: "List every category, not only flagged shifts.") var all = false
    @OptionGroup var output: InsightOutput

    func run() throws {
        try execute()
    }

    func execute() throws {
        var o = MixMonitor.Options()
        o.site = site; o.weeks = weeks; o.alpha = alpha; o.minimumChange = minChange; o.all = all
        o.fromDay = day?.day ?? from?.day
        o.toDay = day?.day ?? to?.day
        InsightsCommand.print(try InsightsCommand.run(store, site: site) { try MixMonitor.report($0, o) }, output)
    }
}

struct TeamsInsight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams",
        abstract: "Team health: weekly FCR, AHT and CSAT trends and stability, and how each team's agents differ from the rest of the site.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("First day (default: the 8 weeks up to the last day whose windows have closed, not before the data).", valueName: "date")) var from: DayArgument?
    @Option(help: ArgumentHelp("Last day, inclusive.", valueName: "date")) var to: DayArgument?
    @OptionGroup var output: InsightOutput

    func run() throws {
        try execute()
    }

    func execute() throws {
        var o = TeamHealth.Options()
        o.site = site; o.fromDay = from?.day; o.toDay = to?.day
        InsightsCommand.print(try InsightsCommand.run(store, site: site) { try TeamHealth.report($0, o) }, output)
    }
}

struct AttritionInsight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attrition",
        abstract: "Agents drifting from their own baseline (handle time, not-ready time, days worked, CSAT, FCR, missed offers), scored with reasons.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("Last day of the recent window (default: the last complete day).", valueName: "date")) var asOf: DayArgument?
    @Option(help: "Days in the recent window.") var recentDays = 7
    @Option(help: "Days of baseline before it.") var baselineDays = 28
    @Option(help: "Score from which an agent is flagged.") var threshold = 10.0
    @Option(help: "Rows to show.") var limit = 20
    @OptionGroup var output: InsightOutput

    func run() throws {
        try execute()
    }

    func execute() throws {
        var o = AttritionWatch.Options()
        o.site = site; o.asOfDay = asOf?.day; o.recentDays = recentDays; o.baselineDays = baselineDays; o.threshold = threshold; o.limit = limit
        InsightsCommand.print(try InsightsCommand.run(store, site: site) { try AttritionWatch.report($0, o) }, output)
    }
}

/// `--window 72h` (or `3d`, or plain hours).
struct WindowArgument: ExpressibleByArgument {
    var hours: Int
    init?(argument: String) {
        let unit = argument.last
        let number = unit == "h" || unit == "d" ? String(argument.dropLast()) : argument
        guard let n = Int(number), n > 0, n <= 24 * 60 else { return nil }
        hours = unit == "d" ? n * 24 : n
    }
}
