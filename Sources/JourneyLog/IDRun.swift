/// The part of the id index on disk: entries sorted by hash, 16 bytes each
/// (hash and value, in this machine's byte order: the file is this process's
/// scratch, never read by another), in a scratch file. Memory keeps the first
/// hash of each page of ``entriesPerPage`` entries, so a lookup reads the
/// page or two that can hold a hash; ``SpillingIDIndex`` keeps the filter
/// that spares most lookups any read.
struct IDRun: Sendable {
    /// Entries per page read by a lookup (4 KiB).
    static let entriesPerPage = 256
    /// Entries per read or write when a run is merged (1 MiB).
    static let entriesPerWrite = 65_536

    /// Entries in the run.
    let count: Int
    /// The hash of the first entry of each page.
    let fences: [UInt64]

    /// Bytes the run keeps in memory.
    var memoryBytes: Int { fences.count * 8 }

    // MARK: Writing

    /// Builds a run as its entries are written in order, a write at a time,
    /// adding each to `filter` when one is given.
    struct Writer {
        let file: any StoredFile
        var count = 0
        var fences: [UInt64] = []
        var pending: [UInt8] = []
        var last: (UInt64, UInt64) = (0, 0)

        /// A writer of about `entries` entries to the empty `file`.
        init(file: any StoredFile, entries: Int) {
            self.file = file
            fences.reserveCapacity(entries / IDRun.entriesPerPage + 1)
            pending.reserveCapacity(IDRun.entriesPerWrite * 16)
        }

        /// Adds the next entry; one before the last is refused (a run read
        /// back that is not what was written).
        mutating func add(_ e: IDEntry) throws {
            guard count == 0 || (e.hash, e.value) >= last else {
                throw LogError(.io, "the id index's scratch file does not read back as it was written (entries out of order); append again")
            }
            last = (e.hash, e.value)
            if count % IDRun.entriesPerPage == 0 { fences.append(e.hash) }
            withUnsafeBytes(of: e.hash) { pending.append(contentsOf: $0) }
            withUnsafeBytes(of: e.value) { pending.append(contentsOf: $0) }
            count += 1
            if pending.count >= IDRun.entriesPerWrite * 16 { try flush() }
        }

        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            try file.append(pending)
            pending.removeAll(keepingCapacity: true)
        }

        /// The run, once every entry is written.
        mutating func finish() throws -> IDRun {
            try flush()
            return IDRun(count: count, fences: fences)
        }
    }

    /// Merges the sorted `entries` with `runs` (each read from its file, a
    /// write's worth at a time) into a new run written to the empty file
    /// `to`; `each` is called with every entry of the new run.
    static func merge(_ entries: UnsafeBufferPointer<IDEntry>, with runs: [(run: IDRun, file: any StoredFile)], to: any StoredFile,
                      each: (IDEntry) -> Void) throws -> IDRun {
        let total = entries.count + runs.reduce(0) { $0 + $1.run.count }
        var w = Writer(file: to, entries: total)
        try forEachInOrder(entries, runs) { e in
            try w.add(e)
            each(e)
        }
        let merged = try w.finish()
        guard merged.count == total else {
            throw LogError(.io, "the id index's scratch files gave back \(merged.count) entries of \(total) written; append again")
        }
        return merged
    }

    /// Calls `body` with every entry of the sorted `entries` and of `runs`
    /// (each read from its file, a write's worth at a time), in order.
    static func forEachInOrder(_ entries: UnsafeBufferPointer<IDEntry>, _ runs: [(run: IDRun, file: any StoredFile)],
                               _ body: (IDEntry) throws -> Void) throws {
        var readers = runs.map { Reader(run: $0.run, file: $0.file) }
        for k in readers.indices { try readers[k].fill() }
        var i = 0
        while true {
            // The least of the next entry in memory and each run's next entry.
            var best: (reader: Int, entry: IDEntry)? = i < entries.count ? (-1, entries[i]) : nil
            for k in readers.indices {
                guard let e = readers[k].current else { continue }
                if let b = best, (b.entry.hash, b.entry.value) <= (e.hash, e.value) { continue }
                best = (k, e)
            }
            guard let best else { return }
            if best.reader < 0 { i += 1 } else { try readers[best.reader].advance() }
            try body(best.entry)
        }
    }

    /// Empties `table` into a new run in a new scratch file in `directory`
    /// (made if missing), merged with `runs`; `sorted` sees the table's
    /// entries in order before the merge, `each` every entry of the new run.
    static func spill(_ table: inout IDIndex, merging runs: [(run: IDRun, file: any StoredFile)], fileSystem: any FileSystem, directory: String,
                      sorted: (UnsafeBufferPointer<IDEntry>) -> Void = { _ in }, each: (IDEntry) -> Void = { _ in }) throws -> (run: IDRun, file: any StoredFile) {
        try fileSystem.createDirectory(directory)  // a new log's directory comes with its first block
        let file = try fileSystem.createScratch(in: directory)
        var made: IDRun?
        try table.drainSorted { entries in
            sorted(entries)
            made = try merge(entries, with: runs, to: file, each: each)
        }
        guard let made else { throw LogError(.io, "the id index's spill made no run") }
        return (made, file)
    }

    /// Reads a run in order, a write's worth of entries at a time.
    struct Reader {
        let run: IDRun
        let file: any StoredFile
        var next = 0
        var buffer: [IDEntry] = []
        var at = 0

        init(run: IDRun, file: any StoredFile) {
            self.run = run
            self.file = file
        }

        var current: IDEntry? { at < buffer.count ? buffer[at] : nil }

        mutating func advance() throws {
            at += 1
            if at == buffer.count { try fill() }
        }

        mutating func fill() throws {
            let n = min(IDRun.entriesPerWrite, run.count - next)
            buffer = n > 0 ? try run.read(from: file, first: next, count: n) : []
            next += n
            at = 0
        }
    }

    // MARK: Reading

    /// Entries `first..<first+count` of the run.
    func read(from file: any StoredFile, first: Int, count n: Int) throws -> [IDEntry] {
        let bytes = try file.read(at: UInt64(first) * 16, count: n * 16)
        guard bytes.count == n * 16 else {
            throw LogError(.io, "the id index's scratch file is shorter than what was written to it (\(bytes.count) of \(n * 16) bytes at entry \(first)); append again")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { i in
                IDEntry(hash: raw.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self),
                        value: raw.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self))
            }
        }
    }

    /// Appends to `found` the value of every entry whose hash is `hash`,
    /// reading the page or pages that can hold them.
    func values(of hash: UInt64, in file: any StoredFile, into found: inout [UInt64]) throws {
        // The first page whose first hash is not below `hash`: entries equal to
        // it start there or at the end of the page before.
        var lo = 0, hi = fences.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if fences[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        var page = max(0, lo - 1)
        while page < fences.count {
            if page >= lo && fences[page] > hash { return }
            let first = page * IDRun.entriesPerPage
            let entries = try read(from: file, first: first, count: min(IDRun.entriesPerPage, count - first))
            for e in entries {
                if e.hash > hash { return }
                if e.hash == hash { found.append(e.value) }
            }
            page += 1
        }
    }
}
