import GRDB
import GRDBSQLite

/// A prepared query stepped through SQLite's C interface, its columns read
/// in place: the reading half of ``BulkStatement``. A rebuild's walk of every
/// customer's contacts reads hundreds of thousands of rows; GRDB's `Row`
/// makes a `String` of every text column it is asked for, this compares and
/// interns text without making one (columns repeated row after row, such as
/// the customer of a customer's contacts, a site or a channel).
///
/// Only inside the caller's transaction, with nothing written to the tables
/// it reads while it is open. Text reads as GRDB reads it: up to its first
/// NUL, invalid UTF-8 repaired. A text value SQLite cannot hand over (out of
/// memory) is thrown, never read as NULL or as empty text.
///
/// ```swift
/// var rows = try ColumnCursor(db, sql: "SELECT a, b FROM t")
/// while try rows.next() { let a = try rows.text(0); let b = rows.int64(1) }
/// ```
struct ColumnCursor {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var done = false

    /// Prepares `sql` on `db` (a statement of its own).
    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    /// Steps to the next row: false once the rows are exhausted (and on
    /// every call after that).
    mutating func next() throws -> Bool {
        guard !done else { return false }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        done = true
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw BulkStatement.stepError(code, connection: connection, sql: statement.sql) }
        return false
    }

    /// The column as an integer, or nil when it is NULL.
    func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// The column's text bytes (up to the first NUL), or nil when it is NULL.
    /// Valid only inside `body`. Throws when SQLite cannot convert the value
    /// to text (out of memory).
    func withBytes<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) throws -> R {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return try body(nil) }
        guard let text = sqlite3_column_text(handle, column) else {
            throw BulkStatement.stepError(sqlite3_errcode(connection), connection: connection, sql: statement.sql)
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        let bytes = UnsafeBufferPointer(start: text, count: count)
        return try body(UnsafeBufferPointer(rebasing: bytes[..<(bytes.firstIndex(of: 0) ?? count)]))
    }

    /// The column as a string, or nil when it is NULL.
    func text(_ column: Int32) throws -> String? {
        try withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// True when the column's text has exactly `value` (false for NULL).
    func hasBytes(_ column: Int32, _ value: [UInt8]) throws -> Bool {
        try withBytes(column) { bytes in bytes.map { $0.elementsEqual(value) } ?? false }
    }

    /// The column as a string, taken from `pool` when one of its strings has
    /// the same bytes, else made and added to it (up to `poolMax` strings):
    /// for columns with few values.
    func text(_ column: Int32, interning pool: inout [String], poolMax: Int = 16) throws -> String? {
        try withBytes(column) { bytes in
            guard let bytes else { return nil }
            for s in pool where s.utf8.withContiguousStorageIfAvailable({ $0.elementsEqual(bytes) }) ?? s.utf8.elementsEqual(bytes) { return s }
            let made = String(decoding: bytes, as: UTF8.self)
            if pool.count < poolMax { pool.append(made) }
            return made
        }
    }
}
