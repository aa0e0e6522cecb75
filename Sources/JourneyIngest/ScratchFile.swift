#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file for one process's scratch data (a copy of standard input, the
/// checked events between an append's two passes), created in a directory
/// and removed from it at once: it takes no name anyone can open, and it
/// vanishes when the process ends, even when killed. Written sequentially,
/// then read back from the start.
final class ScratchFile {
    /// The open descriptor.
    let fd: Int32
    /// What the file holds, for error messages ("a copy of standard input").
    let purpose: String

    /// Creates the file in `directory`; throws when it cannot.
    init(in directory: String, purpose: String) throws(IngestError) {
        var template = Array("\(directory)/.journey-scratch-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw IngestError(.malformed, "cannot create a scratch file for \(purpose) in \(directory): \(String(cString: strerror(errno))); check that the store's directory is writable")
        }
        template.withUnsafeBufferPointer { p in _ = p.baseAddress.map { unlink($0) } }
        self.fd = fd
        self.purpose = purpose
    }

    deinit { close(fd) }

    /// Writes all of `bytes` at the current position.
    func append(_ bytes: ArraySlice<UInt8>) throws(IngestError) {
        try Self.writeAll(fd, bytes, purpose: purpose)
    }

    /// Moves back to the start, to read what was written.
    func rewind() { lseek(fd, 0, SEEK_SET) }

    /// Reads exactly `count` bytes; fewer only at the end of the file.
    func readExactly(_ count: Int) throws(IngestError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        var failure: Int32 = 0
        out.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < count {
                let n = read(fd, base + done, count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                done += n
            }
        }
        if failure != 0 {
            throw IngestError(.malformed, "cannot read back \(purpose): \(String(cString: strerror(failure)))")
        }
        out.removeLast(count - done)
        return out
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and interruptions.
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, purpose: String) throws(IngestError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        if failure != 0 {
            throw IngestError(.malformed, "cannot write \(purpose): \(String(cString: strerror(failure))); check the free space in the store's directory")
        }
    }
}
