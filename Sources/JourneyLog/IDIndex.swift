/// Maps a 64-bit hash to 64-bit values: in an origin's log, the hash of an
/// event id to the seq that holds it; in a JSONL import, the hash of an id to
/// the hash of the content each line gave it.
///
/// Open addressing with linear probing over one flat array of (hash, seq)
/// pairs, so a probe touches one cache line: 16 bytes a slot, no per-entry
/// allocation; ten million ids would take about 256 MB at the worst load, so
/// the log and an import hold at most a bound of them in one
/// (``SpillingIDIndex``, ``IDConflictIndex``) and spill the rest. A hash
/// can collide, so a hit is only a candidate: the caller confirms it against
/// the stored id before calling an event a duplicate.
public struct IDIndex: Sendable {
    /// slots[2i] is a hash (0 = empty), slots[2i+1] its seq.
    private var slots: [UInt64]
    private var mask: Int
    /// Entries stored.
    public private(set) var count = 0

    /// An empty index sized for about `capacity` entries (it grows as needed).
    public init(capacity: Int = 1024) {
        var n = 1024
        while n < capacity * 2 { n <<= 1 }
        slots = [UInt64](repeating: 0, count: 2 * n)
        mask = n - 1
    }

    /// 0 marks an empty slot, so hash 0 is stored as 1.
    @inline(__always) static func key(_ h: UInt64) -> UInt64 { h == 0 ? 1 : h }

    /// Most entries a table of `slots` slots holds before it grows.
    static func entriesMax(slots: Int) -> Int { slots * 7 / 10 }

    /// Every seq stored under `hash` (usually none or one).
    public func candidates(_ hash: UInt64) -> [UInt64] {
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        var found: [UInt64] = []
        while slots[2 * i] != 0 {
            if slots[2 * i] == k { found.append(slots[2 * i + 1]) }
            i = (i + 1) & mask
        }
        return found
    }

    /// True when some seq is stored under `hash`.
    @inline(__always) public func contains(_ hash: UInt64) -> Bool {
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        while slots[2 * i] != 0 {
            if slots[2 * i] == k { return true }
            i = (i + 1) & mask
        }
        return false
    }

    /// Adds `seq` under `hash` unless the hash is already present, in one
    /// probe. Returns false (adding nothing) when it was present: the caller
    /// then confirms the candidate and calls ``insert(_:seq:)`` if it was a
    /// mere collision.
    @inline(__always) public mutating func insertIfAbsent(_ hash: UInt64, seq: UInt64) -> Bool {
        if (count + 1) * 10 > (mask + 1) * 7 { grow() }
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        return slots.withUnsafeMutableBufferPointer { s in
            while s[2 * i] != 0 {
                if s[2 * i] == k { return false }
                i = (i + 1) & mask
            }
            s[2 * i] = k
            s[2 * i + 1] = seq
            count += 1
            return true
        }
    }

    /// Adds an entry; the same hash may be added for several seqs (collisions).
    @inline(__always) public mutating func insert(_ hash: UInt64, seq: UInt64) {
        if (count + 1) * 10 > (mask + 1) * 7 { grow() }
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        while slots[2 * i] != 0 { i = (i + 1) & mask }
        slots[2 * i] = k
        slots[2 * i + 1] = seq
        count += 1
    }

    /// Makes room for `capacity` entries in all, so that adding up to that
    /// many needs no growing: growing rehashes every entry, and holds the old
    /// and the new table at once (1.5 times the memory for a moment).
    public mutating func reserve(_ capacity: Int) {
        var n = mask + 1
        while capacity * 10 > n * 7 { n <<= 1 }
        if n > mask + 1 { grow(to: n) }
    }

    private mutating func grow(to slotCount: Int? = nil) {
        let old = slots
        let n = slotCount ?? (mask + 1) * 2
        slots = [UInt64](repeating: 0, count: 2 * n)
        mask = n - 1
        count = 0
        for j in stride(from: 0, to: old.count, by: 2) where old[j] != 0 {
            var i = Int(truncatingIfNeeded: old[j]) & mask
            while slots[2 * i] != 0 { i = (i + 1) & mask }
            slots[2 * i] = old[j]
            slots[2 * i + 1] = old[j + 1]
            count += 1
        }
    }

    /// Hands every entry to `body` in order of hash (then value), as one
    /// buffer made in place in the table's own memory, then empties the
    /// table, keeping its size. The id index spills this way to a sorted
    /// run on disk (``IDRun``) without a second table's worth of memory.
    /// When `body` throws, the table is emptied all the same.
    mutating func drainSorted(_ body: (UnsafeBufferPointer<IDEntry>) throws -> Void) rethrows {
        defer { count = 0 }
        try slots.withUnsafeMutableBytes { raw in
            try raw.withMemoryRebound(to: IDEntry.self) { entries in
                var n = 0
                for i in entries.indices where entries[i].hash != 0 {
                    entries[n] = entries[i]
                    n += 1
                }
                assert(n == count, "every stored entry is moved, once")
                Self.sort(UnsafeMutableBufferPointer(rebasing: entries[..<n]))
                let filled = UnsafeMutableBufferPointer(rebasing: entries[..<n])
                defer { entries.update(repeating: IDEntry(hash: 0, value: 0)) }
                try body(UnsafeBufferPointer(filled))
            }
        }
    }
}

extension IDIndex {
    /// Sorts `entries` by hash, then value, in place: one pass that puts
    /// each entry in the bucket of its hash's top byte (hashes are spread,
    /// so the buckets are about equal), then each bucket sorted on its own,
    /// small enough to stay in cache. About twice as fast as one sort of the
    /// whole table.
    static func sort(_ entries: UnsafeMutableBufferPointer<IDEntry>) {
        guard entries.count > 4096 else {
            var all = entries
            all.sort { ($0.hash, $0.value) < ($1.hash, $1.value) }
            return
        }
        @inline(__always) func bucket(_ e: IDEntry) -> Int { Int(truncatingIfNeeded: e.hash >> 56) }
        var counts = [Int](repeating: 0, count: 256)
        for e in entries { counts[bucket(e)] += 1 }
        var heads = [Int](repeating: 0, count: 256), tails = [Int](repeating: 0, count: 256)
        var at = 0
        for b in 0..<256 {
            heads[b] = at
            at += counts[b]
            tails[b] = at
        }
        let starts = heads
        for b in 0..<256 {
            while heads[b] < tails[b] {
                var v = entries[heads[b]]
                var d = bucket(v)
                while d != b {
                    swap(&v, &entries[heads[d]])
                    heads[d] += 1
                    d = bucket(v)
                }
                entries[heads[b]] = v
                heads[b] += 1
            }
        }
        for b in 0..<256 where tails[b] - starts[b] > 1 {
            var part = UnsafeMutableBufferPointer(rebasing: entries[starts[b]..<tails[b]])
            part.sort { ($0.hash, $0.value) < ($1.hash, $1.value) }
        }
    }
}

/// One entry of the id index: a hash (never 0) and its value.
struct IDEntry: Sendable, Equatable {
    var hash: UInt64
    var value: UInt64
}
