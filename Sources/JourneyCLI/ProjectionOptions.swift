import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections

/// The projections of the store a command works on.
enum Projections {
    /// The store's projection, caught up with its log (progress on standard error).
    static func caughtUp(_ store: StoreOptions) throws -> (LogStore, ProjectionEngine) { try store.node().projections() }
}

extension Projections {
    /// Refuses a filter naming a site, queue, team or agent the projection
    /// does not hold (a typo would otherwise answer with an empty table),
    /// listing what it holds.
    static func checkFilters(_ engine: ProjectionEngine, site: String? = nil, queue: String? = nil,
                             team: String? = nil, agent: String? = nil) throws {
        for (dimension, value) in [(ProjectionEngine.FilterDimension.site, site), (.queue, queue), (.team, team), (.agent, agent)] {
            guard let value else { continue }
            try checkFilter(dimension, value, known: try engine.knownValues(dimension))
        }
    }

    /// Refuses `value` when it is not among the `known` values of `dimension` (exit 3, listing them).
    static func checkFilter(_ dimension: ProjectionEngine.FilterDimension, _ value: String, known: [String]) throws {
        try ProjectionEngine.checkFilter(dimension, value, known: known)
    }
}

/// A calendar day given as YYYY-MM-DD.
struct DayArgument: ExpressibleByArgument {
    var day: Int64
    init?(argument: String) {
        guard let d = LocalDay(argument) else { return nil }
        day = d.number
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
