/// A split-block Bloom filter over 64-bit hashes: each entry sets one bit in
/// each of the eight 32-bit words of one 32-byte block, so a lookup reads
/// one block (one cache line) whatever the filter's size. At the default ten
/// bits an entry, about one lookup in a hundred of an absent hash says
/// "maybe" (measured in `BloomFilterTests`); a present hash always does.
///
/// The id index's runs on disk (``IDRun``) each keep one in memory, so that
/// an id that is new (the common case) is known new without a disk read.
struct BloomFilter: Sendable {
    /// Eight words a block.
    private var words: [UInt32]
    private let blocks: UInt64

    /// The salts of the eight words, as in Parquet's split-block filter.
    private static let salts: [UInt32] = [0x47b6_137b, 0x4497_4d91, 0x8824_ad5b, 0xa2b7_289d, 0x7054_95c7, 0x2df1_424b, 0x9efc_4947, 0x5c6b_fb31]

    /// Bits an entry by default.
    static let defaultBitsPerEntry = 10

    /// A filter for about `entries` hashes at `bitsPerEntry` bits each.
    init(entries: Int, bitsPerEntry: Int = BloomFilter.defaultBitsPerEntry) {
        let n = max(1, (max(0, entries) * max(1, bitsPerEntry) + 255) / 256)
        blocks = UInt64(n)
        words = [UInt32](repeating: 0, count: 8 * n)
    }

    /// Bytes the filter holds.
    var bytes: Int { words.count * 4 }

    /// The hash mixed (the murmur3 finaliser), so that hashes whose bits are
    /// not spread (the tests give it such) still spread over blocks and bits.
    @inline(__always) private static func mix(_ h: UInt64) -> UInt64 {
        var x = h
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }

    /// The block of `x` (from its high half) and its key (its low half).
    @inline(__always) private func locate(_ h: UInt64) -> (base: Int, key: UInt32) {
        let x = Self.mix(h)
        return (Int(((x >> 32) &* blocks) >> 32) * 8, UInt32(truncatingIfNeeded: x))
    }

    /// Adds `h`.
    mutating func insert(_ h: UInt64) {
        let (base, key) = locate(h)
        words.withUnsafeMutableBufferPointer { w in
            for i in 0..<8 { w[base + i] |= 1 << ((key &* Self.salts[i]) >> 27) }
        }
    }

    /// False when `h` was certainly never added; true when it may have been.
    @inline(__always) func mayContain(_ h: UInt64) -> Bool {
        let (base, key) = locate(h)
        return words.withUnsafeBufferPointer { w in
            for i in 0..<8 where w[base + i] & (1 << ((key &* Self.salts[i]) >> 27)) == 0 { return false }
            return true
        }
    }
}
