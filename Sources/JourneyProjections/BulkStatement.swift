import GRDB
import GRDBSQLite

/// A prepared statement that writes one row per ``run()``, its values bound
/// one by one through SQLite's C interface. The bulk writers (a flush's
/// contacts and visits, a rebuild's repeat links and customers) write
/// hundreds of thousands of rows; GRDB's argument arrays box every value
/// (about a tenth of a rebuild's CPU), this binds them in place.
///
/// Only for statements that return no rows, inside the caller's
/// transaction. Each row binds every parameter in order, then runs; a row
/// with too few or too many values, or a value SQLite refuses to bind, is
/// thrown by ``run()`` before anything is written.
///
/// ```swift
/// var insert = try BulkStatement(db, sql: "INSERT INTO t (a, b) VALUES (?, ?)")
/// insert.bind("x"); insert.bind(Int64(1)); try insert.run()
/// ```
struct BulkStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private let parameters: Int32
    private var next: Int32 = 1
    /// The first code other than SQLITE_OK a bind returned in this row.
    private var refused: Int32?

    /// Prepares `sql` on `db` (a statement of its own, not GRDB's cached one).
    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        parameters = sqlite3_bind_parameter_count(handle)
    }

    /// SQLite's "copy the bytes now" destructor.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private mutating func checked(_ code: Int32) {
        if code != SQLITE_OK && refused == nil { refused = code }
        next += 1
    }

    /// Binds the next parameter to an integer, or NULL.
    mutating func bind(_ value: Int64?) {
        checked(value.map { sqlite3_bind_int64(handle, next, $0) } ?? sqlite3_bind_null(handle, next))
    }

    /// Binds the next parameter to an integer, or NULL.
    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    /// Binds the next parameter to 1 or 0, or NULL.
    mutating func bind(_ value: Bool?) { bind(value.map { $0 ? Int64(1) : 0 }) }

    /// Binds the next parameter to a real, or NULL.
    mutating func bind(_ value: Double?) {
        checked(value.map { sqlite3_bind_double(handle, next, $0) } ?? sqlite3_bind_null(handle, next))
    }

    /// Binds the next parameter to text, or NULL. The text ends at its first
    /// NUL character, as GRDB binds a String everywhere else (a C string):
    /// a key must be the same text whichever path wrote or looks it up.
    mutating func bind(_ value: String?) {
        guard var text = value else { return checked(sqlite3_bind_null(handle, next)) }
        let (handle, next) = (handle, next)
        let code = text.withUTF8 { bytes -> Int32 in
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            // An empty buffer may have no address, which SQLite would take for NULL.
            guard let base = bytes.baseAddress, length > 0 else { return sqlite3_bind_text(handle, next, "", 0, Self.transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: length) {
                sqlite3_bind_text(handle, next, $0, Int32(length), Self.transient)
            }
        }
        checked(code)
    }

    /// Writes the row bound since the last run.
    mutating func run() throws {
        defer { next = 1; refused = nil }
        if let refused {
            sqlite3_clear_bindings(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: refused), message: "parameter refused", sql: statement.sql)
        }
        guard next == parameters + 1 else {
            sqlite3_clear_bindings(handle)
            throw DatabaseError(message: "\(next - 1) of \(parameters) parameters bound", sql: statement.sql)
        }
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw Self.stepError(code, connection: connection, sql: statement.sql) }
    }

    /// The error of a step that returned `code`, with the connection's message.
    static func stepError(_ code: Int32, connection: OpaquePointer?, sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
    }
}
