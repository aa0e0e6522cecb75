import JourneyLog
import JourneyModel
import JourneyProjections

/// A plan with the provenance it is recorded with: its id, and the
/// `staffing.planned` / `agent.lent` events `--commit` appends.
///
/// The id is `plan-DATE-` and the first 12 hex digits of the SHA-256 of the
/// recorded JSON less its positions, so recording the same plan twice — even
/// after the first recording moved the centre's own position — is a no-op
/// (the log skips a known id), and a different plan for the same day gets
/// another id.
public struct PlanRecord: Sendable {
    /// The plan.
    public var plan: StaffingPlan
    /// The plan's id: `plan-DATE-` and a digest of what it was computed from, so the same inputs give the same id.
    public var id: String
    /// The `staffing.planned` event's data (includes `"plan": id`).
    public var data: JSONObject

    /// Computes the plan for `day` from the projection as it stands, recording its positions, horizon and KPI parameters.
    public init(engine: ProjectionEngine, day: Int64, parameters: PlanParameters, forecast: Forecast? = nil) throws {
        let history: StaffingHistory
        do {
            history = try engine.staffingHistory(day: day, weeks: parameters.weeks, intervalMinutes: parameters.intervalMinutes)
        } catch let e as ProjectionError {
            // A forecast file stands in for missing history, except for agents: those come from history only.
            throw StaffingError(e.code == .insufficientHistory ? .insufficientHistory : .invalidParameter, e.message)
        }
        let plan = try StaffingPlanner(parameters: parameters).plan(history, forecast: forecast)
        let kpi = try JSONParser.parse(engine.parameters.json)
        var data = plan.record(positions: engine.positions, horizon: engine.dataHorizon, kpiParameters: kpi)
        // The id digests everything but the positions: committing a plan appends its own events and
        // so moves its centre's position, and the same plan committed again must keep its id.
        var identity = data
        identity.members.removeAll { $0.key == "positions" }
        let digest = Checksum.hex(Array(JSONWriter.string(.object(identity)).utf8).withUnsafeBytes { Checksum.sha256([$0]) })
        let id = "plan-" + Timestamp.dateString(day: day) + "-" + String(digest.prefix(12))
        data.members.insert(.init("plan", .string(id)), at: 0)
        self.plan = plan
        self.id = id
        self.data = data
    }

    /// The events that record the plan at `site` (the node's own site): one
    /// `staffing.planned`, then one `agent.lent` per loan.
    public func events(site: String, at: Timestamp) -> [Event] {
        var out = [Event(site: site, id: id, at: at, kind: .staffingPlanned, data: data)]
        for (i, loan) in plan.loans.enumerated() {
            guard case .object(var d) = loan.json else { continue }
            d.members.insert(.init("plan", .string(id)), at: 0)
            out.append(Event(site: site, id: "\(id)/lend-\(i + 1)", at: at, kind: .agentLent, queue: loan.queue, data: d))
        }
        return out
    }
}
