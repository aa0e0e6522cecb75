import Foundation
import JourneyModel
import JourneyProjections
import NIOCore

/// Rows in PostgreSQL's COPY text format: columns separated by tabs, rows
/// ended by newlines, NULL as `\N`, and a backslash, tab, newline or carriage
/// return inside a value escaped, so no value can end a field or a row early.
enum CopyText {
    /// Appends one value.
    static func append(_ value: ExportValue, to buffer: inout ByteBuffer) throws {
        switch value {
        case .null: buffer.writeStaticString("\\N")
        case .integer(let i): appendInteger(i, to: &buffer)
        case .real(let d):
            guard d.isFinite else { throw PostgresError(.server, "a projection value is not a finite number (\(d)); rebuild the projection") }
            // Swift writes the shortest text that reads back as the same double; PostgreSQL reads it exactly.
            buffer.writeString("\(d)")
        case .text(let s): try appendText(s, to: &buffer)
        }
    }

    /// Appends an integer's decimal digits (without making a String per value).
    static func appendInteger(_ i: Int64, to buffer: inout ByteBuffer) {
        if i == Int64.min { buffer.writeStaticString("-9223372036854775808"); return }
        var n = i.magnitude
        if i < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[23 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }

    /// `s` as PostgreSQL text can hold it: a NUL character (which the log
    /// accepts in names and PostgreSQL text cannot store) becomes U+FFFD.
    static func storable(_ s: String) -> String {
        s.utf8.contains(0) ? s.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : s
    }

    /// Appends a text value, escaped.
    static func appendText(_ s: String, to buffer: inout ByteBuffer) throws {
        for byte in storable(s).utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// Appends one row: `values` with interned columns written as their ids.
    static func appendRow(_ values: [ExportValue], interned: [Bool], names: inout NameIDs, to buffer: inout ByteBuffer) throws {
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            if interned[i], case .text(let name) = value {
                appendInteger(Int64(names.id(for: name)), to: &buffer)
            } else {
                try append(value, to: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}

/// The `dim_name` dictionary as this export knows it: the database's
/// names, and the ones this export added (written in the same transaction).
///
/// Names are kept by their bytes, as the column's `"C"` collation keeps
/// them: two agents (or queues, teams) whose names are the same text written
/// two ways get two ids (see ``ByteKey``).
struct NameIDs {
    private(set) var ids: [ByteKey: Int32]
    private(set) var added: [(Int32, String)] = []
    private var next: Int32

    init(_ existing: [ByteKey: Int32]) {
        ids = existing
        next = (existing.values.max() ?? 0) + 1
    }

    /// The id of `name`, made when new.
    mutating func id(for given: String) -> Int32 {
        let name = ByteKey(CopyText.storable(given))
        if let id = ids[name] { return id }
        let id = next
        next += 1
        ids[name] = id
        added.append((id, name.text))
        return id
    }

    /// The known id of `name`; nil when no row can refer to it yet.
    func existing(_ name: String) -> Int32? { ids[ByteKey(CopyText.storable(name))] }

    /// Forgets the additions once written.
    mutating func markWritten() { added = [] }
}
