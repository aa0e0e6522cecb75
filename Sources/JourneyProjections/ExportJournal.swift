import GRDB

/// What changed in a projection file since its attached export (a
/// PostgreSQL projection, `journey project`) last copied it: the keys every
/// catch-up recorded in the same transaction as the rows, or "everything"
/// after a rebuild. The exporter copies these keys' rows, commits them with
/// the positions they reflect, and only then empties the journal, so a kill
/// at any point leaves either the journal to apply again (idempotently) or
/// nothing to do.
public struct ExportJournal: Sendable, Equatable {
    /// The export's identity (a UUID made when it was attached): the
    /// PostgreSQL database records it, and a database holding another one
    /// is copied in full.
    public var exportID: String
    /// Copy everything: the file was rebuilt (or the export just attached).
    public var full: Bool
    /// Contacts (and their visits) whose rows changed, by (site, contact).
    public var contacts: [ContactRef]
    /// Local days whose day-keyed rows (visits, agent time, agent days,
    /// intervals, self-service days) changed.
    public var days: [Int64]
    /// Customers whose row was derived again (it may now be gone).
    public var customers: [String]
    /// Recorded actions added, by (origin, seq).
    public var actions: [ActionRef]
    /// Per origin, the last seq the file reflects.
    public var positions: [String: UInt64]
    /// The positions of the last export that completed (the journal was emptied after it).
    public var exportedPositions: [String: UInt64]?
    /// The data horizon, in ms.
    public var horizon: Int64

    /// A contact by its key.
    public struct ContactRef: Sendable, Hashable {
        /// The site (origin) the contact belongs to.
        public var site: String
        /// The contact id.
        public var contact: String
    }

    /// A recorded action by its key.
    public struct ActionRef: Sendable, Hashable {
        /// The origin whose log recorded it.
        public var origin: String
        /// Its seq there.
        public var seq: Int64
    }

    /// True when there is nothing to copy.
    public var isEmpty: Bool { !full && contacts.isEmpty && days.isEmpty && customers.isEmpty && actions.isEmpty }

    static let tables = ["export_contact", "export_day", "export_customer", "export_action"]

    /// True when an export is attached to this file.
    static func isEnabled(_ db: Database) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'export.id'") != nil
    }

    /// Records the keys a flush changed (inside its transaction).
    static func record(_ db: Database, contacts: [(String, String)], days: Set<Int64>, actions: [(String, Int64)]) throws {
        let contact = try db.cachedStatement(sql: "INSERT OR IGNORE INTO export_contact (site, contact) VALUES (?, ?)")
        for (site, c) in contacts {
            contact.setUncheckedArguments([site, c])
            try contact.execute()
        }
        let day = try db.cachedStatement(sql: "INSERT OR IGNORE INTO export_day (day) VALUES (?)")
        for d in days {
            day.setUncheckedArguments([d])
            try day.execute()
        }
        let action = try db.cachedStatement(sql: "INSERT OR IGNORE INTO export_action (origin, seq) VALUES (?, ?)")
        for (origin, seq) in actions {
            action.setUncheckedArguments([origin, seq])
            try action.execute()
        }
    }
}
