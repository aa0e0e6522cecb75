import JourneyLog
import JourneyModel

/// What an importer made of its input: the events to append, the input it
/// deliberately skipped (with why), and the malformed input. An importer
/// never drops input silently: every line or record ends up as events, as a
/// skip with a reason, or as an error. A line is stored whole or not at all:
/// ``setAsideErrors()`` removes every event of a line that has an error.
public struct ImportBatch: Sendable {
    /// The events read, in input order.
    public var events: [Event] = []
    /// The input line (or record) each event of ``events`` was made of.
    public var lines: [Int] = []
    /// Input not imported on purpose: (line or record number, reason).
    public var skipped: [(Int, String)] = []
    /// Malformed input; when not empty, nothing may be stored unless the
    /// caller sets these lines aside (``setAsideErrors()``).
    public var errors: [IngestError] = []
    /// Lines or records read.
    public var inputCount = 0
    /// Notes for the report that are not errors (e.g. orphan events).
    public var notes: [String] = []
    /// Whether ``refuseConflictingDuplicates()`` ran (it runs once).
    private var conflictsChecked = false

    /// An empty batch.
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
                errors.append(IngestError(line: line, .invalidEvent, "\(error)"))
            }
        }
    }

    /// Reports every line that makes an event with an id other lines give
    /// to different events: an id names one fact, so none of its lines can
    /// be trusted, and each is named with a line that contradicts it. That
    /// includes a line repeating one of the contents (storing it would store
    /// a fact whose id is disputed). Lines that repeat the same fact of an
    /// undisputed id are duplicates, not conflicts.
    public mutating func refuseConflictingDuplicates() {
        guard !conflictsChecked else { return }
        conflictsChecked = true
        guard Event.firstConflictingDuplicate(events) != nil else { return }
        var first: [ByteKey: Int] = [:]  // ids by their bytes, as the store keys them → first event
        var contradicting: [ByteKey: Int] = [:]  // disputed ids → the first event unlike the first
        for i in events.indices {
            let key = ByteKey(events[i].id)
            if let j = first[key] {
                if contradicting[key] == nil, !events[j].isSameFact(as: events[i]), lines[j] != lines[i] { contradicting[key] = i }
            } else {
                first[key] = i
            }
        }
        var conflicting: [Int: (other: Int, id: String)] = [:]  // line → a line it conflicts with, and the id
        for i in events.indices {
            let key = ByteKey(events[i].id)
            guard let c = contradicting[key], let j = first[key], conflicting[lines[i]] == nil else { continue }
            // A line like the first is contradicted by the first unlike it; any other, by the first.
            let other = events[j].isSameFact(as: events[i]) ? lines[c] : lines[j]
            if other != lines[i] { conflicting[lines[i]] = (other, events[i].id) }
        }
        for (line, c) in conflicting.sorted(by: { $0.key < $1.key }) {
            errors.append(IngestError(line: line, .conflictingKey,
                                      "lines \(min(line, c.other)) and \(max(line, c.other)) give the id '\(ModelError.excerpt(c.id))' to different content; an id names one fact, so neither is stored. Give each its own id (for a CSV, make the map's contact key name each contact: it may be several columns)"))
        }
    }

    /// Errors that name no line (a missing header column, unreadable input):
    /// these stop an import even with `--rejects`.
    public var wholeInputErrors: [IngestError] { errors.filter { $0.line == nil } }

    /// Removes every event of a line with an error and returns the first
    /// error of each such line, in line order, for the rejects file.
    public mutating func setAsideErrors() -> [IngestError] {
        var byLine: [Int: IngestError] = [:]
        for e in errors { if let l = e.line, byLine[l] == nil { byLine[l] = e } }
        guard !byLine.isEmpty else { return [] }
        var keptEvents: [Event] = [], keptLines: [Int] = []
        keptEvents.reserveCapacity(events.count)
        keptLines.reserveCapacity(events.count)
        for i in events.indices where byLine[lines[i]] == nil {
            keptEvents.append(events[i])
            keptLines.append(lines[i])
        }
        events = keptEvents
        lines = keptLines
        errors = errors.filter { $0.line == nil }
        return byLine.keys.sorted().compactMap { byLine[$0] }
    }

    /// Events per kind made of the input, less those the store already held
    /// (`result` of appending them): what this import actually stored.
    public func storedByKind(_ result: LogStore.AppendResult) -> [(kind: EventKind, stored: Int, held: Int)] {
        var counts: [EventKind: Int] = [:]
        for e in events { counts[e.kind, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { kind, n in
            let held = result.duplicatesByKind[kind] ?? 0
            return (kind, n - held, held)
        }
    }

    /// Events per kind made of the input.
    public var countsByKind: [(EventKind, Int)] {
        var counts: [EventKind: Int] = [:]
        for e in events { counts[e.kind, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }
    }
}

/// The input formats `journey import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// Canonical JSONL events.
    case jsonl
    /// Asterisk `queue_log`.
    case asterisk
    /// Amazon Connect contact trace records.
    case connect
    /// CSV call records with a column map.
    case csv
}
