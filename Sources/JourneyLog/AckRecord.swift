/// The durable record of what an origin's log has acknowledged: the last seq
/// a caller was told is stored, the chain hash of the block that ends there,
/// and where that block ends on disk. Written (and synced) after the data it
/// describes and before the append returns, so after any crash it never
/// claims more than the disk holds, and never less than was acknowledged.
///
/// Recovery uses it to tell a torn write from damage: bytes *after* the
/// acknowledged position were never acknowledged and may be cut; damage at or
/// before it — or a log that ends before it (a deleted or cut segment) — is
/// corruption, reported with file and offset and never truncated.
///
/// The file `logs/<origin>/ack` (format v1) is exactly 16 KiB: four
/// 128-byte slots, each at the start of its own 4 KiB page (so a write torn
/// at the sector or page level damages one slot only), in the order
/// `[copy A slot 0, copy A slot 1, copy B slot 0, copy B slot 1]`; the rest
/// of each page is zeros. A record with counter `c` goes to slot `c % 2` of both
/// copies, so a write torn by a crash leaves the other slot — the previous
/// record — intact (older is safe: it claims less), and damage to one copy
/// of the newest record (a flipped bit) leaves the other copy to read. Readers
/// take the valid slot with the highest counter; a file of any other size,
/// or with no valid slot, is damage. A writer rewrites a newest record found
/// with one damaged copy.
///
/// ```text
/// offset size field (one slot)
///   0     4  magic "JACK"
///   4     2  format version (1)
///   6     2  reserved (0)
///   8     8  counter: 1 for the first write, +1 for each later one
///  16     8  last acknowledged seq (0: nothing yet)
///  24    32  chain hash of the block ending at that seq (zeros when 0)
///  56     8  first seq of the segment holding that block (0 when none)
///  64     8  byte offset just past that block in its segment
///  72     1  origin length L (1–32)
///  73    32  origin site id, zero-padded
/// 105    19  reserved (0)
/// 124     4  CRC-32C of bytes 0..<124
/// ```
struct AckRecord: Equatable, Sendable {
    static let fileName = "ack"
    static let magic: [UInt8] = Array("JACK".utf8)
    static let version: UInt16 = 1
    static let slotBytes = 128
    /// Distance between slots: one page each.
    static let slotStride = 4096
    /// Bytes of the whole file: two copies of two slots, a page each.
    static let fileBytes = 4 * slotStride

    var counter: UInt64
    var lastSeq: UInt64
    var chainHash: [UInt8]
    var segmentFirstSeq: UInt64
    var endOffset: UInt64
    var origin: String

    /// The record of an origin that has acknowledged nothing yet.
    static func empty(origin: String) -> AckRecord {
        AckRecord(counter: 0, lastSeq: 0, chainHash: [UInt8](repeating: 0, count: 32), segmentFirstSeq: 0, endOffset: 0, origin: origin)
    }

    /// Byte offset of the slot this record is written to in copy A (copy B is ``fileBytes``/2 further).
    var slotOffset: UInt64 { UInt64(counter % 2) * UInt64(AckRecord.slotStride) }

    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: AckRecord.slotBytes)
        w.append(contentsOf: AckRecord.magic)
        w.u16(AckRecord.version)
        w.u16(0)
        w.u64(counter)
        w.u64(lastSeq)
        w.append(contentsOf: chainHash)
        w.u64(segmentFirstSeq)
        w.u64(endOffset)
        let o = Array(origin.utf8.prefix(32))
        w.u8(UInt8(o.count))
        w.append(contentsOf: o + [UInt8](repeating: 0, count: 32 - o.count))
        w.append(contentsOf: [UInt8](repeating: 0, count: 19))
        let crc = Checksum.crc32c(w.bytes)
        w.u32(crc)
        assert(w.bytes.count == AckRecord.slotBytes, "an ack slot is exactly \(AckRecord.slotBytes) bytes")
        return w.bytes
    }

    /// Parses one slot; nil when it is empty, torn or damaged (the other slot then decides).
    static func parseSlot(_ bytes: ArraySlice<UInt8>) -> AckRecord? {
        let b = Array(bytes)
        guard b.count == slotBytes, Array(b[0..<4]) == magic else { return nil }
        var stored: UInt32 = 0
        for i in 0..<4 { stored |= UInt32(b[124 + i]) << (8 * UInt32(i)) }
        guard Checksum.crc32c(Array(b[0..<124])) == stored else { return nil }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
            return v
        }
        let version = UInt16(b[4]) | UInt16(b[5]) << 8
        let n = Int(b[72])
        guard version == AckRecord.version, n >= 1, n <= 32 else { return nil }
        return AckRecord(counter: u64(8), lastSeq: u64(16), chainHash: Array(b[24..<56]), segmentFirstSeq: u64(56),
                         endOffset: u64(64), origin: String(decoding: b[73..<(73 + n)], as: UTF8.self))
    }

    /// Reads the record of the origin in `directory`: nil when the file does
    /// not exist; throws `.corrupt` when it exists but has the wrong size or
    /// no valid slot, or names another origin. `intactCopies` tells whether
    /// both copies of the returned record were valid.
    static func read(directory: String, origin: String, fs: any FileSystem) throws -> (record: AckRecord, intactCopies: Bool)? {
        let path = fs.join(directory, fileName)
        guard fs.exists(path) else { return nil }
        let bytes = try fs.readFile(path)
        guard bytes.count == fileBytes else {
            throw LogError(.corrupt, "the acknowledgement record is \(bytes.count) bytes, not \(fileBytes): it was cut or overwritten, so what was acknowledged is unknown; run `journey repair` to restore this origin from a peer",
                           file: path, offset: UInt64(min(bytes.count, fileBytes)))
        }
        let slots = (0..<4).compactMap { i -> AckRecord? in
            parseSlot(bytes[(i * slotStride)..<(i * slotStride + slotBytes)])
        }
        guard let best = slots.max(by: { $0.counter < $1.counter }) else {
            throw LogError(.corrupt, "the acknowledgement record is damaged (no valid slot), so what was acknowledged is unknown; run `journey repair` to restore this origin from a peer",
                           file: path, offset: 0)
        }
        guard best.origin == origin else {
            throw LogError(.corrupt, "the acknowledgement record names origin '\(best.origin)', not '\(origin)'", file: path, offset: best.slotOffset)
        }
        return (best, slots.filter { $0 == best }.count == 2)
    }

    /// Creates the record file of a new origin (both slots of both copies:
    /// counters 0 and 1 of the empty state), synced, before the origin's
    /// first segment exists.
    static func create(directory: String, origin: String, fs: any FileSystem) throws -> (any StoredFile, AckRecord) {
        let path = fs.join(directory, fileName)
        let file = try fs.open(path, create: true)
        var first = AckRecord.empty(origin: origin)
        let pad = [UInt8](repeating: 0, count: slotStride - slotBytes)
        var copy = first.encode() + pad
        first.counter = 1
        copy += first.encode() + pad
        if try file.size() > 0 { try file.truncate(to: 0) }
        try file.append(copy + copy)
        try file.sync()
        return (file, first)
    }

    /// Writes the record over the older slot of both copies and syncs (when `sync`).
    static func write(_ record: AckRecord, to file: any StoredFile, sync: Bool) throws {
        let bytes = record.encode()
        // Each copy fits its half of the file: a record never overwrites the other copy.
        precondition(record.slotOffset + UInt64(bytes.count) <= UInt64(fileBytes / 2), "an acknowledgement record fits its slot")
        try file.write(bytes, at: record.slotOffset)
        try file.write(bytes, at: record.slotOffset + UInt64(fileBytes / 2))
        if sync { try file.sync() }
    }
}
