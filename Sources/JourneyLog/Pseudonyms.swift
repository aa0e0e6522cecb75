import Crypto
import JourneyModel

/// Pseudonymous customer keys: a keyed hash (HMAC-SHA-256) of a caller's
/// normalised identifier under the province's pseudonym key, so the same
/// caller gets the same key in every importer and every centre that holds
/// the key, while the identifier itself is never stored and cannot be
/// recovered by hashing candidate phone numbers without the key.
///
/// The key is 32 random bytes kept as 64 hex digits in
/// `keys/pseudonym.key` (mode 0600) of each store; `journey init` creates
/// it, or installs the province's key given with `--pseudonym-key FILE`. It
/// is shared between centres the way sync tokens are, and never written to
/// a log.
public struct Pseudonyms: Sendable {
    private let key: SymmetricKey

    /// Key length in bytes.
    public static let keyBytes = 32
    /// The key file inside a data directory.
    public static func keyPath(_ directory: String, fs: any FileSystem) -> String {
        fs.join(fs.join(directory, "keys"), "pseudonym.key")
    }

    /// A pseudonymiser with `key` (exactly ``keyBytes`` bytes).
    public init(key: [UInt8]) throws {
        guard key.count == Self.keyBytes else {
            throw LogError(.missingKey, "a pseudonym key is \(Self.keyBytes) bytes (64 hex digits), this one has \(key.count)")
        }
        self.key = SymmetricKey(data: key)
    }

    /// Parses a key file: 64 hex digits, surrounding white space allowed.
    public static func parseKeyFile(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
        var key: [UInt8] = []
        var it = text.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        while let a = it.next() {
            guard let b = it.next(), let hi = nibble(a), let lo = nibble(b) else {
                throw LogError(.missingKey, "\(path) is not a pseudonym key: it must hold \(keyBytes * 2) hex digits", file: path)
            }
            key.append(hi << 4 | lo)
        }
        guard key.count == keyBytes else {
            throw LogError(.missingKey, "\(path) is not a pseudonym key: it must hold \(keyBytes * 2) hex digits, it holds \(key.count * 2)", file: path)
        }
        return key
    }

    /// The store's pseudonymiser, from its key file.
    public static func load(directory: String, fileSystem fs: any FileSystem = POSIXFileSystem()) throws -> Pseudonyms {
        let path = keyPath(directory, fs: fs)
        guard fs.exists(path) else {
            throw LogError(.missingKey, "this store has no pseudonym key (\(path)), so caller identifiers cannot be turned into customer keys; install the province's key with `journey init --data \(directory) --pseudonym-key FILE` (the same file at every centre)", file: path)
        }
        return try Pseudonyms(key: parseKeyFile(try fs.readFile(path), path: path))
    }

    /// Writes `key` (or a new random key) as the store's key file. Never
    /// replaces a different key: customer keys made under it would stop
    /// matching.
    @discardableResult
    public static func install(directory: String, key given: [UInt8]?, fileSystem fs: any FileSystem = POSIXFileSystem()) throws -> Bool {
        let path = keyPath(directory, fs: fs)
        if fs.exists(path) {
            let held = try parseKeyFile(try fs.readFile(path), path: path)
            if let given, given != held {
                throw LogError(.alreadyExists, "\(path) already holds a different pseudonym key; replacing it would give every caller a new customer key. Remove it yourself only if no events were imported under it", file: path)
            }
            return false
        }
        let key = given ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        guard key.count == keyBytes else { throw LogError(.missingKey, "a pseudonym key is \(keyBytes) bytes (64 hex digits)") }
        try fs.createDirectory(fs.join(directory, "keys"))
        try fs.writeFileAtomically(path, Array((Checksum.hex(key) + "\n").utf8), mode: 0o600)
        return true
    }

    /// An identifier as the same caller always writes it: white space,
    /// dashes, dots and brackets removed, a leading `+` or `00` dropped,
    /// letters lower-cased (e-mail addresses); nil for nothing, `unknown`,
    /// `anonymous`, `private`, `restricted` or all zeros.
    public static func normalise(_ raw: String) -> String? {
        var s = raw.lowercased().filter { !" \t-().".contains($0) || raw.contains("@") && $0 == "." }
        if s.hasPrefix("+") { s.removeFirst() } else if s.hasPrefix("00"), s.allSatisfy(\.isNumber) { s.removeFirst(2) }
        guard !s.isEmpty, !["unknown", "anonymous", "private", "restricted", "withheld"].contains(s), !s.allSatisfy({ $0 == "0" }) else { return nil }
        return s
    }

    /// `cu-` and 16 hex digits of HMAC-SHA-256 of the normalised identifier;
    /// nil when the identifier names nobody (see ``normalise(_:)``).
    public func customerKey(_ raw: String) -> String? {
        guard let s = Self.normalise(raw) else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(s.utf8), using: key)
        return "cu-" + Checksum.hex(Array(mac).prefix(8))
    }
}
