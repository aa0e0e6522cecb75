/// Maps 64-bit hashes to 64-bit values as ``IDIndex`` does, in memory up to
/// a bound and on disk beyond it, so that the memory of an append or an
/// import does not grow with the size of the log or of the input.
///
/// Up to ``memoryEntries`` entries live in an ``IDIndex``. When it is full,
/// its entries are sorted in place and written as a run (``IDRun``) to a
/// scratch file of its own in ``directory``; the table is emptied and filled
/// again. The spill that would make ``runsMax`` runs merges the table and
/// every run into one instead. Memory keeps the first hash of each 4 KiB
/// page of each run, and one Bloom filter of every entry on disk (about 1.3
/// bytes an entry), so a lookup of a hash the disk does not hold (a new id:
/// the common case) asks one filter block and reads nothing, and one it
/// holds reads a page or two of each run (at most ``runsMax`` − 1).
///
/// The scratch files are this index's alone and are removed when the index
/// is released or freed; nothing in them outlives the process, so they have
/// no format to keep. A failed read or write of one throws (an index that might
/// have lost an entry would let a duplicate in), and every later call
/// throws the same error until ``release()``.
///
/// Not thread-safe: the log uses it under its store's lock, an import on one thread.
public final class SpillingIDIndex: @unchecked Sendable {
    /// Entries held in memory by default: as many as a table of 4 Mi slots
    /// (64 MiB) takes before it would grow.
    public static let defaultMemoryEntries = IDIndex.entriesMax(slots: 1 << 22)
    /// Runs the spill that would make this many merges everything into one instead.
    public static let runsMax = 4

    /// Where the scratch files are made.
    public let directory: String
    /// Most entries held in memory at once.
    public let memoryEntries: Int
    let fileSystem: any FileSystem
    private var memory = IDIndex()
    private var runs: [(run: IDRun, file: any StoredFile)] = []
    /// Every entry on disk; sized for ``filterEntries``.
    private var filter = BloomFilter(entries: 0)
    private var filterEntries = 0
    /// The most entries a caller said to expect (``reserve(_:)``).
    private var expected = 0
    private var broken: LogError?

    /// An empty index whose entries beyond `memoryEntries` (at least 1,024)
    /// go to scratch files in `directory` of `fileSystem`.
    public init(fileSystem: any FileSystem, directory: String, memoryEntries: Int = SpillingIDIndex.defaultMemoryEntries) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.memoryEntries = max(1024, memoryEntries)
    }

    deinit { for r in runs { r.file.close() } }

    /// Entries stored, in memory and on disk.
    public var count: Int { memory.count + countOnDisk }
    /// Entries on disk.
    public var countOnDisk: Int { runs.reduce(0) { $0 + $1.run.count } }
    /// Runs on disk now.
    public var runCount: Int { runs.count }
    /// True once a read or write of a scratch file failed: every call throws until ``release()``.
    public var isBroken: Bool { broken != nil }
    /// Bytes of memory the disk's entries take (their filter and page fences).
    public var diskMemoryBytes: Int { filter.bytes + runs.reduce(0) { $0 + $1.run.memoryBytes } }

    /// Every value stored under `hash` (usually none or one).
    public func candidates(_ hash: UInt64) throws -> [UInt64] {
        if let broken { throw broken }
        var found = memory.candidates(hash)
        try guarded { try onDisk(IDIndex.key(hash), into: &found) }
        return found
    }

    /// True when some value is stored under `hash`.
    public func contains(_ hash: UInt64) throws -> Bool {
        if memory.contains(hash) { return true }
        return try !candidates(hash).isEmpty
    }

    /// Adds `seq` under `hash` unless the hash is already present. Returns
    /// false (adding nothing) when it was present: the caller then confirms
    /// the candidate and calls ``insert(_:seq:)`` if it was a mere collision.
    public func insertIfAbsent(_ hash: UInt64, seq: UInt64) throws -> Bool {
        if let broken { throw broken }
        if memory.count >= memoryEntries { try guarded(spill) }
        if !runs.isEmpty {
            var found: [UInt64] = []
            try guarded { try onDisk(IDIndex.key(hash), into: &found) }
            if !found.isEmpty { return false }
        }
        return memory.insertIfAbsent(hash, seq: seq)
    }

    /// Adds an entry; the same hash may be added for several values (collisions).
    public func insert(_ hash: UInt64, seq: UInt64) throws {
        if let broken { throw broken }
        if memory.count >= memoryEntries { try guarded(spill) }
        memory.insert(hash, seq: seq)
    }

    /// Makes room in memory for `capacity` entries in all, up to the bound,
    /// so that adding them grows no table step by step; the filter of the
    /// entries on disk is sized for them too when it is made.
    public func reserve(_ capacity: Int) {
        expected = max(expected, capacity)
        memory.reserve(min(capacity, memoryEntries))
    }

    /// Drops every entry, in memory and on disk, and removes the scratch files.
    public func release() {
        memory = IDIndex()
        for r in runs { r.file.close() }
        runs = []
        filter = BloomFilter(entries: 0)
        filterEntries = 0
        expected = 0
        broken = nil
    }

    // MARK: Disk

    /// Runs `work`; an error breaks the index for every later call.
    private func guarded(_ work: () throws -> Void) throws {
        do { try work() } catch {
            let e = LogError(.io, "the id index could not use its scratch files in \(directory), so it cannot tell new ids from stored ones; nothing of this call was stored. Check the disk's space and health, then append again",
                             cause: "\(error)")
            broken = e
            throw e
        }
    }

    /// Appends the values of `key` on disk.
    @inline(__always) private func onDisk(_ key: UInt64, into found: inout [UInt64]) throws {
        guard !runs.isEmpty, filter.mayContain(key) else { return }
        for r in runs { try r.run.values(of: key, in: r.file, into: &found) }
    }

    /// Writes the table in memory as a new run, or merges it with every run
    /// into one when there would be ``runsMax`` runs or the filter would be
    /// outgrown (the merge reads every entry, so the filter is made again then).
    private func spill() throws {
        let before = count
        let remake = before > filterEntries
        let mergeAll = remake || runs.count + 1 >= Self.runsMax
        if remake {
            filterEntries = max(expected, 2 * before)
            filter = BloomFilter(entries: 0)  // the old one's memory goes before the new one's comes
            filter = BloomFilter(entries: filterEntries)
        }
        let made = try IDRun.spill(&memory, merging: mergeAll ? runs : [], fileSystem: fileSystem, directory: directory,
                                   sorted: { entries in if !remake { for e in entries { filter.insert(e.hash) } } },
                                   each: { e in if remake { filter.insert(e.hash) } })
        if mergeAll {
            for r in runs { r.file.close() }
            runs = []
        }
        runs.append(made)
        assert(count == before && memory.count == 0 && runs.count < Self.runsMax, "a spill moves every entry to disk, once")
    }
}
