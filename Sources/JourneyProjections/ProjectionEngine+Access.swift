import GRDB
import JourneyModel

extension ProjectionEngine {
    /// The actions recorded in the log (`coaching.scheduled`, `staffing.planned`,
    /// `agent.lent`), oldest first, optionally of one kind.
    public func recordedActions(kind: EventKind? = nil) throws -> [RecordedAction] {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT origin, seq, kind, at, agent, data FROM action \(kind == nil ? "" : "WHERE kind = ?") ORDER BY at, origin, seq
                """, arguments: kind.map { [$0.rawValue] } ?? [])
            return try rows.map { r in
                guard case .object(let data) = try JSONParser.parse(r[5] as String) else { throw ProjectionError(.malformedRecord, "action data is not an object") }
                return RecordedAction(origin: r[0], seq: UInt64(r[1] as Int64), kind: EventKind(r[2] as String),
                                      at: Timestamp(ms: r[3]), agent: r[4], data: data)
            }
        }
    }
}

/// An action event as the projection holds it.
public struct RecordedAction: Sendable, Equatable {
    /// The origin whose log recorded it.
    public var origin: String
    /// Its seq in that log.
    public var seq: UInt64
    /// The action's kind (`staffing.planned`, `agent.lent`, `coaching.scheduled`).
    public var kind: EventKind
    /// When it was recorded.
    public var at: Timestamp
    /// The agent concerned, if any.
    public var agent: String?
    /// The action's data as recorded.
    public var data: JSONObject
}

extension ProjectionEngine {
    /// The last day all of whose contacts' repeat windows (of `windowMs`,
    /// default W) had closed by the data horizon: FCR and repeat figures of
    /// later days still count only the repeats seen so far.
    public func lastClosedWindowDay(windowMs: Int64? = nil, site: String? = nil) -> Int64 {
        horizonDay(site: site) - 1 - LocalDay.covering(ms: windowMs ?? parameters.repeatWindowMs)
    }

    /// The local day of the data horizon at `site`. Without a site, the
    /// earliest of the sites' local days: a day before it has ended at every site.
    public func horizonDay(site: String? = nil) -> Int64 {
        if let site { return calendar.day(horizon, site: site) }
        return checkpoints.keys.map { calendar.day(horizon, site: $0) }.min() ?? LocalDay(localMs: horizon).number
    }

    /// The first local day with offered contacts (at `site`, or at any site),
    /// nil before any: the earliest day a default range should start.
    public func firstDataDay(site: String? = nil) throws -> Int64? {
        try db.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(day) FROM interval_stat" + (site == nil ? "" : " WHERE site = ?"),
                               arguments: site.map { [$0] } ?? [])
        }
    }

    /// A dimension a query or insight can be narrowed to.
    public enum FilterDimension: String, Sendable, CaseIterable {
        case site, queue, team, agent
    }

    /// Every value of `dimension` the projection holds, sorted: what a filter
    /// on it can match (sites also count the origins applied, even without contacts yet).
    public func knownValues(_ dimension: FilterDimension) throws -> [String] {
        var values = Set(try read(reads.knownValues(dimension)))
        if dimension == .site { values.formUnion(checkpoints.keys) }
        return values.sorted()
    }

    /// ``lastClosedWindowDay(windowMs:)`` for the projection's window.
    public var lastClosedWindowDay: Int64 { lastClosedWindowDay() }

    /// The repeat window W, in ms, the projection was built with.
    public var repeatWindowMs: Int64 { parameters.repeatWindowMs }

    /// Local day number of a UTC instant at `site`.
    public func localDay(_ t: Timestamp, site: String) -> Int64 { calendar.day(t.ms, site: site) }

    /// Refuses `value` when it is not among the `known` values of `dimension`
    /// (a typo would otherwise answer with an empty table), listing what the
    /// projection holds: an ``ProjectionError/Code/invalidRequest``.
    public static func checkFilter(_ dimension: FilterDimension, _ value: String, known: [String]) throws {
        guard !known.contains(value) else { return }
        let shown = known.prefix(30).joined(separator: ", ") + (known.count > 30 ? ", … (\(known.count) in all)" : "")
        throw ProjectionError(.invalidRequest, "no \(dimension.rawValue) '\(value)' in this store's projections; "
                              + (known.isEmpty ? "it holds none yet" : "\(dimension.rawValue)s: \(shown)"))
    }

    /// Refuses a filter naming a site, queue, team or agent this projection does not hold.
    public func checkFilter(_ f: ProjectionQuery.Filter) throws {
        for (dimension, value) in [(FilterDimension.site, f.site), (.queue, f.queue), (.team, f.team), (.agent, f.agent)] {
            guard let value else { continue }
            try Self.checkFilter(dimension, value, known: try knownValues(dimension))
        }
    }
}
