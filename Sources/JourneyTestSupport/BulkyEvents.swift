import JourneyModel

/// Events each within every limit whose text barely compresses: with enough
/// of them in one call, a block of the default size would exceed what a
/// block may hold compressed (tests of the store's split and of sync's
/// largest answers).
public enum BulkyEvents {
    /// `count` copies of `base`, ids `blob-0`, `blob-1`…, each with `data.blob`
    /// of 60,000 random characters from a 64-letter alphabet (6 bits a byte:
    /// deflate keeps about 3/4 of it), drawn with `seed`.
    public static func incompressible(_ count: Int, like base: Event, seed: UInt64) -> [Event] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var rng = SplitMix64(seed: seed)
        // Each event takes a different slice of one 4 MB pool: deflate's 32 KB window finds no repeats.
        let pool = (0..<(4 << 20)).map { _ in alphabet[Int(rng.next() & 63)] }
        return (0..<count).map { i in
            var e = base
            e.id = "blob-\(i)"
            let start = (i * 4_999) % (pool.count - 60_000)
            e.data = ["blob": .string(String(decoding: pool[start..<(start + 60_000)], as: UTF8.self))]
            return e
        }
    }
}
