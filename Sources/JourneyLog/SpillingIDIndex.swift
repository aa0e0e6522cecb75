/// Maps 64-bit hashes to 64-bit values as ``IDIndex`` does, in memory up to
/// a bound and on disk beyond it, so that the memory of an append or an
/// import does not grow with the size of the log or of the input.
///
/// Up to ``memoryEntries`` entries live in an ``IDIndex``. When it is full,
/// its entries are sorted in place and written as a run (``IDRun``) to a
/// scratch file in ``directory``; the table is emptied and filled again.
/// Each run keeps in memory the first hash of each 4 KiB page and a Bloom
/// filter (about 1.3 bytes an entry), so a lookup of a hash the runs do not
/// hold (a new id: the common case) reads nothing, and one they hold reads a
/// page or two. When there are ``runsMax`` runs they are merged into one, so
/// a lookup asks at most that many filters.
///
/// The scratch file is this index's alone and is removed when the index is
/// released or freed; nothing in it outlives the process, so it has no
/// format to keep. A failed read or write of it throws (an index that might
/// have lost an entry would let a duplicate in), and every later call
/// throws the same error until ``release()``.
///
/// Not thread-safe: the log uses it under its store's lock, an import on one thread.
public final class SpillingIDIndex: @unchecked Sendable {
    /// Entries held in memory by default: as many as a table of 4 Mi slots
    /// (64 MiB) takes before it would grow.
    public static let defaultMemoryEntries = IDIndex.entriesMax(slots: 1 << 22)
    /// Runs on disk before they are merged into one.
    public static let runsMax = 4

    /// Where the scratch file is made.
    public let directory: String
    /// Most entries held in memory at once.
    public let memoryEntries: Int
    let fileSystem: any FileSystem
    private var memory = IDIndex()
    private var runs: [IDRun] = []
    private var file: (any StoredFile)?
    private var fileSize: UInt64 = 0
    private var broken: LogError?

    /// An empty index whose entries beyond `memoryEntries` (at least 1,024)
    /// go to a scratch file in `directory` of `fileSystem`.
    public init(fileSystem: any FileSystem, directory: String, memoryEntries: Int = SpillingIDIndex.defaultMemoryEntries) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.memoryEntries = max(1024, memoryEntries)
    }

    deinit { file?.close() }

    /// Entries stored, in memory and on disk.
    public var count: Int { memory.count + runs.reduce(0) { $0 + $1.count } }
    /// True once a read or write of the scratch file failed: every call throws until ``release()``.
    public var isBroken: Bool { broken != nil }
    /// Runs on disk now.
    public var runCount: Int { runs.count }
    /// Bytes of memory the runs keep (their page fences and filters).
    public var runMemoryBytes: Int { runs.reduce(0) { $0 + $1.memoryBytes } }

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
    /// so that adding them grows no table step by step.
    public func reserve(_ capacity: Int) {
        memory.reserve(min(capacity, memoryEntries))
    }

    /// Drops every entry, in memory and on disk, and removes the scratch file.
    public func release() {
        memory = IDIndex()
        runs = []
        file?.close()
        file = nil
        fileSize = 0
        broken = nil
    }

    // MARK: Disk

    /// Runs `work`; an error breaks the index for every later call.
    private func guarded(_ work: () throws -> Void) throws {
        do { try work() } catch {
            let e = LogError(.io, "the id index could not use its scratch file in \(directory), so it cannot tell new ids from stored ones; nothing of this call was stored. Check the disk's space and health, then append again",
                             cause: "\(error)")
            broken = e
            throw e
        }
    }

    /// Appends the values of `key` in the runs.
    private func onDisk(_ key: UInt64, into found: inout [UInt64]) throws {
        guard let file else { return }
        for run in runs { try run.values(of: key, in: file, into: &found) }
    }

    /// Writes the table in memory as a new run, then merges the runs when there are ``runsMax``.
    private func spill() throws {
        if self.file == nil { try fileSystem.createDirectory(directory) }  // a new log's directory comes with its first block
        let file = try self.file ?? fileSystem.createScratch(in: directory)
        self.file = file
        let before = count
        var made: IDRun?
        try memory.drainSorted { entries in made = try IDRun.write(entries, to: file, at: fileSize) }
        guard let made else { return }
        fileSize += UInt64(made.count) * 16
        runs.append(made)
        if runs.count >= Self.runsMax {
            let merged = try fileSystem.createScratch(in: directory)
            let one = try IDRun.merge(runs, from: file, to: merged, at: 0)
            file.close()
            self.file = merged
            fileSize = UInt64(one.count) * 16
            runs = [one]
        }
        assert(count == before && memory.count == 0, "a spill moves every entry to disk, once")
    }
}
