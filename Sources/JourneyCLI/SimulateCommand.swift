import ArgumentParser
import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel

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
        do {
            let writeStore = store.data != nil || jsonl == nil
            let logStore = writeStore ? try store.open() : nil
            guard let keep = site ?? logStore?.site else {
                throw CLIError(ExitStatus.badInput, "--site is needed when writing only --jsonl")
            }
            if let logStore, keep != logStore.site {
                throw CLIError(ExitStatus.badInput, "--site \(keep) is not this store's site '\(logStore.site)'; simulate into each centre's own store")
            }
            let siteList = sites.map { $0.split(separator: ",").map(String.init) } ?? [keep]
            guard siteList.contains(keep), siteList.allSatisfy(SiteID.isValid) else {
                throw CLIError(ExitStatus.badInput, "--sites must be valid site ids and include --site \(keep)")
            }
            var config = SimulationConfig(sites: siteList, seed: seed, days: days)
            config.agentsPerSite = agents
            config.contactsPerDay = contactsPerDay
            if let start {
                guard let t = Timestamp(rfc3339: start + "T00:00:00Z") else { throw CLIError(ExitStatus.badInput, "--start must be YYYY-MM-DD") }
                config.startDay = Int(t.ms / 86_400_000)
            }
            do {
                config.scenarios = try scenarios.map { try Scenario.parse($0, sites: siteList) }
            } catch let e as IngestError { throw CLIError(ExitStatus.badInput, e.message) }
            let out = jsonl.map { FileManager.default.createFile(atPath: $0, contents: nil) ? FileHandle(forWritingAtPath: $0) : nil } ?? nil
            if jsonl != nil && out == nil { throw CLIError(ExitStatus.badInput, "cannot write \(jsonl ?? "")") }
            defer { try? out?.close() }
            let clock = Date()
            var kept = 0, appended = 0, daysDone = 0
            try Simulator(config: config).run { name, events in
                guard name == keep else { return }
                kept += events.count
                if let logStore { appended += try logStore.append(events).appended }
                out?.write(Data(EventCodec.encodeLines(events)))
                daysDone += 1
                if daysDone % 7 == 0 { Console.error("simulate: \(name): \(kept) events so far (\(String(format: "%.1f", Date().timeIntervalSince(clock))) s)") }
            }
            Console.line("simulated \(days) day(s) of \(siteList.joined(separator: ", ")) (seed \(seed)): kept \(kept) events of \(keep)" +
                         (logStore != nil ? ", appended \(appended)" : "") + String(format: " in %.1f s", Date().timeIntervalSince(clock)))
        } catch {
            throw ExitStatus.report(error)
        }
    }
}
