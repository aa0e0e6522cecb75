#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text key (agent id, queue, team, customer…) compared, hashed and
/// ordered by its UTF-8 bytes, as the log and SQLite's `BINARY` collation
/// compare it.
///
/// Swift's `String` equates canonically equivalent text: "José" with a
/// precomposed `é` and "Jose" plus a combining accent are one `String` key,
/// but two keys in the log and two rows in SQLite. Keys that come from events
/// are therefore kept in dictionaries and sets as `ByteKey`, so two agents (or
/// queues, teams, customers) never become one in memory while they stay two
/// on disk; and sorting by bytes puts them in the order SQLite's `ORDER BY` does.
public struct ByteKey: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The key's text.
    public var text: String

    /// The key `text`.
    @inline(__always) public init(_ text: String) { self.text = text }

    /// The key of a string literal.
    public init(stringLiteral value: String) { self.text = value }

    /// Same bytes.
    @inline(__always) public static func == (a: ByteKey, b: ByteKey) -> Bool { a.text.sameBytes(as: b.text) }

    /// Hashes the bytes (see ``Swift/String/hashBytes(into:)``).
    @inline(__always) public func hash(into hasher: inout Hasher) { text.hashBytes(into: &hasher) }

    /// Byte order: UTF-8 bytes compared one by one, a prefix first; for UTF-8
    /// this is also the order of the Unicode scalars.
    public static func < (a: ByteKey, b: ByteKey) -> Bool { a.text.bytesPrecede(b.text) }

    /// The text.
    public var description: String { text }
}

extension String {
    /// True when this string's UTF-8 bytes sort before `other`'s (the order
    /// of SQLite's `BINARY` collation), unlike `<`, which orders canonically
    /// equivalent text as equal.
    public func bytesPrecede(_ other: String) -> Bool {
        let inPlace = utf8.withContiguousStorageIfAvailable { x in
            other.utf8.withContiguousStorageIfAvailable { y in
                // memcmp over the common length, then the shorter first (a byte loop otherwise).
                let n = Swift.min(x.count, y.count)
                if n > 0, let a = x.baseAddress, let b = y.baseAddress {
                    let order = memcmp(a, b, n)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
        if let precedes = inPlace ?? nil { return precedes }
        return utf8.lexicographicallyPrecedes(other.utf8)
    }
}
