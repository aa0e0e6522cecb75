/// Maps the 64-bit hash of an event id to the seq that holds it, for one origin.
///
/// Open addressing with linear probing over two flat arrays: 16 bytes a slot,
/// no per-entry allocation, so ten million ids fit in about 256 MB at the
/// worst load. A hash can collide, so a hit is only a candidate: the caller
/// confirms it against the stored id before calling an event a duplicate.
struct IDIndex {
    private var keys: [UInt64]
    private var seqs: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var n = 1024
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt64](repeating: 0, count: n)
        seqs = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    /// 0 marks an empty slot, so hash 0 is stored as 1.
    @inline(__always) private static func key(_ h: UInt64) -> UInt64 { h == 0 ? 1 : h }

    /// Every seq stored under `hash` (usually none or one).
    func candidates(_ hash: UInt64) -> [UInt64] {
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        var found: [UInt64] = []
        while keys[i] != 0 {
            if keys[i] == k { found.append(seqs[i]) }
            i = (i + 1) & mask
        }
        return found
    }

    /// True when some seq is stored under `hash`.
    @inline(__always) func contains(_ hash: UInt64) -> Bool {
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        while keys[i] != 0 {
            if keys[i] == k { return true }
            i = (i + 1) & mask
        }
        return false
    }

    /// Adds an entry; the same hash may be added for several seqs (collisions).
    @inline(__always) mutating func insert(_ hash: UInt64, seq: UInt64) {
        if (count + 1) * 10 > keys.count * 7 { grow() }
        let k = IDIndex.key(hash)
        var i = Int(truncatingIfNeeded: k) & mask
        while keys[i] != 0 { i = (i + 1) & mask }
        keys[i] = k
        seqs[i] = seq
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldSeqs = seqs
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        seqs = [UInt64](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for j in 0..<oldKeys.count where oldKeys[j] != 0 {
            var i = Int(truncatingIfNeeded: oldKeys[j]) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            seqs[i] = oldSeqs[j]
            count += 1
        }
    }
}
