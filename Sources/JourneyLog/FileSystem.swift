/// The seam between the log and the disk. The log does all its file work
/// through this protocol, so tests can substitute a file system that injects
/// faults: failing writes, crashes between a write and its sync, torn writes.
///
/// Paths are plain `/`-separated strings.
public protocol FileSystem: Sendable {
    /// Creates a directory and any missing parents.
    func createDirectory(_ path: String) throws
    /// Names (not paths) of the entries of a directory; empty when it does not exist.
    func listDirectory(_ path: String) throws -> [String]
    /// True when a file or directory exists at `path`.
    func exists(_ path: String) -> Bool
    /// Opens a file for reading and appending; creates it when `create` is true.
    func open(_ path: String, create: Bool) throws -> any StoredFile
    /// Permission bits of a file (e.g. 0o600); nil when unknown.
    func permissions(_ path: String) -> UInt32?
    /// Opens an existing file for reading only (works on a read-only file
    /// system or without write permission).
    func openForReading(_ path: String) throws -> any StoredFile
    /// Reads a whole small file.
    func readFile(_ path: String) throws -> [UInt8]
    /// Writes a whole small file durably: to a temporary name, synced, renamed over `path`, directory synced.
    func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) throws
    /// Removes a file.
    func remove(_ path: String) throws
    /// Removes an empty directory.
    func removeDirectory(_ path: String) throws
    /// Renames a file or directory (atomically, replacing nothing: `to` must not exist).
    /// Durable once the parent directories are synced.
    func rename(_ from: String, to: String) throws
    /// Makes the directory entries of `path` (creations, renames, removals) durable.
    func syncDirectory(_ path: String) throws
    /// Takes an exclusive lock on `path` (created if missing) for this
    /// process, or fails at once when another process holds it. The lock
    /// lasts until the returned object is released.
    func lockExclusively(_ path: String) throws -> AnyObject
    /// A new, empty file in `directory` for this process's scratch data: no
    /// other file's name, never part of the store, and gone once closed.
    func createScratch(in directory: String) throws -> any StoredFile
}

extension FileSystem {
    /// Permission bits of a file (e.g. 0o600); nil when unknown.
    public func permissions(_ path: String) -> UInt32? { nil }

    /// By default, the same as opening for writing without creating.
    public func openForReading(_ path: String) throws -> any StoredFile { try open(path, create: false) }

    /// File systems without other processes (in-memory test ones) give a token lock.
    public func lockExclusively(_ path: String) throws -> AnyObject { NullLock() }

    /// By default, a file of a random name that closing removes.
    public func createScratch(in directory: String) throws -> any StoredFile {
        var g = SystemRandomNumberGenerator()
        let path = join(directory, ".journey-scratch-" + String(g.next() as UInt64, radix: 16))
        return ScratchStoredFile(try open(path, create: true), path: path, fileSystem: self)
    }
}

/// A scratch file that closing (or freeing) removes.
final class ScratchStoredFile: StoredFile, @unchecked Sendable {
    private let file: any StoredFile
    private let path: String
    private let fileSystem: any FileSystem
    private var closed = false

    init(_ file: any StoredFile, path: String, fileSystem: any FileSystem) {
        self.file = file
        self.path = path
        self.fileSystem = fileSystem
    }

    deinit { close() }

    func size() throws -> UInt64 { try file.size() }
    func read(at offset: UInt64, count: Int) throws -> [UInt8] { try file.read(at: offset, count: count) }
    func append(_ bytes: [UInt8]) throws { try file.append(bytes) }
    func write(_ bytes: [UInt8], at offset: UInt64) throws { try file.write(bytes, at: offset) }
    func sync() throws { try file.sync() }
    func truncate(to size: UInt64) throws { try file.truncate(to: size) }
    func close() {
        guard !closed else { return }
        closed = true
        file.close()
        try? fileSystem.remove(path)  // scratch: a name left behind holds nothing the store reads
    }
}

/// The lock of a file system that has no other processes.
final class NullLock: Sendable {}

/// An open file. Appends go to the end; reads are positional.
public protocol StoredFile: AnyObject, Sendable {
    /// Current size in bytes.
    func size() throws -> UInt64
    /// Reads exactly `count` bytes at `offset` (fewer only at end of file).
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
    /// Appends bytes at the end of the file.
    func append(_ bytes: [UInt8]) throws
    /// Writes bytes at `offset`, over what is there (used for small fixed
    /// records such as the acknowledgement record, never for log data).
    func write(_ bytes: [UInt8], at offset: UInt64) throws
    /// Makes every appended byte durable (fsync).
    func sync() throws
    /// Cuts the file to `size` bytes and makes that durable.
    func truncate(to size: UInt64) throws
    func close()
}

extension FileSystem {
    /// `path` joined with `name`.
    public func join(_ path: String, _ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }
}
