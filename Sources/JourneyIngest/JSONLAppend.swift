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
///    hash of each id's content is kept in an ``IDIndex``, so a line that
///    gives an id to different content than another line is found wherever
///    the two lines are in the input (a third, short pass over the input
///    confirms such candidates by their ids and names both lines);
/// 2. **store**: the lines are decoded again and appended a chunk at a time,
///    without the rejected lines, each chunk checked to be the bytes pass 1
///    checked.
///
/// Without a rejects sink the input is all-or-nothing: pass 2 runs only when
/// pass 1 found no bad line. Memory holds a chunk or two, the id table of
/// the input (16 bytes a slot) and the store's own id index — not the input.
/// Standard input is copied to a spool file beside the store (removed when
/// done) so it can be read twice.
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

    /// Errors kept for the report when nothing is stored.
    public static let errorsKept = 1000
    /// Bytes read per chunk.
    public var chunkBytes = 8 << 20
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
        var outcome = Outcome()
        var check = try checkPass(source, &outcome)
        if !check.conflictCandidates.isEmpty {
            try confirmConflicts(source, &check, &outcome)
        }
        outcome.rejected = check.rejected.keys.sorted().compactMap { check.rejected[$0] }
        if setAside == nil {
            outcome.errors.sort { ($0.line ?? 0) < ($1.line ?? 0) }
            if outcome.errorCount > 0 { return outcome }
        }
        try storePass(source, check, &outcome)
        return outcome
    }

    // MARK: Pass 1: check

    /// What the check pass learnt about the input.
    struct Check {
        /// Per chunk, its size and CRC-32C, to recognise the same bytes in pass 2.
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

    func checkPass(_ source: Source, _ outcome: inout Outcome) throws -> Check {
        var check = Check()
        var ids = IDIndex()
        var line = ProgressLine(verb: "checked", unit: "MB")
        let started = ContinuousClock.now
        let reader = try source.reader(spooling: true)
        while let chunk = try reader.next() {
            check.chunkSums.append((chunk.bytes.count, Checksum.crc32c(chunk.bytes)))
            outcome.lines += chunk.lineCount
            let halves = decodeInHalves(chunk) { result in
                var errors: [IngestError] = result.errors.map { e in
                    var unlined = e
                    unlined.line = nil
                    return IngestError(line: e.line, .invalidEvent, unlined.description)
                }
                var checked: [Checked] = []
                checked.reserveCapacity(result.events.count)
                // The events are read where they lie: iterating them copied each one (a retain and a
                // release of every field); only an event that needs an id derived is copied.
                result.events.withUnsafeBufferPointer { events in
                    for i in events.indices {
                        do throws(ModelError) {
                            if events[i].id.isEmpty {
                                // The decoder validated the event as given; only a derived id (which can
                                // take a line over the size limit) needs the store's checks again.
                                var e = events[i]
                                e.id = DerivedID.make(for: e)
                                try e.validate()
                                checked.append(Checked(idHash: Self.idHash(e.id), contentHash: Self.factHash(e), line: result.lines[i]))
                            } else {
                                checked.append(Checked(idHash: Self.idHash(events[i].id), contentHash: Self.factHash(events[i]), line: result.lines[i]))
                            }
                        } catch {
                            errors.append(IngestError(line: result.lines[i], .invalidEvent, "\(error)"))
                        }
                    }
                }
                return (checked, errors)
            }
            for (checked, errors) in halves {
                for e in errors { record(e, &check, &outcome) }
                for c in checked {
                    let seen = ids.candidates(c.idHash)
                    if seen.isEmpty {
                        ids.insert(c.idHash, seq: c.contentHash)
                    } else if !seen.contains(c.contentHash) {
                        check.conflictCandidates.insert(c.idHash)
                        ids.insert(c.idHash, seq: c.contentHash)
                    }
                    check.events += 1
                }
            }
            // Progress once the input is more than a chunk; standard input's size is not known.
            let done = reader.bytesRead >> 20
            if reader.bytesRead > UInt64(chunkBytes),
               let text = line.line(done: done, total: max(done, (reader.size ?? 0) >> 20), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                progress(reader.size == nil ? "read \(done) MB of standard input" : text)
            }
        }
        return check
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

    // MARK: Pass 2: store

    func storePass(_ source: Source, _ check: Check, _ outcome: inout Outcome) throws {
        let reader = try source.reader(spooling: false)
        var line = ProgressLine(verb: "stored")
        let started = ContinuousClock.now
        var done: UInt64 = 0
        var index = 0
        var ready: [Event]? = nil  // decoded, waiting for the store
        var result = LogStore.AppendResult()
        func take(_ r: LogStore.AppendResult, count: Int) {
            result.merge(r)
            done += UInt64(count)
            if check.events > AppendChunking.eventsPerCall,
               let text = line.line(done: done, total: UInt64(check.events), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                progress(text)
            }
        }
        // Decode chunk k+1 on one core while chunk k is compressed and committed on the other.
        while true {
            let chunk = try reader.next()
            if let chunk {
                guard index < check.chunkSums.count, check.chunkSums[index].count == chunk.bytes.count,
                      check.chunkSums[index].crc == Checksum.crc32c(chunk.bytes) else {
                    if let ready { take(try store.append(ready), count: ready.count) }
                    throw IngestError(.malformed, "the input changed between checking and storing it (at line \(chunk.firstLine)); \(result.appended) event(s) of it were stored. Append a file nobody is writing to; appending it again stores only what is missing")
                }
                index += 1
            }
            let pending = ready
            let (appended, (decoded, rejectsBytes)) = try BothAtOnce.run({
                try pending.map { try AppendChunking.append($0, to: store) }
            }, {
                chunk.map { storable($0, check) } ?? ([], [])
            })
            if let appended, let pending { take(appended, count: pending.count) }
            if !rejectsBytes.isEmpty, let setAside { try setAside(rejectsBytes) }
            guard chunk != nil else { break }
            ready = decoded
        }
        if index != check.chunkSums.count {
            throw IngestError(.malformed, "the input changed between checking and storing it (it is shorter); \(result.appended) event(s) of it were stored. Append a file nobody is writing to; appending it again stores only what is missing")
        }
        outcome.result = result
    }

    /// The events of `chunk` to store (rejected lines left out) and the rejects file's lines for it.
    func storable(_ chunk: LineChunks.Chunk, _ check: Check) -> ([Event], [UInt8]) {
        var events: [Event] = []
        var setAsideHere: [IngestError] = []
        var halves = decodeInHalves(chunk) { $0 }
        for h in halves.indices {
            // Each half's events are moved out whole (nothing else holds them). In the common case, a
            // chunk with no rejected line, the first half becomes the chunk's array without a copy and
            // missing ids are derived in place; the second half is appended to it (an element copy).
            var taken: [Event] = []
            swap(&taken, &halves[h].events)
            let result = halves[h]
            if check.rejected.isEmpty {
                for i in taken.indices where taken[i].id.isEmpty { taken[i].id = DerivedID.make(for: taken[i]) }
                if events.isEmpty { events = taken } else { events.append(contentsOf: taken) }
            } else {
                events.reserveCapacity(events.count + taken.count)
                for (i, var e) in taken.enumerated() {
                    if let r = check.rejected[result.lines[i]] {
                        setAsideHere.append(r)
                        continue
                    }
                    if e.id.isEmpty { e.id = DerivedID.make(for: e) }
                    events.append(e)
                }
            }
            for e in result.errors { if let l = e.line, let r = check.rejected[l] { setAsideHere.append(r) } }
        }
        guard setAside != nil, !setAsideHere.isEmpty else { return (events, []) }
        setAsideHere.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        return (events, Rejects.lines(chunk.bytes, firstLine: chunk.firstLine, rejected: setAsideHere))
    }

    // MARK: Helpers

    /// Decodes the chunk's two halves (cut at a line break) on two threads
    /// and maps each with `work`; the results are in input order.
    func decodeInHalves<T>(_ chunk: LineChunks.Chunk, _ work: (EventCodec.LinesResult) -> T) -> [T] {
        Self.decodeInHalves(chunk, options: options, work)
    }

    /// Decodes the lines of `chunk` as two halves, cut at a line break, on two
    /// threads, with the input's line numbers, and maps each half with `work`
    /// on its thread; the results are in input order.
    public static func decodeInHalves<T>(_ chunk: LineChunks.Chunk, options: EventCodec.DecodeOptions,
                                         _ work: (EventCodec.LinesResult) -> T) -> [T] {
        chunk.bytes.withUnsafeBufferPointer { buf in
            var mid = buf.count / 2
            while mid < buf.count, buf[mid] != 0x0A { mid += 1 }
            mid = min(buf.count, mid + 1)
            let first = UnsafeBufferPointer(rebasing: buf[..<mid]), second = UnsafeBufferPointer(rebasing: buf[mid...])
            let secondFirstLine = chunk.firstLine + LineChunks.lineBreaks(first)
            let both = try? BothAtOnce.run({ work(EventCodec.decodeLines(first, options: options, firstLine: chunk.firstLine)) },
                                           { work(EventCodec.decodeLines(second, options: options, firstLine: secondFirstLine)) })
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
        /// Standard input's copy: open, and already removed from its directory.
        var spool: Int32?
        var spooled = false

        init(_ input: Input, chunkBytes: Int) throws {
            self.input = input
            self.chunkBytes = chunkBytes
            if case .descriptor(_, let dir) = input {
                var template = Array("\(dir)/.append-spool-XXXXXX".utf8CString)
                let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1 }
                guard fd >= 0 else {
                    throw IngestError(.malformed, "cannot create a spool file for standard input in \(dir): \(String(cString: strerror(errno))); append from a file instead")
                }
                template.withUnsafeBufferPointer { p in _ = p.baseAddress.map { unlink($0) } }
                spool = fd
            }
        }

        deinit { if let spool { close(spool) } }

        /// A reader from the start of the input; the first read of standard input fills the spool.
        func reader(spooling: Bool) throws -> LineChunks {
            switch input {
            case .file(let path):
                return try LineChunks(path: path, chunkBytes: chunkBytes)
            case .descriptor(let fd, _):
                guard let spool else { throw IngestError(.malformed, "standard input has no spool") }
                if !spooled {
                    spooled = true
                    return LineChunks(descriptor: fd, spool: spool, chunkBytes: chunkBytes)
                }
                lseek(spool, 0, SEEK_SET)
                return LineChunks(descriptor: spool, spool: nil, chunkBytes: chunkBytes)
            }
        }
    }
}
