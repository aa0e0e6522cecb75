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
        /// The writes (offset, length) since the last sync, in order: what a crash can tear.
        var pending: [(offset: Int, count: Int)] = []
        var nameDurable = false
        var mode: UInt32 = 0o644
    }

    private let lock = NSLock()
    private var files: [String: Node] = [:]
    private var directories: Set<String> = []
    /// Directories whose entry in their parent is durable (the parent was synced).
    private var durableDirectories: Set<String> = []
    /// Files removed since their directory was last synced: a crash brings them back.
    private var removedNames: [String: Node] = [:]
    private var faultPoint = 0
    private var crashAt: Int?
    /// True once the armed crash has happened.
    public private(set) var crashed = false

    /// When true, the disk refuses every write and every open for writing (EROFS).
    public var readOnlyMedia: Bool {
        get { lock.withLock { readOnly } }
        set { lock.withLock { readOnly = newValue } }
    }
    private var readOnly = false

    /// An empty file system with no faults armed.
    public init() {}

    // The gate of ``holdWrites()``: its own condition, so reads go on while writes wait.
    private let gate = NSCondition()
    private var writesHeld = false
    private var waiting = 0

    /// Makes every append and write wait until ``releaseWrites()``: a slow
    /// disk, so that what is being written stays in flight while a test acts.
    public func holdWrites() { gate.lock(); writesHeld = true; gate.unlock() }

    /// Lets the held writes go on.
    public func releaseWrites() { gate.lock(); writesHeld = false; gate.broadcast(); gate.unlock() }

    /// Writes waiting at the gate now.
    public var writesWaiting: Int { gate.lock(); defer { gate.unlock() }; return waiting }

    private func passGate() {
        gate.lock()
        waiting += 1
        while writesHeld { gate.wait() }
        waiting -= 1
        gate.unlock()
    }

    /// An independent copy of the disk as it is now (current and durable bytes).
    public static func copy(of other: FaultyFileSystem) -> FaultyFileSystem {
        other.lock.withLock {
            let next = FaultyFileSystem()
            next.directories = other.directories
            next.durableDirectories = other.durableDirectories
            for (path, node) in other.files {
                let n = Node()
                n.content = node.content
                n.durable = node.durable
                n.nameDurable = node.nameDurable
                n.mode = node.mode
                next.files[path] = n
            }
            return next
        }
    }

    /// Number of mutating calls made so far.
    public var faultPoints: Int { lock.withLock { faultPoint } }

    /// Makes mutating call number `n` (1-based, counted from now on) crash.
    public func arm(crashAt n: Int) {
        lock.withLock {
            faultPoint = 0
            crashAt = n
        }
    }

    /// Makes mutating call number `n` (counted from now on) fail with an I/O
    /// error (as a full disk would) without a crash: the call changes nothing,
    /// and later calls work again.
    public func arm(failAt n: Int) {
        lock.withLock {
            faultPoint = 0
            failAt = n
        }
    }
    private var failAt: Int?

    /// Counts a mutating call and crashes it when it is the armed one.
    func point(_ what: String) throws {
        if readOnly { throw LogError(.io, "read-only file system (\(what))") }
        faultPoint += 1
        if faultPoint == failAt {
            failAt = nil
            throw LogError(.io, "injected I/O error at fault point \(faultPoint) (\(what)): no space left on device")
        }
        if crashed || faultPoint == crashAt {
            crashed = true
            throw LogError(.io, "injected crash at fault point \(faultPoint) (\(what))")
        }
    }

    /// What a torn write leaves in the part of a write that did not reach the disk whole.
    public enum Tear: Sendable, CaseIterable {
        /// A prefix of the unsynced bytes reached the disk, nothing after it.
        case prefix
        /// A prefix reached the disk; the rest of the written range reads as zeros.
        case zeros
        /// A prefix reached the disk; the rest of the written range holds garbage.
        case garbage
        /// The unsynced pages reached the disk in another order: some 4 KiB pages
        /// of the written range are new, others old (or zeros past the old end).
        case pages
    }

    /// The disk after a power loss at this moment.
    /// - Parameters:
    ///   - tear: keep part of each file's unsynced bytes (as `kind` says, lengths from `seed`);
    ///     without it every unsynced byte is lost.
    ///   - tearBytes: with `tear`, keep exactly this many unsynced bytes (or all there are).
    ///   - kind: what the torn part of the write looks like.
    public func afterCrash(tear: Bool = false, seed: UInt64 = 1, tearBytes: Int? = nil, kind: Tear = .prefix) -> FaultyFileSystem {
        lock.withLock {
            let next = FaultyFileSystem()
            var rng = SplitMix64(seed: seed)
            // A directory survives when its own entry and its parent's survive; a
            // top-level directory (the test's mount point) always does.
            func survives(_ dir: String) -> Bool {
                guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { return true }
                let parent = String(dir[..<slash])
                guard directories.contains(parent) else { return true }
                return durableDirectories.contains(dir) && survives(parent)
            }
            func parent(_ path: String) -> String {
                guard let slash = path.lastIndex(of: "/") else { return "" }
                return String(path[..<slash])
            }
            next.directories = directories.filter(survives)
            next.durableDirectories = next.directories
            for (path, node) in files.sorted(by: { $0.key < $1.key }) where node.nameDurable && survives(parent(path)) {
                let n = Node()
                n.content = tear ? Self.torn(node, tearBytes: tearBytes, kind: kind, rng: &rng) : node.durable
                n.durable = n.content
                n.nameDurable = true
                n.mode = node.mode
                next.files[path] = n
            }
            for (path, node) in removedNames where next.files[path] == nil && survives(parent(path)) {
                // A removal whose directory was never synced: the file is back after the crash.
                let n = Node()
                n.content = node.durable
                n.durable = node.durable
                n.nameDurable = true
                n.mode = node.mode
                next.files[path] = n
            }
            return next
        }
    }

    /// A file's bytes after a crash that tore its unsynced writes.
    static func torn(_ node: Node, tearBytes: Int?, kind: Tear, rng: inout SplitMix64) -> [UInt8] {
        let new = node.content
        var out = node.durable
        if out.count < new.count { out += [UInt8](repeating: 0, count: new.count - out.count) }
        // How far the file reaches after the crash: its synced size, and whatever part of a write reached the disk.
        var length = node.durable.count
        var budget = tearBytes
        for w in node.pending {
            let end = min(w.offset + w.count, new.count)
            guard w.offset < end else { continue }
            let span = end - w.offset
            var keep = budget.map { min($0, span) } ?? Int(rng.next() % UInt64(span + 1))
            if let b = budget { budget = b - keep }
            if kind == .pages && budget == nil { keep = 0 }
            for i in w.offset..<(w.offset + keep) { out[i] = new[i] }
            if keep > 0 { length = max(length, w.offset + keep) }
            // The part of this write past the kept prefix.
            let reach = min(end, w.offset + keep + Int(rng.next() % 4096))
            switch kind {
            case .prefix:
                break
            case .zeros:
                for i in (w.offset + keep)..<reach { out[i] = 0 }
                length = max(length, reach)
            case .garbage:
                for i in (w.offset + keep)..<reach { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
                length = max(length, reach)
            case .pages:
                // Each 4 KiB page the write touched reached the disk or not, in any order.
                var page = w.offset / 4096 * 4096
                while page < end {
                    if rng.next() % 2 == 0 {
                        let lo = max(page, w.offset), hi = min(page + 4096, end)
                        for i in lo..<hi { out[i] = new[i] }
                        length = max(length, hi)
                    }
                    page += 4096
                }
            }
        }
        // An append's new size may have reached the disk before its data (the gap reads as zeros).
        if kind == .pages && new.count > length && rng.next() % 2 == 0 {
            for i in length..<new.count where i >= node.durable.count && out[i] != new[i] { out[i] = 0 }
            length = new.count
        }
        out.removeLast(out.count - max(length, 0))
        return out
    }

    /// Removes a file at once, durably (simulated loss or an operator's mistake).
    public func delete(_ path: String) {
        lock.withLock { files[path] = nil; removedNames[path] = nil }
    }

    /// Cuts a file at once, durably (simulated loss).
    public func cut(_ path: String, to size: Int) {
        lock.withLock {
            guard let n = files[path], size < n.content.count else { return }
            n.content.removeLast(n.content.count - size)
            n.durable = n.content
        }
    }

    /// Overwrites bytes of a file at once, durably (simulated tampering).
    public func overwrite(_ path: String, at offset: Int, _ bytes: [UInt8]) {
        lock.withLock {
            guard let n = files[path] else { return }
            if n.content.count < offset + bytes.count { n.content += [UInt8](repeating: 0, count: offset + bytes.count - n.content.count) }
            n.content.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            n.durable = n.content
        }
    }

    /// A file's durable bytes.
    public func bytes(of path: String) -> [UInt8] { lock.withLock { files[path]?.content ?? [] } }

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

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func createDirectory(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += prefix.isEmpty && !path.hasPrefix("/") ? String(part) : "/" + part
            directories.insert(prefix)
        }
    }

    /// Makes every directory created so far durable, as a fresh disk would be
    /// after `mkdir -p` and a sync (tests that crash only later call it).
    public func syncEverything() {
        lock.withLock {
            durableDirectories = directories
            for n in files.values { n.durable = n.content; n.nameDurable = true }
            removedNames = [:]
        }
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
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

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func exists(_ path: String) -> Bool {
        lock.withLock { files[path] != nil || directories.contains(path) }
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func open(_ path: String, create: Bool) throws(LogError) -> any StoredFile {
        lock.lock(); defer { lock.unlock() }
        if readOnly { throw LogError(.io, "read-only file system: cannot open for writing", file: path) }
        if files[path] == nil {
            guard create else { throw LogError(.io, "no such file", file: path) }
            do { try point("create \(path)") } catch { throw LogError.from(error) }
            files[path] = Node()
        }
        return FaultyFile(fs: self, path: path)
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func permissions(_ path: String) -> UInt32? { lock.withLock { files[path]?.mode } }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func openForReading(_ path: String) throws(LogError) -> any StoredFile {
        lock.lock(); defer { lock.unlock() }
        guard files[path] != nil else { throw LogError(.io, "no such file", file: path) }
        return FaultyFile(fs: self, path: path)
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func readFile(_ path: String) throws(LogError) -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
        guard let n = files[path] else { throw LogError(.io, "no such file", file: path) }
        return n.content
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
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

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func remove(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("remove \(path)") } catch { throw LogError.from(error) }
        if let n = files[path], n.nameDurable { removedNames[path] = n }
        files[path] = nil
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func removeDirectory(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("remove directory \(path)") } catch { throw LogError.from(error) }
        let prefix = path + "/"
        guard !files.keys.contains(where: { $0.hasPrefix(prefix) }) else { throw LogError(.io, "directory not empty", file: path) }
        directories.remove(path)
        durableDirectories.remove(path)
    }

    /// Renames a file or a directory with everything under it. The model keeps
    /// it simple: a rename is durable at once (the code syncs the parent right after).
    public func rename(_ from: String, to: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("rename \(from) to \(to)") } catch { throw LogError.from(error) }
        guard files[to] == nil, !directories.contains(to) else { throw LogError(.io, "rename target exists", file: to) }
        let prefix = from + "/"
        if let n = files.removeValue(forKey: from) { files[to] = n }
        for p in files.keys where p.hasPrefix(prefix) {
            files[to + "/" + p.dropFirst(prefix.count)] = files.removeValue(forKey: p)
        }
        for d in directories where d == from || d.hasPrefix(prefix) {
            directories.remove(d)
            let moved = to + d.dropFirst(from.count)
            directories.insert(moved)
            if durableDirectories.remove(d) != nil || d == from { durableDirectories.insert(moved) }
        }
    }

    /// As ``FileSystem`` requires, in memory, passing each fault point.
    public func syncDirectory(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("sync directory \(path)") } catch { throw LogError.from(error) }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for (p, n) in files where p.hasPrefix(prefix) && !p.dropFirst(prefix.count).contains("/") { n.nameDurable = true }
        for p in removedNames.keys where p.hasPrefix(prefix) && !p.dropFirst(prefix.count).contains("/") { removedNames[p] = nil }
        for d in directories where d.hasPrefix(prefix) && !d.dropFirst(prefix.count).contains("/") { durableDirectories.insert(d) }
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
        passGate()
        lock.lock(); defer { lock.unlock() }
        do { try point("append \(bytes.count) bytes to \(path)") } catch { throw LogError.from(error) }
        if let n = files[path] {
            n.pending.append((n.content.count, bytes.count))
            n.content.append(contentsOf: bytes)
        }
    }

    func sync(_ path: String) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("sync \(path)") } catch { throw LogError.from(error) }
        if let n = files[path] {
            n.durable = n.content
            n.pending = []
        }
    }

    func write(_ path: String, _ bytes: [UInt8], at offset: UInt64) throws(LogError) {
        passGate()
        lock.lock(); defer { lock.unlock() }
        do { try point("write \(bytes.count) bytes at \(offset) of \(path)") } catch { throw LogError.from(error) }
        guard let n = files[path] else { throw LogError(.io, "file vanished", file: path) }
        let o = Int(offset)
        if n.content.count < o + bytes.count { n.content += [UInt8](repeating: 0, count: o + bytes.count - n.content.count) }
        n.content.replaceSubrange(o..<(o + bytes.count), with: bytes)
        n.pending.append((o, bytes.count))
    }

    func truncate(_ path: String, to size: UInt64) throws(LogError) {
        lock.lock(); defer { lock.unlock() }
        do { try point("truncate \(path)") } catch { throw LogError.from(error) }
        if let n = files[path] {
            n.content.removeLast(n.content.count - Int(size))
            n.durable = n.content
            n.pending = []
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
    func write(_ bytes: [UInt8], at offset: UInt64) throws(LogError) { try fs.write(path, bytes, at: offset) }
    func sync() throws(LogError) { try fs.sync(path) }
    func truncate(to size: UInt64) throws(LogError) { try fs.truncate(path, to: size) }
    func close() {}
}
