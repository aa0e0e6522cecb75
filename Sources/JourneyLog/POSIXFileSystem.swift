import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, through POSIX calls: `pread`, `write`, `fsync`,
/// `ftruncate`, and `fsync` on directories so that new files survive a crash.
public struct POSIXFileSystem: FileSystem {
    /// The operating system's file system.
    public init() {}

    static func failure(_ what: String, _ path: String) -> LogError {
        let reason = String(cString: strerror(errno))
        return LogError(.io, "\(what) failed", file: path, cause: reason)
    }

    /// Creates `path` and its parents (mode 0755); existing ones are fine.
    public func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw POSIXFileSystem.failure("creating a directory", prefix) }
            prefix += "/"
        }
    }

    /// The names in `path`.
    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw POSIXFileSystem.failure("listing a directory", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Whether `path` exists.
    public func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Opens `path` for appending (creating it when `create`).
    public func open(_ path: String, create: Bool) throws -> any StoredFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw POSIXFileSystem.failure("opening a file", path) }
        return POSIXFile(fd: fd, path: path)
    }

    /// The permission bits of `path`, nil when it does not exist.
    public func permissions(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o777
    }

    /// Opens `path` read-only.
    public func openForReading(_ path: String) throws -> any StoredFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFileSystem.failure("opening a file for reading", path) }
        return POSIXFile(fd: fd, path: path)
    }

    /// The whole of `path`.
    public func readFile(_ path: String) throws -> [UInt8] {
        let f = try openForReading(path)
        defer { f.close() }
        return try f.read(at: 0, count: Int(try f.size()))
    }

    /// Writes `bytes` to a temporary file, syncs it and renames it over `path` (then syncs the directory).
    public func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) throws {
        let temporary = path + ".tmp"
        let fd = Glibc.open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw POSIXFileSystem.failure("creating a file", temporary) }
        let file = POSIXFile(fd: fd, path: temporary)
        defer { file.close() }
        try file.append(bytes)
        try file.sync()
        guard Glibc.rename(temporary, path) == 0 else { throw POSIXFileSystem.failure("renaming a file", path) }
        try syncDirectory(POSIXFileSystem.parent(of: path))
    }

    /// Removes the file `path`.
    public func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw POSIXFileSystem.failure("removing a file", path) }
    }

    /// Removes the empty directory `path` (nothing when it is gone already).
    public func removeDirectory(_ path: String) throws {
        guard rmdir(path) == 0 || errno == ENOENT else { throw POSIXFileSystem.failure("removing a directory", path) }
    }

    /// Renames `from` to `to` atomically; refuses to replace an existing `to`.
    public func rename(_ from: String, to: String) throws {
        guard !exists(to) else { throw LogError(.io, "cannot rename \(from): \(to) already exists", file: to) }
        guard Glibc.rename(from, to) == 0 else { throw POSIXFileSystem.failure("renaming \(from)", to) }
    }

    /// Makes the directory's entries (creations, renames) durable.
    public func syncDirectory(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFileSystem.failure("opening a directory", path) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw POSIXFileSystem.failure("syncing a directory", path) }
    }

    /// Takes an exclusive advisory lock on `path` without waiting (refused when another process holds it), held while the returned object lives.
    public func lockExclusively(_ path: String) throws -> AnyObject {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFileSystem.failure("opening the lock file", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? POSIXFile(fd: fd, path: path).read(at: 0, count: 64)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            Glibc.close(fd)
            throw LogError(.io, "another process is writing to this store\(holder.isEmpty ? "" : " (pid \(holder.trimmingCharacters()))"); stop it, or run this command in that process (e.g. journey serve --follow pulls from peers itself)", file: path)
        }
        ftruncate(fd, 0)
        let pid = Array(String(getpid()).utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return POSIXFile(fd: fd, path: path)
    }

    /// A scratch file made by `mkstemp` in `directory` and unlinked at once:
    /// its space is the system's to free when it is closed or the process
    /// ends, even by a crash.
    public func createScratch(in directory: String) throws -> any StoredFile {
        var template = Array(join(directory, ".journey-scratch-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1 }
        let path = template.withUnsafeBufferPointer { p in p.baseAddress.map { String(cString: $0) } ?? directory }
        guard fd >= 0 else { throw POSIXFileSystem.failure("creating a scratch file", path) }
        guard unlink(path) == 0 else {
            let e = POSIXFileSystem.failure("removing the name of a scratch file", path)
            Glibc.close(fd)
            throw e
        }
        return POSIXFile(fd: fd, path: path)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A file opened by ``POSIXFileSystem``.
final class POSIXFile: StoredFile, @unchecked Sendable {
    // The descriptor is only mutated by close(); callers serialise writes
    // (the log holds its lock) and pread is safe to call concurrently.
    private var fd: Int32
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    func size() throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIXFileSystem.failure("reading a file's size", path) }
        return UInt64(st.st_size)
    }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        let fd = self.fd
        // count > 0 was checked above, so the buffer has a base address.
        let failed: Bool = out.withUnsafeMutableBytes { buf in
            while done < count {
                let n = pread(fd, buf.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 { if errno == EINTR { continue }; return true }
                if n == 0 { break }
                done += n
            }
            return false
        }
        if failed { throw POSIXFileSystem.failure("reading", path) }
        if done < count { out.removeLast(count - done) }
        return out
    }

    func append(_ bytes: [UInt8]) throws {
        try write(bytes, at: try size())
    }

    func write(_ bytes: [UInt8], at end: UInt64) throws {
        var done = 0
        let fd = self.fd
        // The loop runs only while done < buf.count, so the buffer is non-empty and has a base address.
        let failed: Bool = bytes.withUnsafeBytes { buf in
            while done < buf.count {
                let n = pwrite(fd, buf.baseAddress! + done, buf.count - done, off_t(end) + off_t(done))
                if n < 0 { if errno == EINTR { continue }; return true }
                done += n
            }
            return false
        }
        if failed { throw POSIXFileSystem.failure("writing", path) }
    }

    func sync() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        guard fdatasync(fd) == 0 else { throw POSIXFileSystem.failure("syncing (fdatasync)", path) }
        LogMetrics.fsync(nanoseconds: DispatchTime.now().uptimeNanoseconds &- started)
    }

    func truncate(to size: UInt64) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw POSIXFileSystem.failure("truncating", path) }
        guard fsync(fd) == 0 else { throw POSIXFileSystem.failure("syncing after truncation", path) }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let l = s.last, l == "\n" || l == " " || l == "\0" { s.removeLast() }
        return String(s)
    }
}
