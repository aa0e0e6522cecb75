#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value that keeps what a lossless round trip needs: object members in
/// their original order, and non-integer numbers as their original literal text.
///
/// Integers that fit `Int64` and are written canonically (no leading zeros,
/// fraction or exponent) become ``integer(_:)``; any other number keeps its
/// literal in ``number(_:)`` so `1.50` or `1e3` come back exactly as written.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A number literal that is not a canonical `Int64`, kept verbatim.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string payload, or nil for any other case.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload; number literals that are whole are converted.
    public var intValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let s): if let d = Double(s), d.rounded() == d, abs(d) < 9.0e18 { return Int64(d) }; return nil
        default: return nil
        }
    }

    /// The numeric payload as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let s): return Double(s)
        default: return nil
        }
    }

    /// The boolean payload, or nil.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

/// A JSON object whose members keep their order. Look-ups are linear: event
/// payloads hold a handful of members, where a scan beats hashing.
extension String {
    /// True when a UTF-8 byte of this string satisfies `test`, read from the
    /// string's own buffer (validation runs this on every field of every
    /// event appended; walking the UTF-8 view byte by byte cost 7 % of an append).
    @inline(__always) func utf8Contains(where test: (UInt8) -> Bool) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ bytes in bytes.contains(where: test) }) { return found }
        return utf8.contains(where: test)
    }

    /// True when this string holds a NUL character (U+0000).
    var hasNUL: Bool { utf8Contains { $0 == 0 } }

    /// True when both strings hold the same UTF-8 bytes. Swift's `==` also
    /// equates canonically equivalent text ("café" precomposed and
    /// decomposed), which SQLite and the log keep apart: two keys that are
    /// two rows there must be two keys wherever they are compared.
    @inline(__always) public func sameBytes(as other: String) -> Bool {
        // Read in place from both strings' own buffers (native strings have one); bridged ones byte by byte.
        let inPlace = utf8.withContiguousStorageIfAvailable { x in
            other.utf8.withContiguousStorageIfAvailable { y in
                // memcmp, not `elementsEqual` (a byte-at-a-time loop: 2.6 % of a rebuild's samples).
                guard x.count == y.count else { return false }
                guard let a = x.baseAddress, let b = y.baseAddress else { return true }
                return memcmp(a, b, x.count) == 0
            }
        }
        if let same = inPlace ?? nil { return same }
        return utf8.elementsEqual(other.utf8)
    }

    /// Feeds this string's UTF-8 bytes, then a 0xFF byte (which UTF-8 never
    /// holds) to end the key, to `hasher`: the hash that goes with ``sameBytes(as:)``.
    @inline(__always) public func hashBytes(into hasher: inout Hasher) {
        let inPlace: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if inPlace == nil { for b in utf8 { hasher.combine(b) } }
        hasher.combine(UInt8(0xFF))  // ends the key: ("ab", "c") and ("a", "bc") hash apart
    }
}

extension JSONValue {
    /// True when a string, or a key of an object, anywhere in this value
    /// holds a NUL character (U+0000).
    public var containsNUL: Bool {
        switch self {
        case .null, .bool, .integer, .number: return false
        case .string(let s): return s.hasNUL
        case .array(let items): return items.contains { $0.containsNUL }
        case .object(let o): return o.members.contains { $0.key.hasNUL || $0.value.containsNUL }
        }
    }

    /// True when this value nests arrays and objects more than `levels`
    /// deep (a scalar is 0 levels, `[1]` is 1). It descends no further than
    /// `levels`, so a value made in code with no end to its nesting is
    /// answered without exhausting the stack.
    public func nests(deeperThan levels: Int) -> Bool {
        switch self {
        case .null, .bool, .integer, .number, .string: return false
        case .array(let items): return levels <= 0 || items.contains { $0.nests(deeperThan: levels - 1) }
        case .object(let o): return levels <= 0 || o.members.contains { $0.value.nests(deeperThan: levels - 1) }
        }
    }
}

public struct JSONObject: Sendable, Hashable {
    /// One key and its value.
    public struct Member: Sendable, Hashable {
        /// The member's key.
        public var key: String
        /// The member's value.
        public var value: JSONValue
        /// A member `key: value`.
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in their original order.
    public var members: [Member]

    /// An object of `members`, in that order.
    public init(_ members: [Member] = []) { self.members = members }

    /// Reads or sets a member; setting nil removes it, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            for m in members where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let v = newValue { members[i].value = v } else { members.remove(at: i) }
            } else if let v = newValue {
                members.append(Member(key, v))
            }
        }
    }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
    /// How many members the object has.
    public var count: Int { members.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// An object of the literal's members, in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { Member($0.0, $0.1) }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A JSON string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A JSON integer.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue {
    /// `x` rounded to `digits` decimals: an integer when whole (so a value read
    /// back from its JSON text compares equal), null when nil or not finite.
    /// `x` with every digit kept: an integer when it is whole, else the
    /// shortest decimal that reads back as the same Double; null when absent
    /// or not finite.
    public static func exact(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        if x == x.rounded(), abs(x) < 1e15 { return .integer(Int64(x)) }
        return .number(String(x))
    }

    /// `x` as a number literal with at most `digits` decimals, or `null` when it is nil or not finite: for human-facing figures.
    public static func rounded(_ x: Double?, digits: Int = 4) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        if r == r.rounded(), abs(r) < 1e15 { return .integer(Int64(r)) }
        return .number(String(r))
    }
}
