#if canImport(Glibc)
import Glibc
#endif
import JourneyLog
import JourneyModel

/// Follows a growing Asterisk `queue_log` like `tail -F`: appends each new
/// complete line's events to the store, survives rotation (a new file at the
/// path) and truncation, and resumes after a restart from a cursor kept in
/// the data directory.
///
/// The cursor (file identity and byte offset) is saved only after the events
/// of the lines before it are durably appended, so it is never ahead of the
/// log: a crash can only make the follower read some lines again, and their
/// ids make that a no-op.
public final class QueueLogFollower: @unchecked Sendable {
    // Used by one thread at a time: run() owns all mutable state while it runs.
    /// The queue_log followed.
    public let path: String
    let store: LogStore
    var importer: AsteriskQueueLog
    let cursorPath: String
    /// Polling interval while the file has no new data.
    public var pollMilliseconds = 200
    /// Stop after this many seconds without new data (nil: follow forever).
    public var idleExitSeconds: Double?
    /// The clock idle time is measured by.
    public var clock: any NodeClock = SystemClock()
    /// Stop once this returns true (checked between polls).
    public var shouldStop: () -> Bool = { false }
    /// Called with each appended chunk's result.
    public var report: (ImportBatch, LogStore.AppendResult) -> Void = { _, _ in }
    /// When set, malformed lines are handed here (with the chunk they are in
    /// and its first line number) and the rest of the chunk is stored;
    /// when nil, a malformed line stops the follower before it.
    public var setAside: ((_ rejected: [IngestError], _ chunk: [UInt8], _ firstLine: Int) throws -> Void)?
    /// Fault injection for tests: called at each crash point of a chunk —
    /// `.beforeAppend`, `.afterAppend` (stored, cursor not yet saved) and
    /// `.afterCursor`; throwing stops the follower there as a crash would.
    public var crashPoint: ((CrashPoint) throws -> Void)?
    /// Where in a chunk a test may stop the follower.
    public enum CrashPoint: Sendable, CaseIterable { case beforeAppend, afterAppend, afterCursor }

    var device: UInt64 = 0
    var inode: UInt64 = 0
    var offset: UInt64 = 0
    var lineNumber = 0

    /// A follower of `path` into `store`, resuming from its saved cursor.
    public init(path: String, store: LogStore) throws {
        self.path = path
        self.store = store
        let fs = POSIXFileSystem()
        importer = AsteriskQueueLog(site: store.site, pseudonyms: try Pseudonyms.load(directory: store.directory, fileSystem: fs))
        let dir = fs.join(store.directory, "ingest")
        try fs.createDirectory(dir)
        cursorPath = fs.join(dir, SourceID.make("follow-", path) + ".cursor")
        if fs.exists(cursorPath), let text = try? fs.readFile(cursorPath),
           case .object(let o)? = try? text.withUnsafeBufferPointer({ try JSONParser.parse($0) }) {
            device = UInt64(o["device"]?.intValue ?? 0)
            inode = UInt64(o["inode"]?.intValue ?? 0)
            offset = UInt64(o["offset"]?.intValue ?? 0)
            lineNumber = Int(o["line"]?.intValue ?? 0)
            // The call → customer map of the calls seen before the cursor: their later lines need it.
            if case .object(let saved)? = o["customers"] {
                var map: [ByteKey: String] = [:]
                for member in saved.members { if let v = member.value.stringValue { map[ByteKey(member.key)] = v } }
                importer.restore(customers: map)
            }
        }
    }

    /// The file's identity and size, or nil when it does not exist (mid-rotation).
    static func identity(_ path: String) -> (device: UInt64, inode: UInt64, size: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino), UInt64(st.st_size))
    }

    /// Follows until idle for ``idleExitSeconds`` (or forever). Throws on a
    /// malformed line, with the cursor left before it.
    public func run() throws {
        var idleSince = now()
        var open: (fd: Int32, device: UInt64, inode: UInt64)?
        defer { if let o = open { close(o.fd) } }
        while true {
            var progressed = false
            if let id = QueueLogFollower.identity(path) {
                if open == nil || open?.inode != id.inode || open?.device != id.device {
                    // Rotation: drain what is left of the old file, then switch.
                    if let o = open {
                        progressed = try drain(fd: o.fd) || progressed
                        close(o.fd)
                        open = nil
                    }
                    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
                    if fd >= 0 {
                        if id.inode != inode || id.device != device {
                            inode = id.inode
                            device = id.device
                            offset = 0
                        }
                        open = (fd, id.device, id.inode)
                    }
                }
                if let o = open {
                    var st = stat()
                    if fstat(o.fd, &st) == 0, UInt64(st.st_size) < offset { offset = 0 }  // truncated in place
                    progressed = try drain(fd: o.fd) || progressed
                }
            }
            if progressed { idleSince = now() }
            if let limit = idleExitSeconds, now() - idleSince >= limit { return }
            if shouldStop() { return }
            if !progressed { usleep(UInt32(pollMilliseconds * 1000)) }
        }
    }

    /// Reads and appends every complete line after the cursor; true when any was read.
    func drain(fd: Int32) throws -> Bool {
        var progressed = false
        while true {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard n > 0 else { return progressed }
            buffer.removeLast(buffer.count - n)
            guard let lastNewline = buffer.lastIndex(of: 0x0A) else { return progressed }  // wait for the line to complete
            let chunk = Array(buffer[...lastNewline])
            var batch = importer.read(chunk, firstLineNumber: lineNumber + 1)
            if let setAside {
                let rejected = batch.setAsideErrors()
                if !rejected.isEmpty { try setAside(rejected, chunk, lineNumber + 1) }
            }
            if let first = batch.errors.first { throw first }
            try crashPoint?(.beforeAppend)
            let result = try store.append(batch.events)
            try crashPoint?(.afterAppend)
            lineNumber += chunk.split(separator: 0x0A, omittingEmptySubsequences: false).count - 1
            offset += UInt64(chunk.count)
            try saveCursor()
            try crashPoint?(.afterCursor)
            report(batch, result)
            progressed = true
        }
    }

    /// Saves the cursor and, with it, the call → customer map, in one atomic
    /// write: after a restart the calls in progress keep their customer.
    func saveCursor() throws {
        let customers = JSONObject(importer.customers.keys.sorted().map { .init($0.text, .string(importer.customers[$0] ?? "")) })
        let o: JSONObject = ["path": .string(path), "device": .integer(Int64(device)), "inode": .integer(Int64(inode)),
                             "offset": .integer(Int64(offset)), "line": .integer(Int64(lineNumber)),
                             "customers": .object(customers)]
        var bytes: [UInt8] = []
        JSONWriter.writeObject(o, into: &bytes)
        try POSIXFileSystem().writeFileAtomically(cursorPath, bytes, mode: 0o644)
    }

    func now() -> Double { clock.monotonicSeconds() }
}
