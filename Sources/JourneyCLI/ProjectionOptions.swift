import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections

/// Opening a store's projections: `DATA/projections.sqlite`, with the KPI
/// parameters of `DATA/kpi.json` when it exists.
enum Projections {
    static func path(_ store: StoreOptions) -> String { store.directory + "/projections.sqlite" }

    static func parameters(_ directory: String) throws -> KPIParameters {
        let path = directory + "/kpi.json"
        guard FileManager.default.fileExists(atPath: path) else { return KPIParameters() }
        do {
            return try KPIParameters.parse(String(decoding: try InputFile.read(path), as: UTF8.self))
        } catch let e as ProjectionError {
            throw CLIError(ExitStatus.badInput, "\(path): \(e.message)")
        } catch let e as JSONParser.Failure {
            throw CLIError(ExitStatus.badInput, "\(path) is not valid JSON at byte \(e.offset + 1): \(e.reason)")
        }
    }

    /// The store's projection, caught up with its log (progress on standard error).
    static func caughtUp(_ store: StoreOptions) throws -> (LogStore, ProjectionEngine) {
        let s = try store.open(readOnly: true)
        let engine = try ProjectionEngine(path: path(store), parameters: try parameters(store.directory))
        engine.progress = { Console.error("projections: \($0)") }
        let started = Date()
        let n = try engine.catchUp(from: s)
        if n > 0 && Date().timeIntervalSince(started) > 2 {
            Console.error(String(format: "projections: caught up %d events in %.1f s", n, Date().timeIntervalSince(started)))
        }
        return (s, engine)
    }
}

extension Projections {
    /// Refuses a filter naming a site, queue, team or agent the projection
    /// does not hold (a typo would otherwise answer with an empty table),
    /// listing what it holds.
    static func checkFilters(_ engine: ProjectionEngine, site: String? = nil, queue: String? = nil,
                             team: String? = nil, agent: String? = nil) throws {
        for (dimension, value) in [(ProjectionEngine.FilterDimension.site, site), (.queue, queue), (.team, team), (.agent, agent)] {
            guard let value else { continue }
            let known = try engine.knownValues(dimension)
            guard !known.contains(value) else { continue }
            let shown = known.prefix(30).joined(separator: ", ") + (known.count > 30 ? ", … (\(known.count) in all)" : "")
            throw CLIError(ExitStatus.badInput, "no \(dimension.rawValue) '\(value)' in this store's projections; "
                           + (known.isEmpty ? "it holds none yet" : "\(dimension.rawValue)s: \(shown)"))
        }
    }
}

/// A calendar day given as YYYY-MM-DD.
struct DayArgument: ExpressibleByArgument {
    var day: Int64
    init?(argument: String) {
        guard let t = Timestamp(rfc3339: argument + "T00:00:00Z") else { return nil }
        day = t.ms / 86_400_000
    }
}

/// `--positions a=120,b=98`.
struct PositionsArgument: ExpressibleByArgument {
    var positions: [String: UInt64]
    init?(argument: String) {
        var p: [String: UInt64] = [:]
        for part in argument.split(separator: ",") {
            let kv = part.split(separator: "=")
            guard kv.count == 2, SiteID.isValid(String(kv[0])), let seq = UInt64(kv[1]) else { return nil }
            p[String(kv[0])] = seq
        }
        guard !p.isEmpty else { return nil }
        positions = p
    }
}
