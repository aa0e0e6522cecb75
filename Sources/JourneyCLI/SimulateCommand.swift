import ArgumentParser
import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import JourneyNode

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a centre's traffic (seeded, deterministic) and append it to the store.",
        discussion: """
        The simulation covers every centre in --sites (one shared customer population, so journeys \
        cross centres) and keeps the events of --site. Running it for each centre's store with the \
        same --sites, --seed and options gives consistent province-wide traffic. \
        Scenarios: overflow-fault:site=S,queue=Q,day=D,after=SECONDS and \
        attrition:site=S,agents=N,from=D,leave=D (see docs/simulator.md).
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: "The centre whose events to keep (default: the store's own site).")
    var site: String?

    @Option(help: "Days to simulate.")
    var days = 28

    @Option(help: "Random seed: the same seed gives the same events.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (default 2026-03-02, a Monday).", valueName: "date"))
    var start: String?

    @Option(help: ArgumentHelp("Centres sharing the customer population, comma-separated (default: --site alone).", valueName: "a,b,c"))
    var sites: String?

    @Option(name: .customLong("scenario"), help: ArgumentHelp("Inject a scenario (repeatable).", valueName: "name:params"))
    var scenarios: [String] = []

    @Option(help: "Agents per centre.")
    var agents = 200

    @Option(help: "First contacts per centre on an average weekday.")
    var contactsPerDay = 6_500

    @Option(help: ArgumentHelp("Also write the kept events as canonical JSONL to this file (alone, when --data is not given).", valueName: "file"))
    var jsonl: String?

    func run() throws {
        let writeStore = store.data != nil || jsonl == nil
        let logStore = writeStore ? try store.open() : nil
        guard let keep = site ?? logStore?.site else {
            throw CLIError(.badInput, "--site is needed when writing only --jsonl")
        }
        if let logStore, keep != logStore.site {
            throw CLIError(.badInput, "--site \(keep) is not this store's site '\(logStore.site)'; simulate into each centre's own store")
        }
        let siteList = sites.map { $0.split(separator: ",").map(String.init) } ?? [keep]
        guard siteList.contains(keep), siteList.allSatisfy(SiteID.isValid) else {
            throw CLIError(.badInput, "--sites must be valid site ids and include --site \(keep)")
        }
        var config = SimulationConfig(sites: siteList, seed: seed, days: days)
        config.agentsPerSite = agents
        config.contactsPerDay = contactsPerDay
        if let start {
            guard let day = LocalDay(start) else { throw CLIError(.badInput, "--start must be YYYY-MM-DD") }
            config.startDay = Int(day.number)
        }
        config.scenarios = try scenarios.map { try Scenario.parse($0, sites: siteList) }
        let clock = CommandEnvironment.clock
        let r = try SimulationRun(config: config, keep: keep).run(into: logStore, jsonl: jsonl, clock: clock) { kept, seconds in
            Console.error("simulate: \(keep): \(kept) events so far (\(String(format: "%.1f", seconds)) s)")
        }
        Console.line("simulated \(days) day(s) of \(siteList.joined(separator: ", ")) (seed \(seed)): kept \(r.kept) events of \(keep)" +
                     (logStore != nil ? ", appended \(r.appended)" : "") + String(format: " in %.1f s", r.seconds))
    }
}
