/// The header at the start of every segment file (format v1).
///
/// ```text
/// 0  4  magic "JSEG"
/// 4  2  format version (1)
/// 6  2  reserved (0)
/// 8  8  seq of the segment's first event
/// 16 1  origin length L
/// 17 L  origin site id
/// 17+L 4 CRC-32C of the preceding bytes
/// ```
struct SegmentHeader: Equatable {
    static let magic: [UInt8] = Array("JSEG".utf8)
    static let version: UInt16 = 1

    var firstSeq: UInt64
    var origin: String

    var byteCount: Int { 21 + origin.utf8.count }

    func encode() -> [UInt8] {
        var w = ByteWriter()
        w.append(contentsOf: SegmentHeader.magic)
        w.u16(SegmentHeader.version)
        w.u16(0)
        w.u64(firstSeq)
        w.u8(UInt8(origin.utf8.count))
        w.append(contentsOf: origin.utf8)
        let crc = Checksum.crc32c(w.bytes)
        w.u32(crc)
        return w.bytes
    }

    /// Parses a header; nil when the bytes are too short to hold one (a torn
    /// segment creation), throws when they hold something else.
    static func parse(_ bytes: [UInt8]) throws -> SegmentHeader? {
        guard bytes.count >= 17 else { return nil }
        guard Array(bytes[0..<4]) == magic else { throw LogError(.corrupt, "segment file does not start with JSEG") }
        let n = Int(bytes[16])
        guard bytes.count >= 21 + n else { return nil }
        let version = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
        guard version == SegmentHeader.version else {
            throw LogError(.unsupportedVersion, "segment format version \(version) is newer than this build reads; upgrade journey")
        }
        var crc: UInt32 = 0
        for i in 0..<4 { crc |= UInt32(bytes[17 + n + i]) << (8 * UInt32(i)) }
        guard Checksum.crc32c(Array(bytes[0..<(17 + n)])) == crc else {
            throw LogError(.corrupt, "segment header checksum does not match")
        }
        var seq: UInt64 = 0
        for i in 0..<8 { seq |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        let origin = String(decoding: bytes[17..<(17 + n)], as: UTF8.self)
        return SegmentHeader(firstSeq: seq, origin: origin)
    }

    /// File name of the segment whose first event has `firstSeq`: sorting the
    /// names sorts the segments.
    static func fileName(firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }
}
