import JourneyLog
import JourneyModel

/// Reads an append's checked events back from its scratch file (records of
/// ``JourneyLog/SpoolRecord``) as batches of exactly ``JSONLAppend/eventsPerStoreCall``
/// events, the last holding the rest: each store call then fills whole
/// blocks, and an append stopped between calls has stored a whole number
/// of batches.
final class SpoolBatches {
    private let spool: ScratchFile
    private let origin: String
    /// Lines set aside (with a rejects sink): their events are left out.
    private let rejected: [Int: IngestError]
    private let size: Int
    /// Events read but not yet handed out.
    private var carry: [Event] = []
    private var ended = false

    /// Batches of `size` events from `spool` (rewound to its start) of `origin`'s events.
    init(_ spool: ScratchFile, origin: String, rejected: [Int: IngestError], size: Int) {
        spool.rewind()
        self.spool = spool
        self.origin = origin
        self.rejected = rejected
        self.size = max(1, size)
    }

    /// The next batch, or nil once every event has been handed out.
    func next() throws -> [Event]? {
        while carry.count < size, !ended {
            var record = try spool.readExactly(SpoolRecord.headerBytes)
            if record.isEmpty {
                ended = true
                break
            }
            record += try spool.readExactly(try SpoolRecord.bodyBytes(header: record))
            var (events, tags) = try SpoolRecord.decode(record, origin: origin)
            if !rejected.isEmpty {
                events = events.indices.filter { rejected[Int(truncatingIfNeeded: tags[$0])] == nil }.map { events[$0] }
            }
            if carry.isEmpty { swap(&carry, &events) } else { carry.append(contentsOf: events) }
        }
        guard !carry.isEmpty else { return nil }
        // The batch is the carried array itself; only what follows it is copied out.
        var rest = carry.count > size ? Array(carry[size...]) : []
        carry.removeLast(carry.count - min(size, carry.count))
        swap(&rest, &carry)
        return rest
    }
}
