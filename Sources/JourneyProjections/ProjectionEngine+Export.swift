import Foundation
import GRDB
import JourneyModel

/// A table of the projection as an export copies it: its columns in order,
/// its primary key (the order pages are read in) and which of its rows an
/// incremental export copies.
public enum ExportTable: String, Sendable, CaseIterable {
    // The projection's tables, in the order a full copy writes them.
    case contact, visit, agent, agentSkill = "agent_skill", agentTime = "agent_time", action, agentDay = "agent_day"
    case intervalStat = "interval_stat", customer, selfserviceDay = "selfservice_day", siteZone = "site_zone"

    /// The SQLite table's name.
    public var name: String { rawValue }

    /// Its columns, in the order rows are given.
    public var columns: [String] {
        switch self {
        case .contact:
            return ["site", "contact", "channel", "customer", "reason", "queue", "agent", "started_at", "queued_at", "answered_at",
                    "ended_at", "wait_ms", "talk_ms", "hold_ms", "acw_ms", "outcome", "selfserved", "transfers", "resolved", "csat",
                    "nps", "route", "day", "repeat_of", "next_start"]
        case .visit:
            return ["site", "contact", "n", "queue", "channel", "entered_at", "interval_start", "day", "answered_at", "abandoned_at",
                    "wait_ms", "agent", "ended_at", "hold_ms", "held_since", "acw_ms", "transferred", "resolved", "route", "missed",
                    "refused", "inferred_entry"]
        case .agent: return ["agent", "site", "team", "skills", "hired_at", "state", "state_since"]
        case .agentSkill: return ["agent", "queue"]
        case .agentTime: return ["agent", "site", "interval_start", "day", "logged_ms", "ready_ms", "busy_ms", "notready_ms", "missed"]
        case .action: return ["origin", "seq", "kind", "at", "agent", "data"]
        case .agentDay:
            return ["agent", "day", "site", "team", "handled", "talk_ms", "hold_ms", "acw_ms", "transferred", "resolved", "closed",
                    "repeated", "fcr_elapsed", "fcr_ok", "surveys", "satisfied", "logged_ms", "ready_ms", "busy_ms", "notready_ms", "missed"]
        case .intervalStat:
            return ["site", "queue", "interval_start", "day", "offered", "answered", "abandoned", "short_abandoned", "answered_in_sl",
                    "wait_ms_answered", "handled", "handle_ms", "logged_agents", "ready_agents", "refused"]
        case .customer:
            return ["customer", "contacts", "repeats", "unresolved", "channels", "sites", "first_at", "last_at", "surveys", "satisfied", "penalty"]
        case .selfserviceDay: return ["site", "day", "sessions", "contained"]
        case .siteZone: return ["site", "from_ms", "zone"]
        }
    }

    /// The primary key's columns (rows come in this order).
    public var primaryKey: [String] {
        switch self {
        case .contact: return ["site", "contact"]
        case .visit: return ["site", "contact", "n"]
        case .agent: return ["agent"]
        case .agentSkill: return ["agent", "queue"]
        case .agentTime: return ["agent", "interval_start"]
        case .action: return ["origin", "seq"]
        case .agentDay: return ["agent", "day"]
        case .intervalStat: return ["site", "queue", "interval_start"]
        case .customer: return ["customer"]
        case .selfserviceDay: return ["site", "day"]
        case .siteZone: return ["site", "from_ms"]
        }
    }

    /// How an incremental export finds the rows it copies, and deletes the
    /// old ones: by contact key, by local day, by customer, by action key,
    /// or the whole (small) table every time.
    public enum Selection: Sendable {
        case contacts, days, customers, actions, whole
    }

    /// This table's selection (see ``Selection``).
    public var selection: Selection {
        switch self {
        case .contact, .visit: return .contacts
        case .agentTime, .agentDay, .intervalStat, .selfserviceDay: return .days
        case .customer: return .customers
        case .action: return .actions
        case .agent, .agentSkill, .siteZone: return .whole
        }
    }

    /// True for the tables with a `day` column (partitioned by it in PostgreSQL).
    public var hasDay: Bool { columns.contains("day") }

    /// The SQL condition selecting the journal's rows of this table.
    var journalCondition: String {
        switch selection {
        case .contacts: return "(site, contact) IN (SELECT site, contact FROM export_contact)"
        case .days: return "day IN (SELECT day FROM export_day)"
        case .customers: return "customer IN (SELECT customer FROM export_customer)"
        case .actions: return "(origin, seq) IN (SELECT origin, seq FROM export_action)"
        case .whole: return "1"
        }
    }
}

/// One value of an exported row, as SQLite stores it.
public enum ExportValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// An integer (counts, milliseconds, flags, days).
    case integer(Int64)
    /// A fraction (agents per interval, the health penalty).
    case real(Double)
    /// Text (names, keys, outcomes, JSON of recorded actions).
    case text(String)

    init(_ value: DatabaseValue) throws {
        switch value.storage {
        case .null: self = .null
        case .int64(let v): self = .integer(v)
        case .double(let v): self = .real(v)
        case .string(let v): self = .text(v)
        case .blob: throw ProjectionError(.malformedRecord, "a projection row holds a blob, which no table of the projection has")
        }
    }
}

/// Holds a projection file's update lock for an export: no catch-up or
/// rebuild (in this or another process) changes the file while it is held.
public final class ExportLease {
    fileprivate let engine: ProjectionEngine
    fileprivate init(engine: ProjectionEngine) { self.engine = engine }
    /// Gives the lock back.
    public func release() { engine.heldLock = nil }
    deinit { release() }
}

extension ProjectionEngine {
    /// Attaches an export to this file (idempotent): from now on every
    /// catch-up records what it changed (``ExportJournal``). The first copy is
    /// a full one. Returns the export's id.
    @discardableResult
    public func attachExport() throws -> String {
        try db.write { db in
            if let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'export.id'") { return id }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('export.id', ?)", arguments: [id])
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('export.full', '1')")
            return id
        }
    }

    /// Makes the next export copy every row (e.g. after the database was
    /// changed by hand, or restored from an older backup).
    public func requireFullExport() throws {
        try db.write { try $0.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('export.full', '1')") }
    }

    /// Takes the update lock for an export (waiting for a catch-up in
    /// progress elsewhere, then picking up what it committed).
    public func leaseForExport() throws -> ExportLease {
        precondition(heldLock == nil, "the projection's lock is already held by this engine")
        heldLock = try ProjectionLock(path: path + ".lock", waiting: { self.progress($0) })
        try reloadIfChangedElsewhere()
        return ExportLease(engine: self)
    }

    /// The journal of the attached export (nil when none is attached).
    public func exportJournal() throws -> ExportJournal? {
        try db.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'export.id'") else { return nil }
            let full = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'export.full'") == "1"
            var positions: [String: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT origin, last_seq FROM checkpoint") { positions[row[0]] = UInt64(max(0, row[1] as Int64)) }
            let exported = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'export.positions'").map(Self.decodePositions)
            let horizon = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'horizon'") ?? 0
            return ExportJournal(
                exportID: id, full: full,
                contacts: full ? [] : try Row.fetchAll(db, sql: "SELECT site, contact FROM export_contact ORDER BY site, contact").map {
                    ExportJournal.ContactRef(site: $0[0], contact: $0[1])
                },
                days: full ? [] : try Int64.fetchAll(db, sql: "SELECT day FROM export_day ORDER BY day"),
                customers: full ? [] : try String.fetchAll(db, sql: "SELECT customer FROM export_customer ORDER BY customer"),
                actions: full ? [] : try Row.fetchAll(db, sql: "SELECT origin, seq FROM export_action ORDER BY origin, seq").map {
                    ExportJournal.ActionRef(origin: $0[0], seq: $0[1])
                },
                positions: positions, exportedPositions: exported ?? nil, horizon: horizon)
        }
    }

    /// The range of local days the rows an export copies fall on (all rows
    /// when `full`, else the journal's); nil when none has a day.
    public func exportDayRange(full: Bool) throws -> ClosedRange<Int64>? {
        try db.read { db in
            var low: Int64?, high: Int64?
            for table in ExportTable.allCases where table.hasDay {
                let row = try Row.fetchOne(db, sql: "SELECT MIN(day), MAX(day) FROM \(table.name) WHERE \(full ? "1" : table.journalCondition)")
                if let lo: Int64 = row?[0] { low = min(low ?? lo, lo) }
                if let hi: Int64 = row?[1] { high = max(high ?? hi, hi) }
            }
            guard let low, let high else { return nil }
            return low...high
        }
    }

    /// Up to `limit` rows of `table` after the primary key `after` (nil: from
    /// the start), in primary-key order: all rows when `full`, else the
    /// journal's. Read page after page while an ``ExportLease`` is held, the
    /// pages make one consistent copy.
    public func exportPage(_ table: ExportTable, full: Bool, after: [ExportValue]?, limit: Int) throws -> [[ExportValue]] {
        let key = table.primaryKey
        let keyList = key.joined(separator: ", ")
        var conditions = [full ? "1" : table.journalCondition]
        var arguments: [DatabaseValueConvertible?] = []
        if let after {
            precondition(after.count == key.count, "an export page continues after a whole primary key")
            conditions.append("(\(keyList)) > (\(Array(repeating: "?", count: key.count).joined(separator: ", ")))")
            for v in after {
                switch v {
                case .null: arguments.append(nil)
                case .integer(let i): arguments.append(i)
                case .real(let d): arguments.append(d)
                case .text(let s): arguments.append(s)
                }
            }
        }
        let sql = """
            SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name)
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(keyList) LIMIT \(max(1, limit))
            """
        return try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var rows: [[ExportValue]] = []
            while let row = try cursor.next() {
                rows.append(try (0..<row.count).map { try ExportValue(row[$0] as DatabaseValue) })
            }
            return rows
        }
    }

    /// Empties the journal after its rows were committed elsewhere, and
    /// records the positions they reflect. Call while the lease that read
    /// them is held.
    public func clearExportJournal(exported journal: ExportJournal) throws {
        precondition(heldLock != nil, "the export journal is cleared under the lease it was read with")
        try db.write { db in
            for table in ExportJournal.tables { try db.execute(sql: "DELETE FROM \(table)") }
            try db.execute(sql: "DELETE FROM meta WHERE key = 'export.full'")
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('export.positions', ?)",
                           arguments: [Self.encodePositions(journal.positions)])
        }
    }

    static func encodePositions(_ positions: [String: UInt64]) -> String {
        var object = JSONObject()
        for (origin, seq) in positions.sorted(by: { $0.key < $1.key }) { object[origin] = .integer(Int64(clamping: seq)) }
        var out: [UInt8] = []
        JSONWriter.writeObject(object, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func decodePositions(_ text: String) -> [String: UInt64]? {
        guard case .object(let object)? = try? JSONParser.parse(text) else { return nil }
        var out: [String: UInt64] = [:]
        for member in object.members {
            guard case .integer(let n) = member.value, n >= 0 else { return nil }
            out[member.key] = UInt64(n)
        }
        return out
    }
}
