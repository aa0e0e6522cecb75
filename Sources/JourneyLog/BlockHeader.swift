/// The fixed header at the start of every stored block (format v1).
///
/// ```text
/// offset size field
///   0     4  magic "JBLK"
///   4     2  format version (1)
///   6     2  flags (bit 0: signature present)
///   8     8  first seq
///  16     4  event count
///  20     4  raw payload bytes
///  24     4  compressed payload bytes
///  28     8  min at (ms since the Unix epoch)
///  36     8  max at
///  44    32  previous chain hash (zeros before an origin's first block)
///  76    32  chain hash
/// 108    64  Ed25519 signature of the chain hash (zeros when unsigned)
/// 172     1  origin length L (1–32)
/// 173     L  origin site id
/// 173+L   C  compressed payload (zlib)
/// 173+L+C 4  CRC-32C of every preceding byte of the block
/// ```
/// All integers little-endian. See docs/log-format.md.
public struct BlockHeader: Sendable, Hashable {
    /// The first four bytes of every block.
    public static let magic: [UInt8] = Array("JBLK".utf8)
    /// The block format this build writes.
    public static let version: UInt16 = 1
    /// Bytes before the origin.
    public static let fixedBytes = 173
    /// Offset of the chain hash in the header; bytes before it are hashed.
    static let chainHashOffset = 76
    static let signatureOffset = 108
    /// Largest compressed payload accepted from disk or the network.
    public static let compressedBytesMax = 32 << 20
    /// Largest uncompressed payload accepted.
    public static let rawBytesMax = 64 << 20
    /// Most bytes of one whole stored block: the longest header (a 32-byte
    /// origin), the largest compressed payload and the CRC.
    public static let totalBytesMax = fixedBytes + 32 + compressedBytesMax + 4
    /// Most events in one block.
    public static let eventsMax = 1 << 16
    /// Set when the block carries an Ed25519 signature of its chain hash.
    public static let flagSigned: UInt16 = 1
    /// Largest seq any event can have: seqs are stored as 64-bit signed integers elsewhere.
    public static let seqMax = UInt64(Int64.max)

    /// Flag bits (``flagSigned``).
    public var flags: UInt16
    /// Seq of the block's first event.
    public var firstSeq: UInt64
    /// Events in the block (at least one).
    public var count: UInt32
    /// Bytes of the payload before compression.
    public var rawBytes: UInt32
    /// Bytes of the compressed payload.
    public var compressedBytes: UInt32
    /// Earliest event time in the block (ms since the epoch).
    public var minAt: Int64
    /// Latest event time in the block (ms since the epoch).
    public var maxAt: Int64
    /// Chain hash of the origin's previous block (zeros for the first).
    public var previousHash: [UInt8]
    /// SHA-256 over the previous hash, this header and the payload: the block's place in the chain.
    public var chainHash: [UInt8]
    /// Ed25519 signature of ``chainHash`` by the origin's key (zeros when unsigned).
    public var signature: [UInt8]
    /// The site whose log the block belongs to.
    public var origin: String

    /// Seq of the block's last event.
    public var lastSeq: UInt64 { firstSeq + UInt64(count) - 1 }
    /// Header bytes including the origin.
    public var headerBytes: Int { BlockHeader.fixedBytes + origin.utf8.count }
    /// Bytes of the whole stored block: header, payload and CRC.
    public var totalBytes: Int { headerBytes + Int(compressedBytes) + 4 }
    /// Whether the block carries a signature.
    public var isSigned: Bool { flags & BlockHeader.flagSigned != 0 }

    /// Serialises the header (origin included).
    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: headerBytes)
        w.append(contentsOf: BlockHeader.magic)
        w.u16(BlockHeader.version)
        w.u16(flags)
        w.u64(firstSeq)
        w.u32(count)
        w.u32(rawBytes)
        w.u32(compressedBytes)
        w.i64(minAt)
        w.i64(maxAt)
        w.append(contentsOf: previousHash)
        w.append(contentsOf: chainHash)
        w.append(contentsOf: signature)
        w.u8(UInt8(origin.utf8.count))
        w.append(contentsOf: origin.utf8)
        return w.bytes
    }

    /// Parses and sanity-checks a header from the start of `bytes`. Throws
    /// `.corrupt` for anything a v1 writer cannot have produced, and
    /// `.unsupportedVersion` for a newer format.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> BlockHeader {
        guard bytes.count >= fixedBytes else { throw LogError(.corrupt, "block header is cut short") }
        do {
            var r = ByteReader(bytes)
            let m = try r.bytes(4)
            guard m.elementsEqual(magic) else { throw LogError(.corrupt, "no block magic where a block should start") }
            let version = try r.fixed(UInt16.self)
            guard version == BlockHeader.version else {
                throw LogError(.unsupportedVersion, "block format version \(version) is newer than this build reads (\(BlockHeader.version)); upgrade journey")
            }
            let flags = try r.fixed(UInt16.self)
            let firstSeq = try r.fixed(UInt64.self)
            let count = try r.fixed(UInt32.self)
            let raw = try r.fixed(UInt32.self)
            let compressed = try r.fixed(UInt32.self)
            let minAt = try r.fixed(Int64.self)
            let maxAt = try r.fixed(Int64.self)
            let prev = Array(try r.bytes(32))
            let chain = Array(try r.bytes(32))
            let signature = Array(try r.bytes(64))
            let originCount = Int(try r.u8())
            // Seqs stay within Int64 (SQLite and JSON integers): a header claiming more is damage.
            guard firstSeq >= 1, firstSeq <= seqMax - UInt64(eventsMax), count >= 1, count <= UInt32(eventsMax), raw <= UInt32(rawBytesMax),
                  compressed >= 1, compressed <= UInt32(compressedBytesMax), minAt <= maxAt,
                  originCount >= 1, originCount <= 32, flags & ~flagSigned == 0
            else { throw LogError(.corrupt, "block header fields are out of range") }
            let origin = try r.string(originCount)
            return BlockHeader(flags: flags, firstSeq: firstSeq, count: count, rawBytes: raw, compressedBytes: compressed,
                               minAt: minAt, maxAt: maxAt, previousHash: prev, chainHash: chain, signature: signature,
                               origin: origin)
        } catch let e as LogError {
            throw e
        } catch {
            throw LogError(.corrupt, "block header is cut short")
        }
    }
}
