import JourneyLog

/// Stable customer keys from raw identifiers (a caller id, an e-mail, an
/// account number): a salted-free SHA-256 prefix, so the same caller gets the
/// same key in every importer and every centre, and the raw number is not
/// stored in the log.
public enum CustomerKey {
    /// `cu-` and 16 hex digits of SHA-256 of the identifier with spaces,
    /// dashes and a leading `+` removed (so `+1 555-0100` and `15550100` agree).
    public static func from(_ raw: String) -> String? {
        let cleaned = raw.filter { !" -()".contains($0) }.drop { $0 == "+" }
        guard !cleaned.isEmpty, cleaned.lowercased() != "unknown", cleaned.lowercased() != "anonymous" else { return nil }
        let digest = Array(cleaned.utf8).withUnsafeBytes { Checksum.sha256([$0]) }
        return "cu-" + Checksum.hex(digest.prefix(8))
    }

    /// An id for an event derived from its source text: `prefix` and 20 hex
    /// digits of SHA-256 of `source`.
    public static func sourceID(_ prefix: String, _ source: String) -> String {
        let digest = Array(source.utf8).withUnsafeBytes { Checksum.sha256([$0]) }
        return prefix + Checksum.hex(digest.prefix(10))
    }
}
