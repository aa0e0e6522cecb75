/// Appends little-endian integers, LEB128 varints and length-prefixed bytes.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    @inline(__always) mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zig-zag varint: small negative numbers stay small.
    @inline(__always) mutating func svarint(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    mutating func append<C: Collection>(contentsOf c: C) where C.Element == UInt8 { bytes.append(contentsOf: c) }
}

/// Reads what ``ByteWriter`` writes, with bounds checks that throw instead of trapping:
/// stored and received bytes are untrusted input.
struct ByteReader {
    struct Overrun: Error {}

    let base: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ base: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) {
        self.base = base
        self.position = from
        self.end = to ?? base.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    @inline(__always) mutating func u8() throws(Overrun) -> UInt8 {
        guard position < end else { throw Overrun() }
        defer { position += 1 }
        return base[position]
    }

    @inline(__always) mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(Overrun) -> T {
        let n = MemoryLayout<T>.size
        guard position + n <= end else { throw Overrun() }
        defer { position += n }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    @inline(__always) mutating func varint() throws(Overrun) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw Overrun() }
            let b = base[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always) mutating func svarint() throws(Overrun) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    mutating func bytes(_ n: Int) throws(Overrun) -> UnsafeRawBufferPointer {
        // `n <= end - position`, not `position + n <= end`: a hostile length near Int.max must be
        // refused, not overflow the sum.
        guard n >= 0, n <= end - position else { throw Overrun() }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: base[position..<(position + n)])
    }

    mutating func string(_ n: Int) throws(Overrun) -> String {
        let raw = try bytes(n)
        return String(decoding: raw.bindMemory(to: UInt8.self), as: UTF8.self)
    }
}
