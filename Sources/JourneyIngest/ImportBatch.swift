import JourneyModel

/// What an importer made of its input: the events to append, the input it
/// deliberately skipped (with why), and the malformed input that stops the
/// import. An importer never drops input silently: every line or record ends
/// up as events, as a skip with a reason, or as an error.
public struct ImportBatch: Sendable {
    public var events: [Event] = []
    /// Input not imported on purpose: (line or record number, reason).
    public var skipped: [(Int, String)] = []
    /// Malformed input; when not empty, nothing may be stored.
    public var errors: [IngestError] = []
    /// Lines or records read.
    public var inputCount = 0

    public init() {}

    /// Events per kind, for the import report.
    public var countsByKind: [(EventKind, Int)] {
        var counts: [EventKind: Int] = [:]
        for e in events { counts[e.kind, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }
    }
}

/// The input formats `journey import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    case jsonl, asterisk, connect, csv
}
