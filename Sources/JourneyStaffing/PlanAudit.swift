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
        guard let id = record["plan"]?.stringValue, let date = record["date"]?.stringValue,
              let dayStart = Timestamp(rfc3339: date + "T00:00:00Z"),
              case .object(let parametersJSON) = record["parameters"], let kpiJSON = record["kpi"],
              case .object(let positionsJSON) = record["positions"] else {
            throw StaffingError(.malformedRecord, "the recorded plan lacks its id, date, parameters, kpi or positions: it was not written by `journey staffing plan --commit`")
        }
        let parameters = try PlanParameters.parse(parametersJSON)
        let kpi: KPIParameters
        do { kpi = try KPIParameters.parse(JSONWriter.string(kpiJSON)) } catch let e as ProjectionError { throw StaffingError(.malformedRecord, "recorded KPI parameters: \(e.message)") }
        var positions: [String: UInt64] = [:]
        for m in positionsJSON.members {
            guard let v = m.value.intValue, v >= 0 else { throw StaffingError(.malformedRecord, "recorded position of \(m.key) is not a seq") }
            positions[m.key] = UInt64(v)
        }
        // The store must hold every event the plan saw.
        let held = Dictionary(uniqueKeysWithValues: store.origins.map { ($0, store.snapshot(origin: $0)?.lastSeq ?? 0) })
        for (origin, seq) in positions.sorted(by: { $0.key < $1.key }) where (held[origin] ?? 0) < seq {
            throw StaffingError(.behind, "this store holds \(origin) up to seq \(held[origin] ?? 0), but plan \(id) used events up to \(seq): sync with the centre that made it, then audit again")
        }
        let forecast: Forecast? = try record["forecast"].flatMap { v in
            if case .null = v { return nil }
            return try Forecast.parse(recorded: v)
        }
        ProjectionEngine.removeFiles(at: scratchPath)
        defer { ProjectionEngine.removeFiles(at: scratchPath) }
        let replay: PlanRecord
        do {
            let engine = try ProjectionEngine(path: scratchPath, parameters: kpi)
            // A plan reads the base rows and the interval rows: customers, repeats and agent days,
            // a third of a rebuild, are not derived for it.
            engine.derivation = .staffingInputs
            engine.progress = progress
            eventsReplayed = try engine.rebuild(from: store, limit: .init(positions: positions))
            replay = try PlanRecord(engine: engine, day: LocalDay.utc(of: dayStart).number, parameters: parameters, forecast: forecast)
        }
        recomputed = replay.data
        self.positions = positions
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
}
