/// Decodes configuration files (`kpi.json`, `sync.json`, recorded plan
/// parameters) into `Decodable` types: one mechanism for every config, with
/// messages that name the key as a path (`peers[1].url`). It reads the JSON
/// with this module's parser, so numbers keep their text and a duplicate key
/// is an error, and it refuses keys a type does not know when the type's
/// `CodingKeys` are `CaseIterable`, listing the known ones.
public enum ConfigDecoder {
    /// A config that cannot be decoded: where, and what is wrong.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The key path (`peers[1].url`), empty for the whole document.
        public var path: String
        /// What is wrong there.
        public var message: String
        public var description: String { path.isEmpty ? message : "'\(path)' \(message)" }

        /// A failure at the key path `path` (e.g. `peers[1].url`).
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// Decodes `T` from JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw Failure(path: "", message: "is not valid JSON at byte \(error.offset + 1): \(error.reason)")
        }
        return try decode(type, from: value)
    }

    /// Decodes `T` from a parsed JSON value.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value, path: []))
    }

    /// Text of a coding path: `a.b[2].c`.
    public static func text(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out
    }

    /// A failure at a coding path, for a type's own checks after decoding.
    public static func failure(_ path: [any CodingKey], _ message: String) -> Failure { Failure(path: text(path), message: message) }
}

/// A key of a dictionary or list position.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// The `Decoder` over one JSON value.
struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, path: [any CodingKey]) {
        self.value = value
        codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw ConfigDecoder.failure(codingPath, "must be an object") }
        var seen = Set<String>()
        for m in o.members where !seen.insert(m.key).inserted {
            throw ConfigDecoder.failure(codingPath + [AnyCodingKey(stringValue: m.key)], "is given twice")
        }
        if let known = (Key.self as? any CaseIterable.Type).map({ Self.names(of: $0) }) {
            for m in o.members where !known.contains(m.key) {
                let key = ConfigDecoder.text(codingPath + [AnyCodingKey(stringValue: m.key)])
                throw ConfigDecoder.Failure(path: "", message: "unknown key '\(key)'; the keys here are \(known.sorted().joined(separator: ", "))")
            }
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: o, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw ConfigDecoder.failure(codingPath, "must be a list") }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(value: value, codingPath: codingPath) }

    static func names(of type: any CaseIterable.Type) -> Set<String> {
        func collect<T: CaseIterable>(_: T.Type) -> Set<String> {
            Set(T.allCases.compactMap { ($0 as? any CodingKey)?.stringValue })
        }
        return collect(type)
    }
}

/// Decodes a scalar, with a message naming the path when it is of the wrong kind.
func decodeScalar<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) throws -> T {
    func wrong(_ what: String) -> ConfigDecoder.Failure { ConfigDecoder.failure(path, "must be \(what)") }
    if T.self == String.self {
        guard let s = value.stringValue, let t = s as? T else { throw wrong("text") }
        return t
    }
    if T.self == Bool.self {
        guard let b = value.boolValue, let t = b as? T else { throw wrong("true or false") }
        return t
    }
    if T.self == Double.self {
        guard let d = value.doubleValue, let t = d as? T else { throw wrong("a number") }
        return t
    }
    if T.self == Int.self {
        guard let i = value.intValue, let n = Int(exactly: i), let t = n as? T else { throw wrong("a whole number") }
        return t
    }
    if T.self == Int64.self {
        guard let i = value.intValue, let t = i as? T else { throw wrong("a whole number") }
        return t
    }
    return try T(from: ValueDecoder(value, path: path))
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }
    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    func value(_ key: Key) throws -> JSONValue {
        guard let v = object[key.stringValue] else { throw ConfigDecoder.failure(codingPath + [key], "is missing") }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let v = object[key.stringValue] else { return true }
        if case .null = v { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeScalar(type, try value(key), codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(try value(key), path: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(try value(key), path: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(.object(object), path: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(try value(key), path: codingPath + [key]) }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    var here: [any CodingKey] { codingPath + [AnyCodingKey(intValue: currentIndex)] }

    mutating func next() throws -> JSONValue {
        guard !isAtEnd else { throw ConfigDecoder.failure(here, "is missing: the list is too short") }
        defer { currentIndex += 1 }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = here
        return try decodeScalar(type, try next(), path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = here
        return try ValueDecoder(try next(), path: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = here
        return try ValueDecoder(try next(), path: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = here
        return ValueDecoder(try next(), path: path)
    }
}

struct SingleContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeScalar(type, value, codingPath) }
}
