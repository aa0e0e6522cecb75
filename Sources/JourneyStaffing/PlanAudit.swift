import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections

/// Re-derives a recorded plan (`journey audit plan`): replays the log to
/// the position vector the plan recorded into a scratch projection, with the
/// KPI parameters it recorded, recomputes the plan with its recorded
/// parameters (and forecast), and compares the two records member by member.
public struct PlanAudit: Sendable {
    /// What differs between the recorded and recomputed plans (empty when identical).
    public var differences: [Difference]
    /// The position vector replayed to and the events replayed.
    public var positions: [String: UInt64]
    /// Events replayed to the plan's recorded positions.
    public var eventsReplayed: Int
    /// The plan as recomputed from the replay.
    public var recomputed: JSONObject
    /// How the events were replayed for the audit.
    public var method: Method

    /// How an audit replayed the events up to the plan's positions.
    public enum Method: Sendable, Equatable {
        /// Into a scratch projection of its own (`journey audit plan`).
        case scratchReplay
        /// Projections given to it, already rebuilt to exactly those positions.
        case givenProjections
    }

    /// A field whose recorded and recomputed values differ.
    public struct Difference: Sendable, Equatable {
        /// The field.
        public var field: String
        /// Its recorded value.
        public var recorded: String
        /// Its recomputed value.
        public var recomputed: String
    }

    /// Whether the recomputed plan equals the recorded one.
    public var identical: Bool { differences.isEmpty }

    /// Audits `record` (a `staffing.planned` event's data) against `store`,
    /// using `scratchPath` for the replayed projection (deleted afterwards);
    /// `progress` hears how the replay goes.
    public init(record: JSONObject, store: LogStore, scratchPath: String, progress: @escaping (String) -> Void = { _ in }) throws {
        let recorded = try Recorded(record)
        // The store must hold every event the plan saw.
        let held = Dictionary(uniqueKeysWithValues: store.origins.map { ($0, store.snapshot(origin: $0)?.lastSeq ?? 0) })
        for (origin, seq) in recorded.positions.sorted(by: { $0.key < $1.key }) where (held[origin] ?? 0) < seq {
            throw StaffingError(.behind, "this store holds \(origin) up to seq \(held[origin] ?? 0), but plan \(recorded.id) used events up to \(seq): sync with the centre that made it, then audit again")
        }
        ProjectionEngine.removeFiles(at: scratchPath)
        defer { ProjectionEngine.removeFiles(at: scratchPath) }
        let replay: PlanRecord, replayed: Int
        do {
            let engine = try ProjectionEngine(path: scratchPath, parameters: recorded.kpi)
            // A plan reads the base rows and the interval rows: customers, repeats and agent days,
            // a third of a rebuild, are not derived for it.
            engine.derivation = .staffingInputs
            engine.progress = progress
            replayed = try engine.rebuild(from: store, limit: .init(positions: recorded.positions))
            replay = try recorded.recompute(engine)
        }
        self.init(record: record, recorded: recorded, recomputed: replay, eventsReplayed: replayed, method: .scratchReplay)
    }

    /// Audits `record` against `engine`, projections already rebuilt from a
    /// copy of the log to exactly the positions the plan recorded, with the
    /// KPI parameters it recorded: the plan is recomputed from them, without
    /// a second replay. (The demo audits at south this way: south rebuilds its
    /// projections to those positions anyway.) ``eventsReplayed`` is the
    /// events up to those positions, which the engine applied.
    ///
    /// Throws ``StaffingError/Code/notAtPositions`` when the engine holds any
    /// other position of any origin or was computed with other KPI
    /// parameters: audit by replaying the log then (the other initialiser).
    public init(record: JSONObject, engine: ProjectionEngine) throws {
        let recorded = try Recorded(record)
        guard engine.parameters == recorded.kpi else {
            throw StaffingError(.notAtPositions, "these projections were computed with other KPI parameters than plan \(recorded.id) recorded: audit it by replaying the log (journey audit plan)")
        }
        let origins = Set(recorded.positions.keys).union(engine.positions.keys)
        if let origin = origins.sorted().first(where: { (engine.positions[$0] ?? 0) != (recorded.positions[$0] ?? 0) }) {
            throw StaffingError(.notAtPositions, "these projections hold \(origin) up to seq \(engine.positions[origin] ?? 0), but plan \(recorded.id) used events up to \(recorded.positions[origin] ?? 0): audit it by replaying the log (journey audit plan)")
        }
        let replay = try recorded.recompute(engine)
        self.init(record: record, recorded: recorded, recomputed: replay,
                  eventsReplayed: Int(clamping: recorded.positions.values.reduce(UInt64(0), +)), method: .givenProjections)
    }

    /// Compares `record` with the plan recomputed from the events up to its positions.
    private init(record: JSONObject, recorded: Recorded, recomputed replay: PlanRecord, eventsReplayed: Int, method: Method) {
        self.eventsReplayed = eventsReplayed
        self.method = method
        recomputed = replay.data
        positions = recorded.positions
        var diffs: [Difference] = []
        // The id is a digest of the rest; compare the members themselves.
        let keys = record.members.map(\.key) + replay.data.members.map(\.key).filter { record[$0] == nil }
        // Who recorded the plan (`by`, stamped by the console) is not part of it.
        for key in keys where key != "plan" && key != "by" {
            let a = record[key], b = replay.data[key]
            guard a != b else { continue }
            if key == "lending" || key == "sites", case .array(let x) = a ?? .null, case .array(let y) = b ?? .null {
                let only1 = x.filter { !y.contains($0) }, only2 = y.filter { !x.contains($0) }
                diffs.append(Difference(field: key, recorded: only1.map { JSONWriter.string($0) }.joined(separator: " "),
                                        recomputed: only2.map { JSONWriter.string($0) }.joined(separator: " ")))
            } else {
                diffs.append(Difference(field: key, recorded: a.map { JSONWriter.string($0) } ?? "(absent)",
                                        recomputed: b.map { JSONWriter.string($0) } ?? "(absent)"))
            }
        }
        differences = diffs
    }

    /// What an audit reads of a recorded plan: its id, day, parameters, KPI
    /// parameters, positions and forecast.
    struct Recorded {
        var id: String
        var day: Int64
        var parameters: PlanParameters
        var kpi: KPIParameters
        var positions: [String: UInt64]
        var forecast: Forecast?

        init(_ record: JSONObject) throws {
            guard let id = record["plan"]?.stringValue, let date = record["date"]?.stringValue,
                  let dayStart = Timestamp(rfc3339: date + "T00:00:00Z"),
                  case .object(let parametersJSON) = record["parameters"], let kpiJSON = record["kpi"],
                  case .object(let positionsJSON) = record["positions"] else {
                throw StaffingError(.malformedRecord, "the recorded plan lacks its id, date, parameters, kpi or positions: it was not written by `journey staffing plan --commit`")
            }
            self.id = id
            day = LocalDay.utc(of: dayStart).number
            parameters = try PlanParameters.parse(parametersJSON)
            do { kpi = try KPIParameters.parse(JSONWriter.string(kpiJSON)) } catch let e as ProjectionError { throw StaffingError(.malformedRecord, "recorded KPI parameters: \(e.message)") }
            positions = [:]
            for m in positionsJSON.members {
                guard let v = m.value.intValue, v >= 0 else { throw StaffingError(.malformedRecord, "recorded position of \(m.key) is not a seq") }
                positions[m.key] = UInt64(v)
            }
            forecast = try record["forecast"].flatMap { v in
                if case .null = v { return nil }
                return try Forecast.parse(recorded: v)
            }
        }

        /// The plan computed again from `engine`, with the recorded parameters and forecast.
        func recompute(_ engine: ProjectionEngine) throws -> PlanRecord {
            try PlanRecord(engine: engine, day: day, parameters: parameters, forecast: forecast)
        }
    }
}
