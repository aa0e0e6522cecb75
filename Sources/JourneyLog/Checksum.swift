import CJourneyCRC
import Crypto

/// The checksums and hashes of the log format, in one place.
public enum Checksum {
    /// CRC-32C (Castagnoli) of `bytes`, continuing from `crc` (0 to start).
    @inline(__always)
    public static func crc32c(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        journey_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// CRC-32C of a byte array.
    public static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0) }
    }

    /// True when the CPU's CRC instruction is in use.
    public static var crc32cHardware: Bool { journey_crc32c_hardware() != 0 }

    /// SHA-256 of several byte ranges, as one message.
    public static func sha256(_ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        var h = SHA256()
        for p in parts { h.update(bufferPointer: p) }
        return Array(h.finalize())
    }

    /// Lower-case hex of bytes.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 64-bit FNV-1a of a string's UTF-8: a stable hash for the id index.
    @inline(__always)
    public static func fnv1a64(_ s: String) -> UInt64 {
        s.utf8.withContiguousStorageIfAvailable { fnv1a64(bytes: $0) } ?? fnv1a64(bytes: s.utf8)
    }

    /// 64-bit FNV-1a of `bytes` (an id's UTF-8), with a final avalanche: the
    /// hash ``fnv1a64(_:)`` gives the same text.
    @inline(__always)
    public static func fnv1a64<C: Collection>(bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        // Final avalanche (from SplitMix64) so near-identical ids spread over the table.
        h ^= h >> 30; h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27; h = h &* 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return h
    }
}
