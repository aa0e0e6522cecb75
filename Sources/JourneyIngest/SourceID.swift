import JourneyLog

/// Ids of imported events derived from their source text.
public enum SourceID {
    /// An id for an event derived from its source text: `prefix` and 20 hex
    /// digits of SHA-256 of `source`.
    public static func make(_ prefix: String, _ source: String) -> String {
        let digest = Array(source.utf8).withUnsafeBytes { Checksum.sha256([$0]) }
        return prefix + Checksum.hex(digest.prefix(10))
    }
}
