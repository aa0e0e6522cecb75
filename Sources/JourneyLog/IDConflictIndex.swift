/// Finds, in bounded memory, the hashes given two values or more: an
/// import's check of its input, where a hash is an id's and a value its
/// content's, and a hash with several values is an id given to different
/// contents.
///
/// Unlike ``SpillingIDIndex`` it answers once, at the end, so nothing is
/// ever looked up on disk: pairs are added to a table in memory (an exact
/// repeat of a pair the table holds is kept once); a full table is sorted in
/// place and written as a run to a scratch file in ``directory``; at the end,
/// one merge of the table and the runs in order finds each hash with
/// several values next to each other. At ``runsMax`` runs they are merged
/// into one, which bounds the files open and the read buffers (2 MiB a run)
/// of that last merge.
public final class IDConflictIndex: @unchecked Sendable {
    /// Runs on disk before they are merged into one.
    public static let runsMax = 16

    /// Where the scratch files are made.
    public let directory: String
    /// Most pairs held in memory at once.
    public let memoryEntries: Int
    let fileSystem: any FileSystem
    private var memory = IDIndex()
    private var runs: [(run: IDRun, file: any StoredFile)] = []
    /// Hashes the table was given a second value for (all there is to find while nothing spilled).
    private var severalInMemory = Set<UInt64>()

    /// An empty index whose pairs beyond `memoryEntries` (at least 1,024) go
    /// to scratch files in `directory` of `fileSystem`.
    public init(fileSystem: any FileSystem, directory: String, memoryEntries: Int = SpillingIDIndex.defaultMemoryEntries) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.memoryEntries = max(1024, memoryEntries)
    }

    deinit { for r in runs { r.file.close() } }

    /// Pairs held, in memory and on disk (a pair repeated across spills counts once a spill).
    public var count: Int { memory.count + runs.reduce(0) { $0 + $1.run.count } }
    /// Runs on disk now.
    public var runCount: Int { runs.count }

    /// Makes room in memory for `capacity` pairs in all, up to the bound.
    public func reserve(_ capacity: Int) {
        memory.reserve(min(capacity, memoryEntries))
    }

    /// Adds the pair `hash`, `value` (once, if the table holds it already).
    public func add(_ hash: UInt64, value: UInt64) throws {
        if memory.count >= memoryEntries {
            let made = try IDRun.spill(&memory, merging: runs.count + 1 >= Self.runsMax ? runs : [], fileSystem: fileSystem, directory: directory)
            if runs.count + 1 >= Self.runsMax {
                for r in runs { r.file.close() }
                runs = []
            }
            runs.append(made)
        }
        // A new hash (the common case) is added in the same probe that finds it absent.
        if !memory.insertIfAbsent(hash, seq: value), !memory.candidates(hash).contains(value) {
            memory.insert(hash, seq: value)
            severalInMemory.insert(IDIndex.key(hash))
        }
    }

    /// Every hash added with two values or more (0 and 1 both when either
    /// was: the table keeps 0 as 1). Empties the index.
    public func hashesWithSeveralValues() throws -> Set<UInt64> {
        defer { severalInMemory = [] }
        // Nothing spilled: the table saw every pair, and no sort is needed.
        guard !runs.isEmpty else {
            memory = IDIndex()
            return severalInMemory.contains(1) ? severalInMemory.union([0]) : severalInMemory
        }
        var found = Set<UInt64>()
        var last: IDEntry?
        try memory.drainSorted { entries in
            try IDRun.forEachInOrder(entries, runs) { e in
                if let l = last, l.hash == e.hash, l.value != e.value {
                    found.insert(e.hash)
                    if e.hash == 1 { found.insert(0) }
                }
                last = e
            }
        }
        for r in runs { r.file.close() }
        runs = []
        memory = IDIndex()
        return found
    }
}
