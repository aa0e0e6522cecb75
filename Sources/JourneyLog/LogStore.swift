#if canImport(Glibc)
import Glibc
#endif
import JourneyModel

/// A node's event store: its own site's log plus the replicas of other sites'
/// logs, under one data directory.
///
/// ```text
/// DATA/journey.json           manifest: format version and own site
/// DATA/keys/site.ed25519      the site's private signing key (mode 0600)
/// DATA/logs/<origin>/*.seg    segment files of each origin's log
/// ```
///
/// Appends to the own log use group commit: concurrent ``append(_:)`` calls
/// reserve their seqs under the lock, compress their blocks in parallel
/// outside it, and then one of them (the leader) writes every ready group and
/// syncs once for all. No call returns before the sync that covers it.
///
/// ```swift
/// let store = try LogStore.create(directory: "data", site: "north")
/// let result = try store.append(events)   // durable when it returns
/// try store.forEachEvent(origin: "north") { event in print(event.seq) }
/// ```
public final class LogStore: @unchecked Sendable {
    // Shared mutable state below is guarded by `monitor`; the OriginLog
    // objects are mutated only under it, except for file I/O done by the one
    // leader, whose results are published under it.
    /// The data directory the store lives in.
    public let directory: String
    /// The site this node appends for.
    public let site: String
    /// The options it was opened with (durability, read-only, pinned keys, limits).
    public let options: LogOptions
    let key: SiteKey
    let monitor = Monitor()
    /// Signalled after every append and every stored replicated block
    /// (``AppendSignal``): what a long-polling server waits on.
    public let appended = AppendSignal()
    var logs: [String: OriginLog] = [:]
    private var queue: [CommitGroup] = []
    private var leaderActive = false
    var poisoned: LogError?
    /// Origins refused at open because their logs are damaged where events were acknowledged.
    var damaged: [String: LogError] = [:]
    var nextSeq: UInt64 = 1
    var idCache: (firstSeq: UInt64, ids: [String])?
    /// The exclusive writer lock (nil when read-only).
    private var writerLock: AnyObject?
    /// When the read-only view last looked for other processes' appends.
    var refreshedAt = 0.0
    /// What recovery did while opening (torn tails cut, half-made segments removed, warnings).
    public internal(set) var recoveryNotes: [String] = []

    var fs: any FileSystem { options.fileSystem }

    static func logsDirectory(_ directory: String, fs: any FileSystem) -> String { fs.join(directory, "logs") }
    static func keyPath(_ directory: String, fs: any FileSystem) -> String { fs.join(fs.join(directory, "keys"), "site.ed25519") }

    private init(directory: String, site: String, key: SiteKey, options: LogOptions) {
        self.directory = directory
        self.site = site
        self.key = key
        self.options = options
    }

    // MARK: Creating and opening

    /// Creates a new store whose own site is `site`, with a fresh signing key.
    ///
    /// Never overwrites: a directory that already holds a manifest, a key or
    /// logs is refused (a lost `journey.json` is restored with
    /// ``adopt(directory:site:options:)``, which keeps the key).
    public static func create(directory: String, site: String, options: LogOptions = LogOptions()) throws -> LogStore {
        let fs = options.fileSystem
        guard SiteID.isValid(site) else {
            throw LogError(.invalidEvent, "'\(site)' is not a site id: use 1–32 of a-z, 0-9 and -")
        }
        let manifestPath = fs.join(directory, StoreManifest.fileName)
        guard !fs.exists(manifestPath) else {
            throw LogError(.alreadyExists, "\(directory) already holds a store; open it, or choose another --data directory", file: manifestPath)
        }
        let keyPath = keyPath(directory, fs: fs)
        let logsDir = logsDirectory(directory, fs: fs)
        let held = try fs.listDirectory(logsDir)
        guard !fs.exists(keyPath), held.isEmpty else {
            throw LogError(.alreadyExists, "\(directory) holds \(fs.exists(keyPath) ? "a signing key" : "")\(fs.exists(keyPath) && !held.isEmpty ? " and " : "")\(held.isEmpty ? "" : "logs (\(held.joined(separator: ", ")))") but no journey.json: it is a store whose manifest was lost, and a new key would orphan its logs. Restore the manifest with `journey init --data \(directory) --site SITE --adopt` (it keeps the key and checks it signs the site's log)",
                           file: fs.exists(keyPath) ? keyPath : logsDir)
        }
        try fs.createDirectory(fs.join(directory, "keys"))
        try fs.createDirectory(logsDir)
        let key = SiteKey()
        try fs.writeFileAtomically(keyPath, key.rawRepresentation, mode: 0o600)
        // The new directories' entries, and the data directory's own, must survive a crash.
        try fs.syncDirectory(directory)
        try fs.syncDirectory(POSIXFileSystem.parent(of: directory))
        // The manifest goes last: a directory without it is not yet a store.
        try fs.writeFileAtomically(manifestPath, StoreManifest(site: site, publicKeyHex: Checksum.hex(key.publicKey)).encode(), mode: 0o644)
        return try open(directory: directory, options: options)
    }

    /// Writes a lost `journey.json` again from what the directory still holds:
    /// the key file and the site's log. Checks that the key signs every block
    /// of `site`'s log before writing anything.
    public static func adopt(directory: String, site: String, options: LogOptions = LogOptions()) throws -> LogStore {
        let fs = options.fileSystem
        let manifestPath = fs.join(directory, StoreManifest.fileName)
        guard !fs.exists(manifestPath) else {
            throw LogError(.alreadyExists, "\(directory) already has its journey.json; open it as it is", file: manifestPath)
        }
        guard SiteID.isValid(site) else { throw LogError(.invalidEvent, "'\(site)' is not a site id: use 1–32 of a-z, 0-9 and -") }
        let keyPath = keyPath(directory, fs: fs)
        guard fs.exists(keyPath) else {
            throw LogError(.notAStore, "\(directory) has no signing key (\(keyPath)); without it the site's log cannot be continued — restore the key from a backup", file: keyPath)
        }
        let key = try SiteKey(rawRepresentation: try fs.readFile(keyPath))
        let held = try fs.listDirectory(logsDirectory(directory, fs: fs)).filter(SiteID.isValid)
        guard held.isEmpty || held.contains(site) else {
            throw LogError(.invalidEvent, "\(directory) holds no log of '\(site)' (it holds \(held.joined(separator: ", "))); pass the site whose key is in \(keyPath)")
        }
        let report = try LogVerifier(directory: directory, fileSystem: fs, publicKeys: [site: key.publicKey]).verify()
        if let p = report.problems.first(where: { $0.origin == site }) {
            throw LogError(.badSignature, "the key in \(keyPath) does not sign the log of '\(site)' (\(p.message)); pass the site whose log this key wrote", file: p.file, offset: p.offset)
        }
        let hasRecord = fs.exists(fs.join(fs.join(logsDirectory(directory, fs: fs), site), AckRecord.fileName))
        // Logs without acknowledgement records are a version 1 store: adopt it as one and let open migrate it.
        let manifest = StoreManifest(site: site, version: hasRecord ? StoreManifest.version : 1,
                                     publicKeyHex: hasRecord ? Checksum.hex(key.publicKey) : nil)
        try fs.writeFileAtomically(manifestPath, manifest.encode(), mode: 0o644)
        return try open(directory: directory, options: options)
    }

    /// Opens an existing store, recovering every origin's log.
    ///
    /// An origin whose log is damaged where events were acknowledged is not
    /// opened: it is listed in ``damagedOrigins`` and every read or write of
    /// it throws that damage (file and offset), while the other origins work.
    /// A writer opening a format 1 store migrates it (acknowledgement records
    /// for every origin, then the manifest).
    public static func open(directory: String, options: LogOptions = LogOptions()) throws -> LogStore {
        let fs = options.fileSystem
        let manifestPath = fs.join(directory, StoreManifest.fileName)
        guard fs.exists(manifestPath) else {
            throw LogError(.notAStore, "no store at \(directory); create one with `journey init --data \(directory) --site SITE`")
        }
        let manifest = try StoreManifest.decode(try fs.readFile(manifestPath), path: manifestPath)
        let keyFile = keyPath(directory, fs: fs)
        let key = try SiteKey(rawRepresentation: try fs.readFile(keyFile))
        if let recorded = manifest.publicKeyHex, recorded != Checksum.hex(key.publicKey) {
            throw LogError(.badSignature, "the key in \(keyFile) is not the key of site '\(manifest.site)' recorded in journey.json (public \(recorded.prefix(16))…); put the site's own key file back — blocks signed with another key would be refused by every peer",
                           file: keyFile)
        }
        let store = LogStore(directory: directory, site: manifest.site, key: key, options: options)
        if let mode = fs.permissions(keyFile), mode & 0o077 != 0 {
            store.recoveryNotes.append("the signing key \(keyFile) can be read by other users (mode \(String(mode, radix: 8))); run `chmod 600 \(keyFile)`")
        }
        // One writing process per store, taken before recovery: recovery may cut a torn tail.
        if !options.readOnly { store.writerLock = try fs.lockExclusively(fs.join(directory, "journey.lock")) }
        let legacy = manifest.version < 2
        let logsDir = logsDirectory(directory, fs: fs)
        if !options.readOnly { store.recoveryNotes += try finishInterruptedRepairs(logsDir: logsDir, fs: fs) }
        var origins = Set(try fs.listDirectory(logsDir).filter(SiteID.isValid))
        origins.insert(manifest.site)
        for origin in origins.sorted() {
            let log = store.makeLog(origin, legacy: legacy)
            do {
                try log.recover()
            } catch let e as LogError where [.corrupt, .badSignature, .unsupportedVersion].contains(e.code) {
                store.damaged[origin] = e
            }
            store.recoveryNotes += log.recoveryNotes
            store.logs[origin] = log
        }
        store.nextSeq = (store.logs[manifest.site]?.lastSeq ?? 0) + 1
        if legacy && !options.readOnly && store.damaged.isEmpty { try store.migrateFromVersion1(manifest) }
        return store
    }

    /// A log object for `origin`, with the key its blocks must be signed with.
    func makeLog(_ origin: String, legacy: Bool = false) -> OriginLog {
        OriginLog(origin: origin, directory: fs.join(LogStore.logsDirectory(directory, fs: fs), origin), options: options,
                  legacy: legacy, publicKey: origin == site ? key.publicKey : options.publicKeys[origin])
    }

    /// Format 1 → 2: an acknowledgement record for every origin (everything
    /// recovery kept is acknowledged), then the manifest with the public key.
    private func migrateFromVersion1(_ manifest: StoreManifest) throws {
        for log in logs.values where log.lastSeq > 0 || fs.exists(log.directory) {
            guard log.ackFile == nil, let last = log.blocks.last, let seg = log.segments.last else { continue }
            let (file, empty) = try AckRecord.create(directory: log.directory, origin: log.origin, fs: fs)
            let record = AckRecord(counter: empty.counter + 1, lastSeq: log.lastSeq, chainHash: log.headHash,
                                   segmentFirstSeq: seg.firstSeq, endOffset: seg.size, origin: log.origin)
            assert(last.lastSeq == record.lastSeq, "the record names the last block")
            try AckRecord.write(record, to: file, sync: true)
            try fs.syncDirectory(log.directory)
            log.ack = record
            log.ackFile = file
        }
        var m = manifest
        m.version = StoreManifest.version
        m.publicKeyHex = Checksum.hex(key.publicKey)
        try fs.writeFileAtomically(fs.join(directory, StoreManifest.fileName), m.encode(), mode: 0o644)
        recoveryNotes.append("migrated the store from format 1 to \(StoreManifest.version): acknowledgement records written for \(logs.count) origin(s)")
    }

    /// Origins that were refused at open, with the damage found (file and offset).
    public var damagedOrigins: [String: LogError] { monitor.withLock { damaged } }

    /// Throws the damage of `origin` when it was refused at open.
    func checkNotDamaged(_ origin: String) throws {
        if let e = monitor.withLock({ damaged[origin] }) { throw e }
    }

    /// The site's public signing key (32 bytes), which peers pin.
    public var publicKey: [UInt8] { key.publicKey }

    /// The own site and its public key, read from the files without opening
    /// the store (so without running recovery, which may cut a torn tail).
    public static func identity(directory: String, fileSystem fs: any FileSystem = POSIXFileSystem()) throws -> (site: String, publicKey: [UInt8]) {
        let manifestPath = fs.join(directory, StoreManifest.fileName)
        guard fs.exists(manifestPath) else {
            throw LogError(.notAStore, "no store at \(directory); create one with `journey init --data \(directory) --site SITE`")
        }
        let manifest = try StoreManifest.decode(try fs.readFile(manifestPath), path: manifestPath)
        let key = try SiteKey(rawRepresentation: try fs.readFile(keyPath(directory, fs: fs)))
        return (manifest.site, key.publicKey)
    }

    /// Closes every file and releases the writer lock. The store must not be used afterwards.
    public func close() {
        monitor.withLock {
            for log in logs.values { for s in log.segments { s.file.close() } }
            (writerLock as? StoredFile)?.close()
            writerLock = nil
        }
    }

    /// Opens a store for reading only, alongside a writing process if there is one.
    public static func openReadOnly(directory: String, options: LogOptions = LogOptions()) throws -> LogStore {
        var o = options
        o.readOnly = true
        return try open(directory: directory, options: o)
    }

    // MARK: Appending

    /// What an append did.
    public struct AppendResult: Sendable, Equatable {
        /// Events stored by this call.
        public var appended: Int = 0
        /// Events skipped because the origin already holds their id.
        public var duplicates: Int = 0
        /// Seqs of the stored events, when any were stored.
        public var firstSeq: UInt64?
        /// Seq of the last event stored by the call, when it stored any.
        public var lastSeq: UInt64?
        /// The first duplicate ids (at most ``duplicateIDsMax``), for reports.
        public var duplicateIDs: [String] = []
        /// Most duplicate ids listed in ``duplicateIDs``; the rest are only counted.
        public static let duplicateIDsMax = 20
        /// Duplicates per event kind, so a report can count what was stored.
        public var duplicatesByKind: [EventKind: Int] = [:]
        /// Nothing appended yet.
        public init() {}
    }

    /// Appends events of this store's own site, assigning their seqs. An
    /// event whose id the log already holds (or that appears earlier in the
    /// same call) is skipped and counted as a duplicate. Returns once the new
    /// events are durable as ``LogOptions/durability`` defines.
    ///
    /// - Throws: `.invalidEvent` for an event of another site or without an
    ///   id (nothing of the call is stored then); `.io` or `.poisoned` when
    ///   the disk failed, after which the store must be reopened.
    /// - Parameter bothCores: check a call of a block or more, and compress
    ///   one of two blocks or more, as two halves on two threads (the blocks
    ///   are the ones one thread makes). For a caller that appends large
    ///   batches one after the other (`journey append FILE`); off by default,
    ///   since the halves' allocations on two more threads raised the peak of
    ///   the demo's three concurrent centres (docs/benchmarks.md).
    public func append(_ input: [Event], bothCores: Bool = false) throws -> AppendResult {
        let hashes = try checkAppendable(input, bothCores: bothCores)
        monitor.lock()
        defer { monitor.unlock() }
        if let poisoned { throw poisoned }
        guard !options.readOnly else { throw LogError(.io, "this store was opened read-only; appending needs the writer") }
        if let e = damaged[site] { throw e }
        var result = AppendResult()
        let own = ownLog
        // An index whose scratch file failed refused the call that met it; the
        // next one, with nothing in flight (whose seqs only the index holds), loads it afresh.
        if own.idsLoaded, own.ids.isBroken, queue.isEmpty { own.releaseIDs() }
        do { try own.loadIDs() } catch { throw LogError.from(error) }
        // Duplicates are rare; remember which inputs they are and copy the
        // batch only when there are some, so the common case moves no events.
        var skip: [Bool] = []
        var reserved = nextSeq
        // Input index of each seq reserved so far by this call, to confirm a
        // duplicate of an earlier event of the same call.
        var reservedInputs: [Int] = []
        reservedInputs.reserveCapacity(input.count)
        for i in input.indices {
            let h = hashes[i]
            if try !own.ids.insertIfAbsent(h, seq: reserved) {
                let sameCall = { (seq: UInt64) -> String? in
                    seq >= self.nextSeq && seq < reserved ? input[reservedInputs[Int(seq - self.nextSeq)]].id : nil
                }
                let id = input[i].id
                if try isHeld(id: id, hash: h, log: own, sameCall: sameCall) {
                    if skip.isEmpty { skip = [Bool](repeating: false, count: input.count) }
                    skip[i] = true
                    result.duplicates += 1
                    result.duplicatesByKind[input[i].kind, default: 0] += 1
                    if result.duplicateIDs.count < AppendResult.duplicateIDsMax { result.duplicateIDs.append(id) }
                    continue
                }
                try own.ids.insert(h, seq: reserved)  // a hash collision between different ids
            }
            reservedInputs.append(i)
            reserved += 1
        }
        let fresh = skip.isEmpty ? input : input.indices.filter { !skip[$0] }.map { input[$0] }
        guard !fresh.isEmpty else { return result }
        let group = CommitGroup(events: fresh, firstSeq: nextSeq)
        nextSeq = reserved
        result.appended = fresh.count
        result.firstSeq = group.firstSeq
        result.lastSeq = reserved - 1
        queue.append(group)

        monitor.unlock()
        let compressed = compressBlocks(fresh, bothCores: bothCores)
        monitor.lock()

        switch compressed {
        case .success(let c): group.compressed = c
        case .failure(let e): poison(e)
        }
        try commit(until: group)
        appended.signal()
        LogMetrics.stored(origin: site, events: fresh.count, bytes: group.compressed?.reduce(0) { $0 + $1.payload.count } ?? 0)
        return result
    }

    /// Makes room in the id index of this store's own log for `events` more
    /// ids, loading it first if needed, so that appending them does not grow
    /// it step by step (each step rehashes every id and briefly holds two
    /// tables). For a caller that knows how much it is about to append.
    public func reserveIDs(forAppending events: Int) throws {
        try monitor.withLock {
            let own = ownLog
            do { try own.loadIDs() } catch { throw LogError.from(error) }
            own.ids.reserve(own.ids.count + max(0, events))
        }
    }

    /// Frees the memory of the id index of this store's own log (32–64 bytes
    /// per event after a load, up to ``LogOptions/idsInMemoryMax`` entries, and
    /// its scratch files beyond: it finds duplicates on append) when no append is in
    /// flight; the next append loads it again from the log. For a process
    /// that has finished appending for a while, such as the demo between its
    /// steps; a node that appends keeps it.
    public func releaseIDIndex() {
        monitor.withLock {
            guard queue.isEmpty else { return }  // reserved seqs of an append in flight live only in the index
            ownLog.releaseIDs()
            idCache = nil
        }
    }

    /// Checks a call's events before the lock is taken (appenders do it in
    /// parallel): each is this site's and valid, and no id is given twice
    /// with different content. Returns each event's id hash.
    private func checkAppendable(_ input: [Event], bothCores: Bool) throws -> [UInt64] {
        // With `bothCores`, a large call is checked as two halves on two threads; the first half's error wins, so
        // the error names the first bad event either way.
        let hashes = try input.withUnsafeBufferPointer { events in
            try Self.onBothCores(events.count, minimum: bothCores ? options.eventsPerBlock : Int.max) { range in
                var hashes: [UInt64] = []
                hashes.reserveCapacity(range.count)
                for i in range {
                    guard events[i].site == site else {
                        throw LogError(.invalidEvent, "event \(i + 1) belongs to site '\(events[i].site)', but this store appends for '\(site)'; other sites' events arrive by sync")
                    }
                    do throws(ModelError) { try events[i].validate() } catch {
                        throw LogError(.invalidEvent, "event \(i + 1) (id '\(ModelError.excerpt(events[i].id))'): \(error); nothing was stored")
                    }
                    hashes.append(Checksum.fnv1a64(events[i].id))
                }
                return hashes
            }.reduce(into: [UInt64]()) { $0 += $1 }
        }
        assert(hashes.count == input.count, "one id hash per event")
        if let (j, i) = Event.firstConflictingDuplicate(input, idHashes: hashes) {
            throw LogError(.invalidEvent, "events \(j + 1) and \(i + 1) both have the id '\(ModelError.excerpt(input[i].id))' but differ; an id names one fact, so give each its own; nothing was stored")
        }
        return hashes
    }

    /// In a read-only store, picks up what other processes appended (at most every 20 ms).
    func refreshIfReadOnly() {
        guard options.readOnly else { return }
        let now = SystemClock.monotonicSeconds()
        monitor.withLock {
            guard now - refreshedAt >= 0.02 else { return }
            refreshedAt = now
            let logsDir = LogStore.logsDirectory(directory, fs: fs)
            for origin in ((try? fs.listDirectory(logsDir)) ?? []).filter(SiteID.isValid) where logs[origin] == nil {
                let log = makeLog(origin)
                if (try? log.recover()) != nil { logs[origin] = log }
            }
            for (origin, log) in logs where damaged[origin] == nil { try? log.refresh() }
        }
    }

    private var ownLog: OriginLog {
        if let log = logs[site] { return log }
        let log = makeLog(site)
        logs[site] = log
        return log
    }

    /// Compresses a group's events into block payloads (``Block/compressRuns(_:eventsPerBlock:level:)``).
    /// With `bothCores`, a group of two blocks or more is compressed as two runs on two threads, cut at a block
    /// boundary, so the blocks are the ones one thread would make.
    private func compressBlocks(_ events: [Event], bothCores: Bool) -> Result<[Block.Compressed], LogError> {
        do {
            let per = max(1, options.eventsPerBlock)
            let blocks = try Self.onBothCores(events.count, minimum: bothCores ? 2 * per : Int.max, cutEvery: per) { range in
                try Block.compressRuns(events[range], eventsPerBlock: per, level: options.compressionLevel)
            }
            return .success(blocks.reduce(into: [Block.Compressed]()) { $0 += $1 })
        } catch {
            return .failure(LogError.from(error))
        }
    }

    /// Runs `work` over `0..<count` as one range, or, when `count` is at
    /// least `minimum`, as two ranges cut at a multiple of `cutEvery`, on two
    /// threads. The results are in range order; an error of the first range
    /// wins over one of the second.
    static func onBothCores<T>(_ count: Int, minimum: Int, cutEvery: Int = 1, _ work: (Range<Int>) throws -> T) throws -> [T] {
        let step = max(1, cutEvery)
        let cut = (count / 2 + step / 2) / step * step
        guard count >= max(2, minimum), cut > 0, cut < count else { return [try work(0..<count)] }
        let (a, b) = try BothAtOnce.run({ try work(0..<cut) }, { try work(cut..<count) })
        return [a, b]
    }

    /// Waits until `group` is durable, leading the commit of every ready group
    /// when no other appender is. Call with the lock held.
    private func commit(until group: CommitGroup) throws {
        while !group.durable {
            if let poisoned { throw poisoned }
            if !leaderActive, let head = queue.first, head.compressed != nil {
                leaderActive = true
                var take: [CommitGroup] = []
                for g in queue {
                    guard g.compressed != nil else { break }
                    take.append(g)
                    if options.durability == .always { break }
                }
                let own = ownLog
                let previousHash = own.headHash
                precondition(take.first?.firstSeq == own.lastSeq + 1, "the next group to write continues the log")
                monitor.unlock()
                let outcome = writeGroups(take, log: own, previousHash: previousHash)
                monitor.lock()
                leaderActive = false
                switch outcome {
                case .success(let written):
                    own.publish(written)
                    for g in take { g.durable = true }
                    queue.removeFirst(take.count)
                case .failure(let error):
                    poison(error)
                }
                monitor.broadcast()
            } else {
                monitor.wait()
            }
        }
    }

    /// The leader's I/O: chains and signs the groups' blocks, writes them, syncs.
    private func writeGroups(_ groups: [CommitGroup], log: OriginLog, previousHash: [UInt8]) -> Result<OriginLog.WriteOutcome, LogError> {
        do {
            var sealed: [Block] = []
            var previous = previousHash
            var next = groups.first?.firstSeq ?? 0
            for g in groups {
                precondition(g.firstSeq == next, "commit groups are written in seq order without gaps")
                var seq = g.firstSeq
                for c in g.compressed ?? [] {
                    let block = try Block.seal(compressed: c, origin: site, firstSeq: seq, previousHash: previous, key: key)
                    previous = block.header.chainHash
                    seq += UInt64(c.count)
                    sealed.append(block)
                }
                next = seq
            }
            return .success(try log.write(sealed, sync: options.durability != .none))
        } catch {
            return .failure(LogError.from(error))
        }
    }

    func poison(_ error: LogError) {
        let e = LogError(.poisoned, "a write to the log failed, so this store takes no more appends until it is reopened (recovery then keeps every acknowledged event)",
                         file: error.file, offset: error.offset, cause: error.description)
        poisoned = e
        monitor.broadcast()
    }

    /// Confirms an id-index hit against the held ids (hashes can collide),
    /// comparing bytes as the index hashes them (two spellings of one text are two ids):
    /// those still on their way to disk in the commit queue, and the stored
    /// ones. Keeps the last decoded block's ids, so re-importing a file reads
    /// each block once.
    private func isHeld(id: String, hash: UInt64, log: OriginLog, sameCall: (UInt64) -> String?) throws -> Bool {
        for seq in try log.ids.candidates(hash) {
            if let earlier = sameCall(seq) {
                if earlier.sameBytes(as: id) { return true }
                continue
            }
            if seq > log.lastSeq {
                if let g = queue.first(where: { seq >= $0.firstSeq && seq < $0.firstSeq + UInt64($0.events.count) }),
                   g.events[Int(seq - g.firstSeq)].id.sameBytes(as: id) { return true }
                continue
            }
            if let cache = idCache, seq >= cache.firstSeq, seq < cache.firstSeq + UInt64(cache.ids.count) {
                if cache.ids[Int(seq - cache.firstSeq)].sameBytes(as: id) { return true }
                continue
            }
            guard let b = OriginLog.blockIndex(holding: seq, in: log.blocks),
                  let block = try? log.readBlock(log.blocks[b], segments: log.segments) else { continue }
            var ids: [String] = []
            ids.reserveCapacity(Int(block.header.count))
            guard (try? block.forEachID({ _, stored in ids.append(stored) })) != nil else { continue }
            idCache = (block.header.firstSeq, ids)
            if ids[Int(seq - block.header.firstSeq)].sameBytes(as: id) { return true }
        }
        return false
    }
}

/// One append call's events on their way to disk.
final class CommitGroup: @unchecked Sendable {
    // Mutated only under the store's monitor.
    let events: [Event]
    /// Seq of `events[0]`; the rest follow without gaps. (The events' own
    /// `seq` fields are not set: blocks do not store seqs.)
    let firstSeq: UInt64
    var compressed: [Block.Compressed]?
    var durable = false
    init(events: [Event], firstSeq: UInt64) {
        self.events = events
        self.firstSeq = firstSeq
    }
}
