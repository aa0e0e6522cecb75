import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyStaffing
import Synchronization

/// Audits of recorded plans run from the console (`/plan/audit/ID`): the log
/// replayed to the plan's recorded positions in a scratch projection and the
/// plan computed again, as `journey audit plan ID` does. A plan's recorded
/// positions never change, so each result is kept for the node's life and
/// shown beside the plan on the Plan page.
public final class PlanAudits: Sendable {
    /// One audit's outcome.
    public struct Outcome: Sendable {
        /// True when the recomputed plan equals the recorded one.
        public var identical: Bool
        /// The fields that differ, with both values.
        public var differences: [PlanAudit.Difference]
        /// Events replayed.
        public var eventsReplayed: Int
    }

    private let results = Mutex<[String: Outcome]>([:])
    /// The audit running now, if any: one at a time (each replays the log into a scratch file).
    private let running = Mutex<String?>(nil)

    /// An empty cache.
    public init() {}

    /// The outcome of plan `id`, if it was audited.
    public func outcome(_ id: String) -> Outcome? { results.withLock { $0[id] } }

    /// Audits `record` (a recorded plan's data) against `store`, on a thread of
    /// its own (a replay takes a while and must not hold Swift's cooperative
    /// pool); one audit at a time, a second request meanwhile is answered 503.
    func audit(id: String, record: JSONObject, store: LogStore, scratchDirectory: String) async throws -> Outcome {
        if let done = outcome(id) { return done }
        let busy = running.withLock { current -> String? in
            if let current { return current }
            current = id
            return nil
        }
        if let busy {
            throw ConsoleError(.unavailable, "the audit of plan \(busy) is running (it replays the log); reload this page in a moment")
        }
        defer { running.withLock { $0 = nil } }
        let scratch = scratchDirectory + "/audit-console-\(UUID().uuidString).sqlite"
        let outcome: Outcome = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let audit = try PlanAudit(record: record, store: store, scratchPath: scratch)
                    continuation.resume(returning: Outcome(identical: audit.identical, differences: audit.differences, eventsReplayed: audit.eventsReplayed))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        results.withLock { $0[id] = outcome }
        return outcome
    }
}

extension ConsoleServer {
    /// `/plan/audit/ID`: audits a recorded plan and shows the outcome.
    func auditPlan(_ id: String, _ p: Principal, _ fields: [String: String]) async throws -> PageContent {
        try Self.only(fields, [])
        let plans = try await host.read { engine in try engine.recordedActions(kind: .staffingPlanned) }
        guard let recorded = plans.first(where: { $0.data["plan"]?.stringValue == id }) else {
            throw ConsoleError(.notFound, "no staffing plan \(id) recorded in this node's log (sync if another centre made it)")
        }
        let outcome = try await answering {
            try await audits.audit(id: id, record: recorded.data, store: host.store, scratchDirectory: node.directory.path)
        }
        let rows = outcome.differences.map { d -> [HTML] in ["\(d.field)", "<code>\(d.recorded)</code>", "<code>\(d.recomputed)</code>"] }
        let verdict: HTML = outcome.identical
            ? "<p class=\"notice\" id=\"audit-verdict\">Identical: \(outcome.eventsReplayed) events replayed to the plan's recorded positions give the same requirements, shortfalls and loans.</p>"
            : "<p class=\"error\" id=\"audit-verdict\">Differs after replaying \(outcome.eventsReplayed) events to the plan's recorded positions.</p>\(Layout.table(["field", "recorded", "recomputed"], rows))"
        let content: HTML = """
            <h1>Audit of plan \(id)</h1>
            <p>Recorded by \(recorded.origin) at \(recorded.at.rfc3339)\(recorded.data["by"]?.stringValue.map { " by " + $0 } ?? "").</p>
            \(verdict)
            \(Layout.command("journey audit plan \(ProjectionQuery.shellQuoted(id))"))
            <p><a href="/plan">Back to the plan</a></p>
            """
        return PageContent(title: "Plan audit", site: host.store.site, content: content, liveEveryMs: 60_000)
    }
}
