import JourneyModel

/// What an importer made of its input: the events to append, the input it
/// deliberately skipped (with why), and the malformed input that stops the
/// import. An importer never drops input silently: every line or record ends
/// up as events, as a skip with a reason, or as an error.
public struct ImportBatch: Sendable {
    public var events: [Event] = []
    /// The input line (or record) each event of ``events`` was made of.
    public var lines: [Int] = []
    /// Input not imported on purpose: (line or record number, reason).
    public var skipped: [(Int, String)] = []
    /// Malformed input; when not empty, nothing may be stored.
    public var errors: [IngestError] = []
    /// Lines or records read.
    public var inputCount = 0

    public init() {}

    /// Adds the events made of input line (or record) `line`, each checked as
    /// a store will check it (``Event/validate(requireID:)``): an event no
    /// store accepts is reported against its line instead, so an import
    /// names every bad line before anything is stored.
    public mutating func add(_ made: [Event], line: Int) {
        for e in made {
            do throws(ModelError) {
                try e.validate()
                events.append(e)
                lines.append(line)
            } catch {
                errors.append(IngestError(line: line, "\(error)"))
            }
        }
    }

    /// Reports two different events made with one id (see
    /// ``Event/firstConflictingDuplicate(_:)``) as an error of both lines.
    public mutating func refuseConflictingDuplicates() {
        guard let (j, i) = Event.firstConflictingDuplicate(events) else { return }
        errors.append(IngestError(line: lines[i], "makes an event with the id '\(ModelError.excerpt(events[i].id))' that line \(lines[j]) already gave to a different event; an id names one fact, so nothing was stored"))
    }

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
