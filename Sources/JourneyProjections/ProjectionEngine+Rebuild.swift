import GRDB
import JourneyModel

extension ProjectionEngine {
    /// Builds the secondary indexes and derives every row after a rebuild's
    /// apply loop, on both cores: the same rows as ``derive()``, in another
    /// order.
    ///
    /// Done one after the other on one connection, the indexes and the
    /// derivation kept one core busy and the other idle for about half of a
    /// rebuild. The agent days and the self-service days are read from the
    /// contacts' links, so they wait for the customers; but once the customer
    /// rows and links are committed, a second, read-only connection reads
    /// them (most of their cost: joining every handled visit to its contact)
    /// while this one builds the other indexes and the interval rows. Their
    /// results, a row per agent and day and per site and day, are then
    /// inserted here.
    ///
    /// The steps commit one by one; the file stays marked `dirty_all` until
    /// the last, so a rebuild stopped in between derives everything again at
    /// the next catch-up (which also builds any index still missing).
    func deriveRebuilt() throws {
        // The derivation's time without the index builds, which have their own phase.
        let started = monotonicSeconds(), indexBefore = timings["index"] ?? 0
        defer { timings["derive", default: 0] += monotonicSeconds() - started - ((timings["index"] ?? 0) - indexBefore) }
        let walk = ProjectionSchema.secondaryIndexes.filter { $0.contains(" \(ProjectionSchema.customerWalkIndex) ") }
        try buildIndexes(walk)
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = NORMAL") }
        try db.write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dirty_all'") == "1" else {
                throw ProjectionError(.malformedRecord, "a rebuild's projection is not marked for a full derivation: rebuild the projection")
            }
            try deriveCustomers(db, all: true)
        }

        // The agent days and self-service days, read on a connection of their own. Its read may
        // begin after this connection's next commits; those build indexes and write interval rows,
        // and change no table it reads (visits, contacts, agent time, agents).
        let agentDays = agentDaySelect(visitDays: "1", days: "1"), selfService = selfServiceSelect(days: "1")
        let reader = try DatabaseQueue(path: path, configuration: Self.readerConfiguration)
        let read = BackgroundRead {
            try reader.read { db in
                (try Row.fetchAll(db, sql: agentDays.sql, arguments: agentDays.arguments).map { Array($0.databaseValues) },
                 try Row.fetchAll(db, sql: selfService.sql, arguments: selfService.arguments).map { Array($0.databaseValues) })
            }
        }
        // Here meanwhile: the other indexes, then the interval rows.
        do {
            try buildIndexes(ProjectionSchema.secondaryIndexes.filter { !walk.contains($0) })
            try db.write { db in try deriveIntervals(db, days: "1", all: true) }
        } catch {
            _ = read.wait()
            throw error
        }
        let mark = monotonicSeconds()
        let (agentRows, selfRows) = try read.wait().get()
        let waited = monotonicSeconds() - mark
        try reader.close()
        let inserted = monotonicSeconds()
        try db.write { db in
            try db.execute(sql: "DELETE FROM agent_day")
            try insert(agentRows, into: "agent_day", columns: Self.agentDayColumns, db)
            try db.execute(sql: "DELETE FROM selfservice_day")
            try insert(selfRows, into: "selfservice_day", columns: Self.selfServiceColumns, db)
            try db.execute(sql: "DELETE FROM dirty_day")
            try db.execute(sql: "DELETE FROM meta WHERE key = 'dirty_all'")
        }
        // The wait for the other connection and the inserts of its rows.
        timings["derive.agentAndSelfServiceDays", default: 0] += waited + monotonicSeconds() - inserted
    }

    /// Inserts `rows` (values in `columns`' order) into `table`.
    private func insert(_ rows: [[DatabaseValue]], into table: String, columns: String, _ db: Database) throws {
        guard let width = rows.first?.count else { return }
        let statement = try db.makeStatement(sql: "INSERT INTO \(table) \(columns) VALUES (\(Array(repeating: "?", count: width).joined(separator: ",")))")
        for row in rows {
            statement.setUncheckedArguments(StatementArguments(row))
            try statement.execute()
        }
    }

    /// The page cache of the connection that reads beside a rebuild's writes,
    /// KiB: it reads each page about once (a visit, then its contact, both in
    /// key order), and the file's pages stay in the operating system's cache.
    static let readerCacheKiB = 2_048

    /// A read-only connection to the projection file, for reads beside this
    /// engine's writes (WAL: it reads the last commit while the writer goes on).
    static var readerConfiguration: Configuration {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(600)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(readerCacheKiB); PRAGMA temp_store = FILE") }
        return config
    }
}
