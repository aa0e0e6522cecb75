import CZlib

/// zlib (RFC 1950) compression of whole blocks through the system zlib.
public enum Deflate {
    /// Compresses `input` as one zlib stream at `level` (0–9).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32, into out: inout [UInt8]) throws {
        var stream = z_stream()
        guard deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw LogError(.io, "zlib could not start a deflate stream")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = o.baseAddress.map { $0 + start }
            stream.avail_out = uInt(bound)
            return deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { throw LogError(.io, "zlib deflate failed with status \(status)") }
        out.removeLast(bound - Int(stream.total_out))
    }

    /// Inflates a zlib stream that must expand to exactly `rawCount` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, rawCount: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw LogError(.io, "zlib could not start an inflate stream")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: rawCount)
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(rawCount)
            return inflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == rawCount, stream.avail_in == 0 else {
            throw LogError(.corrupt, "compressed payload does not inflate to its recorded \(rawCount) bytes (zlib status \(status))")
        }
        return out
    }

    /// gzip (RFC 1952) of `input` at `level`: the benchmark's `gzip -6` baseline,
    /// produced by the same zlib that the `gzip` tool's format is defined by.
    public static func gzipSize(_ input: UnsafeRawBufferPointer, level: Int32) -> Int {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return -1 }
        defer { deflateEnd(&stream) }
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var status: Int32 = Z_OK
        repeat {
            status = chunk.withUnsafeMutableBufferPointer { c in
                stream.next_out = c.baseAddress
                stream.avail_out = uInt(c.count)
                let s = deflate(&stream, Z_FINISH)
                total += c.count - Int(stream.avail_out)
                return s
            }
        } while status == Z_OK || status == Z_BUF_ERROR && stream.avail_out == 0
        return status == Z_STREAM_END ? total : -1
    }
}
