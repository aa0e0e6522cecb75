import Dispatch
import JourneyLog
import JourneyModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends canonical JSONL to a store's own log from a file or standard
/// input of any size, a chunk of whole lines at a time, in two passes:
///
/// 1. **check**: every line is decoded, given an id derived from its content
///    when it has none, and validated as the store will validate it. The
///    hash of each id's content is kept in an ``IDConflictIndex``, so a line that
///    gives an id to different content than another line is found wherever
///    the two lines are in the input (a short extra pass over the input
///    confirms such candidates by their ids and names both lines). The
///    checked events are written, with their line numbers, to a scratch
///    file beside the store in the log's own payload format
///    (``JourneyLog/SpoolRecord``);
/// 2. **store**: the checked events are read back from the scratch file
///    (a fraction of the cost of decoding the JSON again) and appended a
///    batch at a time, without the rejected lines. What is stored is what
///    was checked, even if the input changes meanwhile.
///
/// Without a rejects sink the input is all-or-nothing: pass 2 runs only when
/// pass 1 found no bad line. With one, the rejected lines are copied from
/// the input to the sink before pass 2 (each chunk checked to be the bytes
/// pass 1 read). Memory holds a chunk or two, the id table of the input
/// (``IDConflictIndex``) and the store's own id index (``SpillingIDIndex``),
/// each bounded — not the input. Standard
/// input is copied to a scratch file too, so it can be read again.
public struct JSONLAppend {
    /// What an append did.
    public struct Outcome: Sendable {
        /// What the store did with the lines it was given.
        public var result = LogStore.AppendResult()
        /// With a rejects sink: the first error of every line set aside, in line order.
        public var rejected: [IngestError] = []
        /// Without one: the first ``errorsKept`` errors, in line order (nothing was stored when any).
        public var errors: [IngestError] = []
        /// Every bad line, reported or not.
        public var errorCount = 0
        /// Lines read (blank ones included).
        public var lines = 0
    }

    /// Events per store call in the store pass (the last call holds the
    /// rest): four whole blocks of the default size. Twice as many measured
    /// 3 % faster (`farm-bench`, 4 pairs, 2M events: wall 0.967, fewer
    /// syncs) but raised the peak from 174 to 202 MiB at 2M events and from
    /// 380 to 422 MB at 10M (one batch stored, one read ahead): memory won.
    /// An append stopped between calls has stored a whole number of them.
    public static let eventsPerStoreCall = AppendChunking.eventsPerCall / 2

    /// Errors kept for the report when nothing is stored.
    public static let errorsKept = 1000
    /// Bytes read per chunk.
    public var chunkBytes = 8 << 20
    /// Most of the input's ids held in memory by the check pass; beyond it
    /// they go to scratch files beside the store (``IDConflictIndex``). The
    /// store's own ids are bounded by its ``LogOptions/idsInMemoryMax``.
    public var idsInMemoryMax: Int
    /// Receives progress lines (to standard error in the CLI).
    public var progress: (String) -> Void = { _ in }
    /// Receives the rejects of each chunk (the lines as they were and their reasons),
    /// in input order; nil means all-or-nothing.
    public var setAside: (([UInt8]) throws -> Void)?

    let store: LogStore
    let options: EventCodec.DecodeOptions

    /// An appender for `store`'s own log: events without `site` get the
    /// store's site, and events of another site are refused.
    public init(store: LogStore) {
        self.store = store
        idsInMemoryMax = store.options.idsInMemoryMax
        options = EventCodec.DecodeOptions(defaultSite: store.site, allowMissingID: true, requiredSite: store.site)
    }

    /// Where the lines come from.
    public enum Input {
        /// A file, read twice.
        case file(String)
        /// An open descriptor (standard input), spooled to a file in `spoolDirectory`.
        case descriptor(Int32, spoolDirectory: String)
    }

    /// Checks and appends `input`. Throws ``IngestError`` for unreadable input,
    /// and the store's errors when storing fails.
    public func run(_ input: Input) throws -> Outcome {
        let source = try Source(input, chunkBytes: chunkBytes)
        let spool = try ScratchFile(in: store.directory, purpose: "the checked events")
        var outcome = Outcome()
        var check = try checkPass(source, spool, &outcome)
        if !check.conflictCandidates.isEmpty {
            try confirmConflicts(source, &check, &outcome)
        }
        outcome.rejected = check.rejected.keys.sorted().compactMap { check.rejected[$0] }
        if setAside == nil {
            outcome.errors.sort { ($0.line ?? 0) < ($1.line ?? 0) }
            if outcome.errorCount > 0 { return outcome }
        } else if !check.rejected.isEmpty {
            try setRejectsAside(source, check)
        }
        try storePass(spool, check, &outcome)
        return outcome
    }

    // MARK: Pass 1: check

    /// What the check pass learnt about the input.
    struct Check {
        /// Per chunk, its size and CRC-32C, to recognise the same bytes when the rejected lines are copied.
        var chunkSums: [(count: Int, crc: UInt32)] = []
        /// Rejected lines and the first reason for each (with a rejects sink).
        var rejected: [Int: IngestError] = [:]
        /// Hashes of ids given to different contents (to confirm by the ids themselves).
        var conflictCandidates = Set<UInt64>()
        /// Events that will be offered to the store.
        var events = 0
    }

    /// One line's event as checked: its id hash, content hash and line, or its error.
    struct Checked: Sendable {
        var idHash: UInt64
        var contentHash: UInt64
        var line: Int
    }

    /// What the check of one half chunk found: its checked events, its bad
    /// lines, and the checked events as spool records (or why they could not be).
    struct CheckedHalf {
        var checked: [Checked]
        var errors: [IngestError]
        var records: Result<[UInt8], Error>
    }

    /// One chunk as the check pass's stages hand it on.
    struct CheckedChunk {
        var sum: (count: Int, crc: UInt32)
        var lineCount: Int
        var bytesRead: UInt64
        var halves: [CheckedHalf]
    }

    /// Reads, decodes and checks the input in three stages, each a chunk
    /// ahead of the next: reading the next chunk, decoding and checking the
    /// one before on both cores, and here, in input order, the id table, the
    /// bad lines and the spool.
    func checkPass(_ source: Source, _ spool: ScratchFile, _ outcome: inout Outcome) throws -> Check {
        var check = Check()
        // The input's ids and contents, in the store's scratch space beyond the bound; an id given
        // several contents is found once, at the end, so no line waits for a read of the disk.
        let ids = IDConflictIndex(fileSystem: store.options.fileSystem, directory: store.directory, memoryEntries: idsInMemoryMax)
        var line = ProgressLine(verb: "checked", unit: "MB")
        let started = ContinuousClock.now
        let reader = try source.reader(spooling: true)
        let size = reader.size
        let chunks = ReadAhead { try reader.next().map { ($0, reader.bytesRead) } }
        let checkedChunks = ReadAhead { () throws -> CheckedChunk? in
            guard let (chunk, bytesRead) = try chunks.next() else { return nil }
            return CheckedChunk(sum: (chunk.bytes.count, Checksum.crc32c(chunk.bytes)), lineCount: chunk.lineCount, bytesRead: bytesRead,
                                halves: decodeInHalves(chunk) { result in checkHalf(&result) })
        }
        while let chunk = try checkedChunks.next() {
            if check.chunkSums.isEmpty, let size, chunk.sum.count > 0 {
                // The id table sized once for the whole file, from the first chunk's events per byte,
                // instead of growing (and rehashing) step by step.
                let events = chunk.halves.reduce(0) { $0 + $1.checked.count }
                ids.reserve(Int(Double(size) / Double(chunk.sum.count) * Double(events) * 1.05))
            }
            check.chunkSums.append(chunk.sum)
            outcome.lines += chunk.lineCount
            for half in chunk.halves {
                for e in half.errors { record(e, &check, &outcome) }
                for c in half.checked {
                    try ids.add(c.idHash, value: c.contentHash)
                    check.events += 1
                }
                // Once a line is bad and there is no rejects sink, nothing will be stored: the
                // rest is only checked, to report every bad line.
                if setAside != nil || outcome.errorCount == 0 { try spool.append(try half.records.get()[...]) }
            }
            // Progress once the input is more than a chunk; standard input's size is not known.
            let done = chunk.bytesRead >> 20
            if chunk.bytesRead > UInt64(chunkBytes),
               let text = line.line(done: done, total: max(done, (size ?? 0) >> 20), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                progress(size == nil ? "read \(done) MB of standard input" : text)
            }
        }
        check.conflictCandidates = try ids.hashesWithSeveralValues()
        return check
    }

    /// Checks one decoded half chunk on its thread: derives missing ids (in
    /// place), validates what a derived id changed, hashes ids and contents,
    /// and encodes the events that passed as spool records.
    func checkHalf(_ result: inout EventCodec.LinesResult) -> CheckedHalf {
        var errors: [IngestError] = result.errors.map { e in
            var unlined = e
            unlined.line = nil
            return IngestError(line: e.line, .invalidEvent, unlined.description)
        }
        var checked: [Checked] = []
        checked.reserveCapacity(result.events.count)
        var failed: [Int] = []
        let lines = result.lines
        // The events are read where they lie: iterating them copied each one (a retain and a
        // release of every field).
        result.events.withUnsafeMutableBufferPointer { events in
            for i in events.indices {
                do throws(ModelError) {
                    if events[i].id.isEmpty {
                        // The decoder validated the event as given; only a derived id (which can
                        // take a line over the size limit) needs the store's checks again.
                        events[i].id = DerivedID.make(for: events[i])
                        try events[i].validate()
                    }
                    checked.append(Checked(idHash: Self.idHash(events[i].id), contentHash: Self.factHash(events[i]), line: lines[i]))
                } catch {
                    errors.append(IngestError(line: lines[i], .invalidEvent, "\(error)"))
                    failed.append(i)
                }
            }
        }
        var tags = lines.map { UInt64($0) }
        if !failed.isEmpty {
            let drop = Set(failed)
            result.events = result.events.indices.filter { !drop.contains($0) }.map { result.events[$0] }
            tags = tags.indices.filter { !drop.contains($0) }.map { tags[$0] }
        }
        let records = Result { () throws -> [UInt8] in
            var out: [UInt8] = []
            try SpoolRecord.encode(result.events[...], tags: tags[...], origin: store.site, into: &out)
            return out
        }
        return CheckedHalf(checked: checked, errors: errors, records: records)
    }

    /// Counts (and keeps, within bounds) one bad line.
    func record(_ e: IngestError, _ check: inout Check, _ outcome: inout Outcome) {
        guard let l = e.line else { return }
        if setAside != nil {
            if check.rejected[l] == nil {
                check.rejected[l] = e
                outcome.errorCount += 1
            }
        } else {
            outcome.errorCount += 1
            if outcome.errors.count < Self.errorsKept { outcome.errors.append(e) }
        }
    }

    /// Reads the input again for the events whose id hash is a candidate, and
    /// names every line that gives an id to different content (as an import
    /// of the whole input at once would: ``ImportBatch/refuseConflictingDuplicates()``).
    func confirmConflicts(_ source: Source, _ check: inout Check, _ outcome: inout Outcome) throws {
        var batch = ImportBatch()
        let reader = try source.reader(spooling: false)
        while let chunk = try reader.next() {
            for (result, _) in decodeInHalves(chunk, { ($0, 0) }) {
                for (i, var e) in result.events.enumerated() {
                    if e.id.isEmpty { e.id = DerivedID.make(for: e) }
                    guard check.conflictCandidates.contains(Self.idHash(e.id)), check.rejected[result.lines[i]] == nil else { continue }
                    batch.events.append(e)
                    batch.lines.append(result.lines[i])
                }
            }
        }
        batch.refuseConflictingDuplicates()
        for e in batch.errors { record(e, &check, &outcome) }
        // Lines set aside are not stored: the count of events offered drops with them.
        if setAside != nil { check.events -= batch.errors.count }
    }

    /// Copies the rejected lines, as they were, from the input to the rejects
    /// sink in input order, each chunk checked to be the bytes the check read.
    func setRejectsAside(_ source: Source, _ check: Check) throws {
        guard let setAside else { return }
        let lines = check.rejected.keys.sorted()
        var next = 0
        var index = 0
        let reader = try source.reader(spooling: false)
        while let chunk = try reader.next() {
            guard index < check.chunkSums.count, check.chunkSums[index].count == chunk.bytes.count,
                  check.chunkSums[index].crc == Checksum.crc32c(chunk.bytes) else {
                throw IngestError(.malformed, "the input changed between checking it and setting its rejected lines aside (at line \(chunk.firstLine)); nothing was stored. Append a file nobody is writing to")
            }
            index += 1
            var here: [IngestError] = []
            while next < lines.count, lines[next] < chunk.firstLine + chunk.lineCount {
                if let r = check.rejected[lines[next]] { here.append(r) }
                next += 1
            }
            if !here.isEmpty { try setAside(Rejects.lines(chunk.bytes, firstLine: chunk.firstLine, rejected: here)) }
        }
        guard index == check.chunkSums.count else {
            throw IngestError(.malformed, "the input changed between checking it and setting its rejected lines aside (it is shorter); nothing was stored. Append a file nobody is writing to")
        }
    }

    // MARK: Pass 2: store

    /// Appends the checked events from the spool, reading the next batch on
    /// another thread while the store checks, compresses and commits the
    /// previous one (on both cores).
    func storePass(_ spool: ScratchFile, _ check: Check, _ outcome: inout Outcome) throws {
        var line = ProgressLine(verb: "stored")
        let started = ContinuousClock.now
        var done: UInt64 = 0
        var result = LogStore.AppendResult()
        // The store's id index sized once for what will be offered, when the input is likely mostly
        // new (more events than the log holds: a first load). A file appended again is all
        // duplicates: sizing for it would double a table that does not grow.
        if check.events > 0, UInt64(check.events) > store.lastSeq(of: store.site) {
            try store.reserveIDs(forAppending: check.events)
        }
        let spooled = SpoolBatches(spool, origin: store.site, rejected: check.rejected, size: Self.eventsPerStoreCall)
        let batches = ReadAhead { try spooled.next() }
        while let batch = try nextOrSay(batches, stored: result.appended) {
            result.merge(try AppendChunking.append(batch, to: store, bothCores: true))
            done += UInt64(batch.count)
            if check.events > AppendChunking.eventsPerCall,
               let text = line.line(done: done, total: UInt64(check.events), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                progress(text)
            }
        }
        outcome.result = result
    }

    /// The next batch read back; a scratch file that cannot be read back (a
    /// disk fault: its records are checksummed) stops the append saying how
    /// much of the input was stored, since earlier batches were.
    func nextOrSay(_ batches: ReadAhead<[Event]>, stored: Int) throws -> [Event]? {
        do {
            return try batches.next()
        } catch {
            throw LogError(.io, "cannot read back the checked events: \(error); \(stored) event(s) of the input were stored before this. Appending it again stores only what is missing")
        }
    }

    // MARK: Helpers

    /// Decodes the chunk's two halves (cut at a line break) on two threads
    /// and maps each with `work`; the results are in input order.
    func decodeInHalves<T>(_ chunk: LineChunks.Chunk, _ work: (inout EventCodec.LinesResult) -> T) -> [T] {
        Self.decodeInHalves(chunk, options: options, work)
    }

    /// Decodes the lines of `chunk` as two halves, cut at a line break, on two
    /// threads, with the input's line numbers, and maps each half with `work`
    /// on its thread (which may take the decoded events out); the results are
    /// in input order.
    public static func decodeInHalves<T>(_ chunk: LineChunks.Chunk, options: EventCodec.DecodeOptions,
                                         _ work: (inout EventCodec.LinesResult) -> T) -> [T] {
        chunk.bytes.withUnsafeBufferPointer { buf in
            var mid = buf.count / 2
            while mid < buf.count, buf[mid] != 0x0A { mid += 1 }
            mid = min(buf.count, mid + 1)
            let first = UnsafeBufferPointer(rebasing: buf[..<mid]), second = UnsafeBufferPointer(rebasing: buf[mid...])
            let secondFirstLine = chunk.firstLine + LineChunks.lineBreaks(first)
            let both = try? BothAtOnce.run({
                var decoded = EventCodec.decodeLines(first, options: options, firstLine: chunk.firstLine)
                return work(&decoded)
            }, {
                var decoded = EventCodec.decodeLines(second, options: options, firstLine: secondFirstLine)
                return work(&decoded)
            })
            return both.map { [$0.0, $0.1] } ?? []
        }
    }

    /// The hash an id is known by in the check pass (seeded per process), of
    /// its bytes: two spellings of one text are two ids, as in the store.
    static func idHash(_ id: String) -> UInt64 {
        var h = Hasher()
        id.hashBytes(into: &h)
        return UInt64(bitPattern: Int64(h.finalize()))
    }

    /// The hash an event's content is known by in the check pass, of its
    /// bytes: two lines that differ only in how a key is written differ.
    static func factHash(_ e: Event) -> UInt64 {
        var h = Hasher()
        e.hashFact(into: &h)
        return UInt64(bitPattern: Int64(h.finalize()))
    }

    /// The input, readable once or several times.
    final class Source {
        let input: Input
        let chunkBytes: Int
        /// Standard input's copy, already removed from its directory.
        var spool: ScratchFile?
        var spooled = false

        init(_ input: Input, chunkBytes: Int) throws {
            self.input = input
            self.chunkBytes = chunkBytes
            if case .descriptor(_, let dir) = input {
                spool = try ScratchFile(in: dir, purpose: "a copy of standard input")
            }
        }

        /// A reader from the start of the input; the first read of standard input fills the spool.
        func reader(spooling: Bool) throws -> LineChunks {
            switch input {
            case .file(let path):
                return try LineChunks(path: path, chunkBytes: chunkBytes)
            case .descriptor(let fd, _):
                guard let spool else { throw IngestError(.malformed, "standard input has no spool") }
                if !spooled {
                    spooled = true
                    return LineChunks(descriptor: fd, spool: spool.fd, chunkBytes: chunkBytes)
                }
                spool.rewind()
                return LineChunks(descriptor: spool.fd, spool: nil, chunkBytes: chunkBytes)
            }
        }
    }
}
