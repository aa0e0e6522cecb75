import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyStaffing

/// `journey audit`: re-derive recorded decisions from the log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Re-derive a recorded decision from the log and compare.",
        subcommands: [AuditPlanCommand.self])
}

/// `journey audit plan [ID]`.
struct AuditPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Replay the log to a staffing plan's recorded positions, recompute the plan and report identical or the differences.",
        discussion: "Without an ID, lists the plans recorded in the store (from every centre). Exit status 0: identical; 1: the plan differs.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The plan id (plan-DATE-DIGEST), as printed by `journey staffing plan --commit`.") var id: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try execute()
    }

    func execute() throws {
        let (log, engine) = try Projections.caughtUp(store)
        let plans = try engine.recordedActions(kind: .staffingPlanned)
        guard let id else {
            var t = Table(["plan", "recorded by", "at", "date", "short before (agent-h)", "short after", "lent"], numeric: [4, 5, 6])
            for p in plans {
                let totals = p.data["totals"].flatMap { v -> JSONObject? in if case .object(let o) = v { return o } else { return nil } } ?? [:]
                let minutes = p.data["parameters"].flatMap { v -> Double? in if case .object(let o) = v { return o["intervalMinutes"]?.doubleValue } else { return nil } } ?? 30
                func hours(_ k: String) -> String { totals[k]?.doubleValue.map { String(format: "%.1f", $0 * minutes / 60) } ?? "" }
                t.add([p.data["plan"]?.stringValue ?? "?", "\(p.origin) #\(p.seq)", p.at.rfc3339, p.data["date"]?.stringValue ?? "?",
                       hours("shortfallBefore"), hours("shortfallAfter"), hours("lent")])
            }
            Console.line(plans.isEmpty ? "no staffing plans recorded; make one with `journey staffing plan --commit`" : t.render())
            return
        }
        guard let recorded = plans.first(where: { $0.data["plan"]?.stringValue == id }) else {
            throw CLIError(.badInput, "no staffing plan \(id) in this store (run `journey audit plan` to list them; sync if another centre made it)")
        }
        let scratch = store.directory + "/audit-\(ProcessInfo.processInfo.processIdentifier).sqlite"
        Console.error("audit: replaying the log to plan \(id)'s recorded positions in a scratch projection…")
        let audit = try PlanAudit(record: recorded.data, store: log, scratchPath: scratch) { Console.error("audit: \($0)") }
        let vector = audit.positions.keys.sorted().map { "\($0)=\(audit.positions[$0] ?? 0)" }.joined(separator: ",")
        if json {
            Console.line(JSONWriter.string(.object([
                "plan": .string(id), "identical": .bool(audit.identical), "recordedBy": .string(recorded.origin),
                "positions": .string(vector), "eventsReplayed": .integer(Int64(audit.eventsReplayed)),
                "differences": .array(audit.differences.map { .object(["field": .string($0.field), "recorded": .string($0.recorded), "recomputed": .string($0.recomputed)]) }),
            ])))
        } else if audit.identical {
            Console.line("plan \(id) (recorded by \(recorded.origin)): identical — replayed \(audit.eventsReplayed) events to positions \(vector) and recomputed the same requirements, shortfalls and \((recorded.data["lending"].flatMap { v -> Int? in if case .array(let a) = v { return a.count } else { return nil } }) ?? 0) loans")
        } else {
            Console.line("plan \(id) (recorded by \(recorded.origin)): DIFFERS after replaying \(audit.eventsReplayed) events to positions \(vector)")
            for d in audit.differences {
                Console.line("  \(d.field):\n    recorded:   \(d.recorded)\n    recomputed: \(d.recomputed)")
            }
        }
        if !audit.identical { throw ExitCode(ExitStatus.failure) }
    }
}
