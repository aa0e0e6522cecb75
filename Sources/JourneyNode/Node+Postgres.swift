import JourneyLog
import JourneyModel
import JourneyPostgres
import JourneyProjections

extension Node {
    /// One round of `journey project`: events the node's projection applied,
    /// and what the export copied (nil when the database was already current).
    public struct ProjectRound: Sendable {
        /// Events applied to the node's projection in this round.
        public var applied: Int
        /// What was copied to PostgreSQL.
        public var report: PostgresProjection.Report?
        /// Seconds the round took.
        public var seconds: Double
        /// Of which the node's own catch-up (the rest is the copy).
        public var catchUpSeconds: Double = 0
    }

    /// Brings the node's projections up to date and the PostgreSQL database
    /// with them (every row when `full`) (see ``PostgresProjection``). What an interrupted export
    /// left is copied first, so a kill between a catch-up and its export
    /// costs only that journal, never a full copy.
    ///
    /// With `follow`, keeps doing so as blocks are appended or replicated
    /// until `stop` returns true: woken at once by appends in this process
    /// (`store`'s writer, e.g. `serve --follow`), else looking every
    /// `pollMilliseconds` for what another process appended.
    public func project(to projection: PostgresProjection, follow: Bool, full: Bool = false, store given: LogStore? = nil,
                        pollMilliseconds: Int = 100, stop: @escaping @Sendable () -> Bool = { false },
                        round: @escaping @Sendable (ProjectRound) -> Void) async throws {
        let store = try given ?? openStore(readOnly: true)
        defer { if given == nil { store.close() } }
        let engine = try ProjectionEngine(path: directory.projectionsPath, parameters: try directory.kpiParameters())
        engine.progress = { [progress] in progress("projections: \($0)") }
        // One connection for every round (a dropped connection ends the command with its error:
        // run it under a supervisor that restarts it; the next run resumes where this one committed).
        try await projection.withSession { c in
            // Not attached yet, or rebuilt since: catch up first, then one full copy.
            if let journal = try engine.exportJournal(), !journal.full, !journal.isEmpty {
                let started = clock.monotonicSeconds()
                let pending = try await projection.export(engine, on: c)
                round(ProjectRound(applied: 0, report: pending, seconds: clock.monotonicSeconds() - started))
            }
            try engine.attachExport()
            if full { try engine.requireFullExport() }
            repeat {
                let generation = store.appended.generation
                let started = clock.monotonicSeconds()
                let applied = try engine.catchUp(from: store)
                let caughtUp = clock.monotonicSeconds()
                let report = try await projection.export(engine, on: c)
                if applied > 0 || report != nil || !follow {
                    round(ProjectRound(applied: applied, report: report, seconds: clock.monotonicSeconds() - started,
                                       catchUpSeconds: caughtUp - started))
                }
                if follow && !stop() { await store.appended.wait(after: generation, timeout: .milliseconds(pollMilliseconds)) }
            } while follow && !stop() && !Task.isCancelled
        }
    }
}

extension Node {
    /// Differences between the PostgreSQL projection and the node's (see
    /// ``PostgresProjection/differences(from:)``); empty when equal.
    public func checkProjection(_ projection: PostgresProjection) async throws -> [String] {
        let engine = try ProjectionEngine(path: directory.projectionsPath, parameters: try directory.kpiParameters())
        return try await projection.differences(from: engine)
    }
}
