import JourneyModel

/// The log of one origin site on this node: its segment files, the sparse
/// block index, the chain head, and the id index. Not thread-safe by itself:
/// ``LogStore`` serialises writers and hands readers immutable snapshots.
final class OriginLog: @unchecked Sendable {
    struct Segment {
        var firstSeq: UInt64
        var path: String
        var file: any StoredFile
        var size: UInt64
    }

    let origin: String
    let directory: String
    let options: LogOptions
    var fs: any FileSystem { options.fileSystem }

    var segments: [Segment] = []
    var blocks: [BlockLocation] = []
    /// Seq of the last durable (written) event; 0 when empty.
    var lastSeq: UInt64 = 0
    /// Chain hash of the last block; zeros when empty.
    var headHash = [UInt8](repeating: 0, count: 32)
    /// Every stored id's hash and seq. Made on the first append, not on
    /// open: readers never need it, and it is the largest thing in memory.
    private(set) lazy var ids = SpillingIDIndex(fileSystem: options.fileSystem, directory: directory, memoryEntries: options.idsInMemoryMax)
    /// True once ``ids`` holds every stored id.
    var idsLoaded = false
    var rawBytes: UInt64 = 0
    /// What recovery did on open, for the caller to report.
    var recoveryNotes: [String] = []
    /// The durable record of what was acknowledged (nil: none yet, or a v1 store before migration).
    var ack: AckRecord?
    /// The open record file (writers only).
    var ackFile: (any StoredFile)?
    /// True for a store written before acknowledgement records existed (format v1):
    /// recovery then cuts only an incomplete last block.
    let legacy: Bool
    /// The key this origin's blocks must be signed with, when pinned.
    let publicKey: [UInt8]?

    init(origin: String, directory: String, options: LogOptions, legacy: Bool = false, publicKey: [UInt8]? = nil) {
        self.origin = origin
        self.directory = directory
        self.options = options
        self.legacy = legacy
        self.publicKey = publicKey
    }

    var storedBytes: UInt64 { segments.reduce(0) { $0 + $1.size } }

    // MARK: Writing

    /// Where a write put each block, and the segment list after it: computed
    /// by the writer without touching shared state, then published under the
    /// store's lock by ``publish(_:)`` so readers never see a half-made update.
    struct WriteOutcome {
        var segments: [Segment]
        var placed: [(BlockHeader, Int, UInt64)] = []
        /// The acknowledgement record written after the data (nil when nothing was written).
        var ack: AckRecord?
        var ackFile: (any StoredFile)?
    }

    /// Writes sealed blocks (already chained after ``headHash``), rolling
    /// segments at the size limit and syncing when `sync` is true.
    func write(_ sealed: [Block], sync: Bool) throws -> WriteOutcome {
        assertContinuesChain(sealed.map(\.header))
        var out = WriteOutcome(segments: segments)
        var pending: [UInt8] = []
        var pendingBlocks: [(BlockHeader, UInt64)] = []
        var lastBlockSegment = blocks.last?.segment ?? -1
        func flush() throws {
            guard !pending.isEmpty else { return }
            let s = out.segments.count - 1
            try out.segments[s].file.append(pending)
            if sync { try out.segments[s].file.sync() }
            out.segments[s].size += UInt64(pending.count)
            for (h, offset) in pendingBlocks { out.placed.append((h, s, offset)) }
            lastBlockSegment = s
            pending.removeAll(keepingCapacity: true)
            pendingBlocks.removeAll(keepingCapacity: true)
        }
        var ackFile = self.ackFile
        var ack = self.ack ?? AckRecord.empty(origin: origin)
        for block in sealed {
            if out.segments.isEmpty {
                if ackFile == nil {
                    // A new origin: its directory, durable in the parent, and its record before any segment.
                    try fs.createDirectory(directory)
                    try fs.syncDirectory(POSIXFileSystem.parent(of: directory))
                    let (file, record) = try AckRecord.create(directory: directory, origin: origin, fs: fs)
                    ackFile = file
                    ack = record
                }
                out.segments.append(try startSegment(firstSeq: block.header.firstSeq, after: nil))
            } else {
                let s = out.segments.count - 1
                let size = out.segments[s].size + UInt64(pending.count)
                if size >= options.segmentBytesMax && (!pendingBlocks.isEmpty || lastBlockSegment == s) {
                    try flush()
                    out.segments.append(try startSegment(firstSeq: block.header.firstSeq, after: out.segments[s]))
                }
            }
            let s = out.segments.count - 1
            pendingBlocks.append((block.header, out.segments[s].size + UInt64(pending.count)))
            pending.append(contentsOf: block.bytes)
            if UInt64(pending.count) >= options.writeBytesMax { try flush() }
        }
        try flush()
        // The data is durable; now record that it is acknowledged, and only then return.
        if let last = sealed.last, let file = ackFile, let seg = out.segments.last {
            precondition(last.header.firstSeq > ack.lastSeq, "the acknowledged position only moves forward")
            ack = AckRecord(counter: ack.counter + 1, lastSeq: last.header.lastSeq, chainHash: last.header.chainHash,
                            segmentFirstSeq: seg.firstSeq, endOffset: seg.size, origin: origin)
            try AckRecord.write(ack, to: file, sync: sync)
            out.ack = ack
            out.ackFile = file
        }
        return out
    }

    /// Makes a write visible: the new segment list and the block index entries.
    func publish(_ outcome: WriteOutcome) {
        segments = outcome.segments
        for (h, s, offset) in outcome.placed { record(h, segment: s, offset: offset) }
        if let a = outcome.ack {
            ack = a
            ackFile = outcome.ackFile
        }
        precondition(ack == nil || ack?.lastSeq == lastSeq, "after a write, everything held is acknowledged")
    }

    /// Checks, before a write, that `headers` continue this log's chain one
    /// after another: contiguous seqs, each linked to the previous hash.
    func assertContinuesChain(_ headers: [BlockHeader]) {
        var seq = lastSeq, hash = headHash
        for h in headers {
            precondition(h.origin == origin && h.firstSeq == seq + 1 && h.previousHash == hash,
                         "a block to write (\(h.origin) seq \(h.firstSeq)) does not continue \(origin) at seq \(seq)")
            seq = h.lastSeq
            hash = h.chainHash
        }
    }

    /// Adds a written block to the in-memory state.
    func record(_ h: BlockHeader, segment: Int, offset: UInt64) {
        // The chain step. Every caller linked the block first (recovery, the
        // writer, a replicated block's check): breaking this is a bug, not input.
        precondition(h.origin == origin && h.firstSeq == lastSeq + 1 && h.previousHash == headHash,
                     "block \(h.origin) \(h.firstSeq) does not continue \(origin) at seq \(lastSeq)")
        precondition(h.count > 0, "a block holds events")
        blocks.append(BlockLocation(firstSeq: h.firstSeq, count: h.count, minAt: h.minAt, maxAt: h.maxAt,
                                    segment: segment, offset: offset, totalBytes: h.totalBytes, rawBytes: h.rawBytes))
        lastSeq = h.lastSeq
        headHash = h.chainHash
        rawBytes += UInt64(h.rawBytes)
    }

    /// Seals the previous segment (synced) and creates a new one whose first
    /// event is `firstSeq`, durable in its directory before any block goes in.
    func startSegment(firstSeq: UInt64, after previous: Segment?) throws -> Segment {
        precondition(firstSeq > lastSeq && (previous.map { firstSeq > $0.firstSeq } ?? true), "a new segment starts after what the log holds")
        if let previous { try previous.file.sync() }
        let path = fs.join(directory, SegmentHeader.fileName(firstSeq: firstSeq))
        let file = try fs.open(path, create: true)
        let header = SegmentHeader(firstSeq: firstSeq, origin: origin).encode()
        try file.append(header)
        try file.sync()
        try fs.syncDirectory(directory)
        return Segment(firstSeq: firstSeq, path: path, file: file, size: UInt64(header.count))
    }

    /// Fills the id index from the stored blocks, once.
    func loadIDs() throws {
        guard !idsLoaded else { return }
        ids.release()
        ids.reserve(Int(clamping: lastSeq))
        for loc in blocks {
            var failure: (any Error)?
            try readBlock(loc, segments: segments).forEachIDHash { seq, hash in
                guard failure == nil else { return }
                do { try ids.insert(hash, seq: seq) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        idsLoaded = true
    }

    /// Empties the id index (and removes its scratch file); ``loadIDs()`` fills it again.
    func releaseIDs() {
        ids.release()
        idsLoaded = false
    }

    // MARK: Reading

    /// Reads one stored block and checks its CRC.
    func readBlock(_ loc: BlockLocation, segments: [Segment]) throws -> Block {
        guard loc.segment < segments.count else { throw LogError(.corrupt, "block index points past the segment list") }
        let seg = segments[loc.segment]
        let bytes = try seg.file.read(at: loc.offset, count: loc.totalBytes)
        do {
            guard bytes.count == loc.totalBytes else { throw LogError(.corrupt, "block is cut short") }
            return try Block(parsing: bytes)
        } catch {
            var e = LogError.from(error)
            e.file = seg.path
            e.offset = loc.offset
            throw e
        }
    }

    /// Index of the block holding `seq`, by binary search.
    static func blockIndex(holding seq: UInt64, in blocks: [BlockLocation]) -> Int? {
        var lo = 0
        var hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].lastSeq < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo < blocks.count && blocks[lo].firstSeq <= seq ? lo : nil
    }
}
