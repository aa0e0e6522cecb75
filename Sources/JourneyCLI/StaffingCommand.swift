import ArgumentParser
import Foundation
import JourneyModel
import JourneyStaffing

struct StaffingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staffing",
        abstract: "Staffing from Erlang C / Erlang A.",
        subcommands: [ErlangCommand.self, PlanCommand.self])
}

struct ErlangCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erlang",
        abstract: "Agents needed for a call volume: Erlang C, and Erlang A with --patience. Needs no store.")

    @Option(help: "Calls arriving in the period.") var calls: Double
    @Option(help: "Length of the period, minutes.") var period: Double = 30
    @Option(help: "Average handle time, seconds (talk + hold + ACW).") var aht: Double
    @Option(help: "Service-level target, as a share (0.8 = 80 %).") var target: Double = 0.8
    @Option(help: "Service-level threshold, seconds.") var within: Double = 20
    @Option(help: "Highest occupancy allowed (0–1).") var maxOccupancy: Double = 1
    @Option(help: "Shrinkage: share of paid time not available for calls (0–1).") var shrinkage: Double = 0
    @Option(help: "Mean caller patience, seconds: adds Erlang A figures.") var patience: Double?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard calls > 0, period > 0, aht > 0 else { throw ValidationError("--calls, --period and --aht must be positive") }
        guard target > 0, target < 1 else { throw ValidationError("--target must be between 0 and 1 (e.g. 0.8)") }
        let b = ErlangC.Bounds.self
        guard within >= 0, within <= b.withinSecondsMax, maxOccupancy >= b.occupancyMin, maxOccupancy <= 1 else {
            throw ValidationError("--within must be 0–\(Int(b.withinSecondsMax)) s and --max-occupancy \(b.occupancyMin)–1")
        }
        guard shrinkage >= 0, shrinkage < 1 else { throw ValidationError("--shrinkage must be in [0, 1)") }
        if let patience, !b.patienceSeconds.contains(patience) {
            throw ValidationError("--patience must be \(Int(b.patienceSeconds.lowerBound))–\(Int(b.patienceSeconds.upperBound)) seconds")
        }
        guard aht >= b.ahtSecondsMin, aht <= Double(Limits.durationMsMax / 1000) else {
            throw ValidationError("--aht must be \(Int(b.ahtSecondsMin))–\(Limits.durationMsMax / 1000) seconds")
        }
        let load = calls * aht / (period * 60)
        guard load.isFinite, load <= b.loadMax else {
            throw ValidationError("--calls × --aht over --period is \(load) erlangs; the calculator plans up to \(Int(b.loadMax))")
        }
    }

    func run() throws {
        let c = ErlangC(callsPerPeriod: calls, periodSeconds: period * 60, ahtSeconds: aht)
        let n = c.agents(serviceLevel: target, withinSeconds: within, maxOccupancy: maxOccupancy)
        var out: JSONObject = [
            "load": .number(String(format: "%.4f", c.load)),
            "agents": .integer(Int64(n)),
            "positions": .integer(Int64(ErlangC.positions(agents: n, shrinkage: shrinkage))),
            "serviceLevel": .number(String(format: "%.4f", c.serviceLevel(n, withinSeconds: within))),
            "asa": .number(String(format: "%.2f", c.averageSpeedOfAnswer(n))),
            "occupancy": .number(String(format: "%.4f", c.occupancy(n))),
            "waitProbability": .number(String(format: "%.4f", c.waitProbability(n))),
        ]
        var erlangA: JSONObject?
        if let patience {
            let a = ErlangA(callsPerPeriod: calls, periodSeconds: period * 60, ahtSeconds: aht, patienceSeconds: patience)
            let na = a.agents(serviceLevel: target, withinSeconds: within, maxOccupancy: maxOccupancy)
            out["abandonProbability"] = .number(String(format: "%.4f", a.abandonProbability(n)))
            erlangA = [
                "agents": .integer(Int64(na)),
                "positions": .integer(Int64(ErlangC.positions(agents: na, shrinkage: shrinkage))),
                "serviceLevel": .number(String(format: "%.4f", a.serviceLevel(na, withinSeconds: within))),
                "asa": .number(String(format: "%.2f", a.averageSpeedOfAnswer(na))),
                "waitProbability": .number(String(format: "%.4f", a.waitProbability(na))),
                "abandonProbability": .number(String(format: "%.4f", a.abandonProbability(na))),
            ]
            out["erlangA"] = .object(erlangA ?? [:])
        }
        if json {
            Console.line(JSONWriter.string(.object(out)))
            return
        }
        Console.line(String(format: "%.0f calls in %.0f min, AHT %.0f s: %.2f erlangs; target %.0f%% within %.0f s",
                            calls, period, aht, c.load, target * 100, within))
        var t = Table(["model", "agents", "positions", "service level", "ASA s", "occupancy", "P(wait)", "P(abandon)"], numeric: [1, 2, 3, 4, 5, 6, 7])
        func text(_ o: JSONObject, _ k: String) -> String { o[k].map { Output.text($0) } ?? "—" }
        t.add(["Erlang C"] + ["agents", "positions", "serviceLevel", "asa", "occupancy", "waitProbability"].map { text(out, $0) } + ["—"])
        if let a = erlangA {
            t.add(["Erlang A (patience \(Int(patience ?? 0)) s)", text(a, "agents"), text(a, "positions"), text(a, "serviceLevel"),
                   text(a, "asa"), "—", text(a, "waitProbability"), text(a, "abandonProbability")])
        }
        Console.line(t.render())
    }
}
