import GRDB
import JourneyModel

/// Concurrent readers of a projection file, beside the one engine that
/// writes it: SQLite in WAL mode lets each reader see the last committed
/// catch-up while the next one is written. Every read also reads, in the same
/// transaction, the positions and horizon its rows reflect (the checkpoints
/// are committed with the rows), so the two always agree.
///
/// The console answers its most frequent request, the screen-pop, here,
/// on both cores, instead of queueing behind the engine.
public final class ProjectionReader: Sendable {
    let pool: DatabasePool
    /// The KPI parameters the projection is built with.
    public let parameters: KPIParameters

    /// Readers of the projection at `path` (which its engine created), built with `parameters`.
    public init(path: String, parameters: KPIParameters, readers: Int = 4) throws {
        var config = Configuration()
        config.readonly = true
        config.maximumReaderCount = max(1, readers)
        config.busyMode = .timeout(10)
        // Pages mapped rather than copied by read(2); each connection keeps its own page cache.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 268435456") }
        pool = try DatabasePool(path: path, configuration: config)
        self.parameters = parameters
    }

    /// What a read returned, with the positions and horizon it reflects.
    public struct Snapshot<T> {
        /// The read's result.
        public var value: T
        /// Per origin, the last seq applied.
        public var positions: [String: UInt64]
        /// The data horizon (ms).
        public var horizon: Int64
    }

    /// Runs the read `body` makes from reads at the file's horizon, in one
    /// read transaction. The read's SQL text must not vary with the request
    /// (values bound as arguments): its statements stay prepared on each connection.
    public func read<T>(_ body: (ProjectionReads) -> ProjectionRead<T>) throws -> Snapshot<T> {
        try pool.read { db in
            var positions: [String: UInt64] = [:]
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT origin, last_seq FROM checkpoint")) {
                positions[row[0]] = UInt64(max(0, row[1] as Int64))
            }
            let horizon = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'horizon'")) ?? 0
            let value = try body(ProjectionReads(parameters: parameters, horizon: horizon)).run(db, cached: true)
            return Snapshot(value: value, positions: positions, horizon: horizon)
        }
    }
}
