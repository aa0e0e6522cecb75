import Foundation
import JourneyLog
import JourneyModel

/// An in-memory ``FileSystem`` that behaves like a disk that can lose power.
///
/// Every file keeps two states: what reads see now, and what would survive a
/// crash (the bytes as of its last sync). A new file's name survives a crash
/// only after its directory is synced. Every mutating call is a numbered
/// *fault point*; ``arm(crashAt:)`` makes the call with that number fail as a
/// crash, and every call after it fail too, as if the machine had stopped.
/// ``afterCrash(tear:seed:)`` then returns the disk as a reboot would find it:
/// unsynced bytes dropped, or (with `tear`) a random prefix of them kept, the
/// way a torn write leaves a partial last block.
public final class FaultyFileSystem: FileSystem, @unchecked Sendable {
    // All state is guarded by `lock`.
    final class Node {
        var content: [UInt8] = []
        var durable: [UInt8] = []
        var nameDurable = false
        var mode: UInt32 = 0o644
    }

    private let lock = NSLock()
    private var files: [String: Node] = [:]
    private var directories: Set<String> = []
    private var faultPoint = 0
    private var crashAt: Int?
    /// True once the armed crash has happened.
    public private(set) var crashed = false

    public init() {}

    /// Number of mutating calls made so far.
    public var faultPoints: Int { lock.withLock { faultPoint } }

    /// Makes mutating call number `n` (1-based, counted from now on) crash.
    public func arm(crashAt n: Int) {
        lock.withLock {
            faultPoint = 0
            crashAt = n
        }
    }

    /// Counts a mutating call and crashes it when it is the armed one.
    func point(_ what: String) throws {
        faultPoint += 1
        if crashed || faultPoint == crashAt {
            crashed = true
            throw LogError(.io, "injected crash at fault point \(faultPoint) (\(what))")
        }
    }

    /// The disk after a power loss at this moment.
    /// - Parameters:
    ///   - tear: keep a prefix of each file's unsynced bytes (random length from `seed`).
    ///   - tearBytes: with `tear`, keep exactly this many unsynced bytes (or all there are).
    public func afterCrash(tear: Bool = false, seed: UInt64 = 1, tearBytes: Int? = nil) -> FaultyFileSystem {
        lock.withLock {
            let next = FaultyFileSystem()
            var rng = SplitMix64(seed: seed)
            next.directories = directories
            for (path, node) in files.sorted(by: { $0.key < $1.key }) where node.nameDurable {
                let n = Node()
                n.durable = node.durable
                n.content = node.durable
                n.nameDurable = true
                n.mode = node.mode
                if tear, node.content.count > node.durable.count, node.content.starts(with: node.durable) {
                    let extra = node.content.count - node.durable.count
                    let keep = tearBytes.map { min($0, extra) } ?? Int(rng.next() % UInt64(extra + 1))
                    n.content.append(contentsOf: node.content[node.durable.count..<(node.durable.count + keep)])
                    n.durable = n.content
                }
                next.files[path] = n
            }
            return next
        }
    }

    /// Flips one bit of a file's durable and visible bytes (simulated media damage).
    public func flipBit(_ path: String, byte: Int, bit: Int = 0) {
        lock.withLock {
            guard let n = files[path] else { return }
            n.content[byte] ^= UInt8(1 << bit)
            n.durable = n.content
        }
    }

    /// Paths of all files, sorted.
    public var paths: [String] { lock.withLock { files.keys.sorted() } }

    /// A file's current size.
    public func size(of path: String) -> Int { lock.withLock { files[path]?.content.count ?? 0 } }

    // MARK: FileSystem

    public func createDirectory(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += prefix.isEmpty && !path.hasPrefix("/") ? String(part) : "/" + part
            directories.insert(prefix)
        }
    }

    public func listDirectory(_ path: String) throws(LogError) -> [String] {
        lock.lock(); defer { lock.unlock() }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        var names = Set<String>()
        for p in files.keys where p.hasPrefix(prefix) {
            let rest = p.dropFirst(prefix.count)
            names.insert(String(rest.split(separator: "/").first ?? rest))
        }
        for d in directories where d.hasPrefix(prefix) {
            let rest = d.dropFirst(prefix.count)
            if let first = rest.split(separator: "/").first { names.insert(String(first)) }
        }
        return names.sorted()
    }

    public func exists(_ path: String) -> Bool {
        lock.withLock { files[path] != nil || directories.contains(path) }
    }

    public func open(_ path: String, create: Bool) throws(LogError) -> any StoredFile {
        lock.lock(); defer { lock.unlock() }
        if files[path] == nil {
            guard create else { throw LogError(.io, "no such file", file: path) }
            do { try point("create \(path)") } catch { throw LogError.from(error) }
            files[path] = Node()
        }
        return FaultyFile(fs: self, path: path)
    }

    public func readFile(_ path: String) throws(LogError) -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        guard let n = files[path] else { throw LogError(.io, "no such file", file: path) }
        return n.content
    }

    public func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do {
            try point("write temporary for \(path)")
            try point("rename and sync directory for \(path)")
        } catch { throw LogError.from(error) }
        let n = Node()
        n.content = bytes
        n.durable = bytes
        n.nameDurable = true
        n.mode = mode
        files[path] = n
    }

    public func remove(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("remove \(path)") } catch { throw LogError.from(error) }
        files[path] = nil
    }

    public func syncDirectory(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("sync directory \(path)") } catch { throw LogError.from(error) }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for (p, n) in files where p.hasPrefix(prefix) && !p.dropFirst(prefix.count).contains("/") { n.nameDurable = true }
    }

    // MARK: File operations (called by FaultyFile)

    func fileSize(_ path: String) throws(LogError) -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        guard let n = files[path] else { throw LogError(.io, "file vanished", file: path) }
        return UInt64(n.content.count)
    }

    func read(_ path: String, at offset: UInt64, count: Int) throws(LogError) -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        guard let n = files[path] else { throw LogError(.io, "file vanished", file: path) }
        let start = min(Int(offset), n.content.count)
        let end = min(start + count, n.content.count)
        return Array(n.content[start..<end])
    }

    func append(_ path: String, _ bytes: [UInt8]) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("append \(bytes.count) bytes to \(path)") } catch { throw LogError.from(error) }
        files[path]?.content.append(contentsOf: bytes)
    }

    func sync(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("sync \(path)") } catch { throw LogError.from(error) }
        if let n = files[path] { n.durable = n.content }
    }

    func truncate(_ path: String, to size: UInt64) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("truncate \(path)") } catch { throw LogError.from(error) }
        if let n = files[path] {
            n.content.removeLast(n.content.count - Int(size))
            n.durable = n.content
        }
    }
}

/// A handle on a ``FaultyFileSystem`` file.
final class FaultyFile: StoredFile, @unchecked Sendable {
    let fs: FaultyFileSystem
    let path: String
    init(fs: FaultyFileSystem, path: String) {
        self.fs = fs
        self.path = path
    }
    func size() throws(LogError) -> UInt64 { try fs.fileSize(path) }
    func read(at offset: UInt64, count: Int) throws(LogError) -> [UInt8] { try fs.read(path, at: offset, count: count) }
    func append(_ bytes: [UInt8]) throws(LogError) { try fs.append(path, bytes) }
    func sync() throws(LogError) { try fs.sync(path) }
    func truncate(to size: UInt64) throws(LogError) { try fs.truncate(path, to: size) }
    func close() {}
}
