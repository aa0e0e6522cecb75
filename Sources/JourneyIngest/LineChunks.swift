#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an input of lines in chunks that end on a line break, so a large
/// file is processed a few megabytes at a time, with the input's own line
/// numbers. Standard input can be copied to a spool file while it is read,
/// for inputs that need a second pass.
public final class LineChunks {
    /// One chunk: whole lines (the last may lack its line break at the end of
    /// the input) and the input line number of its first line.
    public struct Chunk {
        /// The chunk's whole lines.
        public var bytes: [UInt8]
        /// The 1-based number of its first line in the input.
        public var firstLine: Int
        /// Lines in the chunk.
        public var lineCount: Int
    }

    private let fd: Int32
    private let ownsFD: Bool
    private let spoolFD: Int32?
    private let chunkBytes: Int
    private var carry: [UInt8] = []
    /// Where each read lands (at most 1 MiB, at most the chunk size).
    private var scratch: [UInt8]
    private var nextLine = 1
    private var ended = false
    /// Bytes read so far.
    public private(set) var bytesRead: UInt64 = 0
    /// The longest line read (longer is an error naming the line).
    public var lineBytesMax = 1 << 24
    /// The input's size when known (a regular file), for progress.
    public let size: UInt64?

    /// Opens `path` for reading, in chunks of about `chunkBytes`.
    public init(path: String, chunkBytes: Int) throws(IngestError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw IngestError(.malformed, "cannot read \(path): \(String(cString: strerror(errno))); check the path and its permissions")
        }
        var st = stat()
        size = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? UInt64(st.st_size) : nil
        self.fd = fd
        ownsFD = true
        spoolFD = nil
        self.chunkBytes = max(1, chunkBytes)
        scratch = [UInt8](repeating: 0, count: min(1 << 20, max(1, chunkBytes)))
    }

    /// Reads the open descriptor `fd` (standard input), copying every byte
    /// read to `spool` when given, so the input can be read again from there.
    public init(descriptor fd: Int32, spool: Int32?, chunkBytes: Int) {
        self.fd = fd
        ownsFD = false
        spoolFD = spool
        size = nil
        self.chunkBytes = max(1, chunkBytes)
        scratch = [UInt8](repeating: 0, count: min(1 << 20, max(1, chunkBytes)))
    }

    deinit { if ownsFD { close(fd) } }

    /// The next chunk, or nil at the end of the input. A line longer than
    /// the chunk size makes a longer chunk (lines are never split).
    public func next() throws(IngestError) -> Chunk? {
        var buffer = carry
        carry = []
        var sawBreak = false
        while !ended {
            let before = buffer.count
            // Read at most the scratch buffer's size at a time: a large chunk size is not a large read.
            let want = min(scratch.count, max(chunkBytes - before, max(1, chunkBytes / 4)))
            let got = scratch.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                var n: Int
                repeat { n = read(fd, base, want) } while n < 0 && errno == EINTR
                return n
            }
            guard got >= 0 else {
                throw IngestError(.malformed, "cannot read the input: \(String(cString: strerror(errno)))")
            }
            if got == 0 { ended = true; break }
            buffer.append(contentsOf: scratch[..<got])
            bytesRead += UInt64(got)
            if let spoolFD { try ScratchFile.writeAll(spoolFD, scratch[..<got], purpose: "a copy of standard input") }
            if !sawBreak { sawBreak = scratch.withUnsafeBufferPointer { Self.lineBreaks(UnsafeBufferPointer(rebasing: $0[..<got])) > 0 } }
            // Enough, and a line break to cut at.
            if buffer.count >= chunkBytes && sawBreak { break }
            // No line is longer than an event may be: a longer one would make the chunk grow without end.
            if !sawBreak && buffer.count > lineBytesMax {
                throw IngestError(line: nextLine, .invalidEvent, "line \(nextLine) is longer than \(lineBytesMax) bytes without a line break; is this JSONL?")
            }
        }
        guard !buffer.isEmpty else { return nil }
        var cut = buffer.count
        if !ended, let last = buffer.lastIndex(of: 0x0A) {
            cut = last + 1
            carry = Array(buffer[cut...])
            buffer.removeLast(buffer.count - cut)
        }
        var lines = buffer.withUnsafeBufferPointer { Self.lineBreaks($0) }
        if buffer.last != 0x0A { lines += 1 }
        let chunk = Chunk(bytes: buffer, firstLine: nextLine, lineCount: lines)
        nextLine += lines
        return chunk
    }

    /// Line breaks in `buf`.
    public static func lineBreaks(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = buf.baseAddress else { return 0 }
        var n = 0
        var offset = 0
        while offset < buf.count {
            guard let found = memchr(base + offset, 0x0A, buf.count - offset) else { break }
            n += 1
            offset = UnsafeRawPointer(found) - UnsafeRawPointer(base) + 1
        }
        return n
    }
}
