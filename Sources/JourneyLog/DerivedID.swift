import JourneyModel

/// Ids for events that arrive without one: derived from the event's content,
/// so appending the same fact twice is still recognised as a duplicate.
public enum DerivedID {
    /// `h-` and the first 24 hex digits of SHA-256 over the canonical line of
    /// the event with its seq and id cleared.
    public static func make(for event: Event) -> String {
        var e = event
        e.seq = 0
        e.id = ""
        var bytes: [UInt8] = []
        EventCodec.encode(e, into: &bytes)
        let digest = bytes.withUnsafeBytes { Checksum.sha256([$0]) }
        return "h-" + Checksum.hex(digest.prefix(12))
    }
}
