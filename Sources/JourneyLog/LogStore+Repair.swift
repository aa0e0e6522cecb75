import JourneyModel

extension LogStore {
    /// What a damaged (or missing) origin needs to be whole again.
    public struct RepairNeed: Sendable {
        /// The damaged origin.
        public var origin: String
        /// The log is intact (every block checked) up to this seq.
        public var intactThrough: UInt64
        /// Chain hash of the block ending at ``intactThrough`` (zeros when 0).
        public var intactHash: [UInt8]
        /// The last acknowledged seq, from the acknowledgement record (0 when unknown).
        public var acknowledgedSeq: UInt64
        /// Chain hash acknowledged at ``acknowledgedSeq``, when known.
        public var acknowledgedHash: [UInt8]?
        /// The damage found at open.
        public var damage: LogError
    }

    /// What a repair did.
    public struct RepairReport: Sendable, Equatable {
        /// The origin repaired.
        public var origin: String
        /// Events kept from the intact part of the local log.
        public var keptThrough: UInt64
        /// Events written from the peers' copies (or, for a cut, dropped).
        public var replacedEvents: UInt64
        /// The origin's last seq after the repair.
        public var lastSeq: UInt64
        /// Where the damaged files were set aside.
        public var setAside: String
    }

    /// The origins refused at open and what each needs.
    public func repairNeeds() -> [RepairNeed] {
        monitor.withLock {
            damaged.keys.sorted().compactMap { origin in
                guard let log = logs[origin], let damage = damaged[origin] else { return nil }
                return RepairNeed(origin: origin, intactThrough: log.lastSeq, intactHash: log.headHash,
                                  acknowledgedSeq: log.ack?.lastSeq ?? 0, acknowledgedHash: log.ack?.chainHash, damage: damage)
            }
        }
    }

    /// Starts rebuilding `origin`'s log from its intact part; feed it the
    /// blocks that follow with ``Repair/add(_:)`` and swap it in with
    /// ``Repair/finish()``. Works on a sound origin too (to extend nothing) —
    /// callers use it for the ones in ``repairNeeds()``.
    public func beginRepair(origin: String, publicKey: [UInt8]?) throws -> Repair {
        guard !options.readOnly else { throw LogError(.io, "this store was opened read-only; repair needs the writer") }
        let (log, need) = try monitor.withLock { () throws -> (OriginLog, RepairNeed) in
            guard let log = logs[origin] else { throw LogError(.invalidEvent, "this node holds no log of '\(origin)'") }
            let need = RepairNeed(origin: origin, intactThrough: log.lastSeq, intactHash: log.headHash,
                                  acknowledgedSeq: log.ack?.lastSeq ?? 0, acknowledgedHash: log.ack?.chainHash,
                                  damage: damaged[origin] ?? LogError(.corrupt, "not damaged"))
            return (log, need)
        }
        let key = origin == site ? self.key.publicKey : publicKey
        let staging = log.directory + ".repair"
        try removeTree(staging)
        let fresh = OriginLog(origin: origin, directory: staging, options: options, publicKey: key)
        let repair = Repair(store: self, damagedLog: log, fresh: fresh, need: need)
        // The intact part goes first, block by block, already verified by recovery.
        for loc in log.blocks { try repair.write([try log.readBlock(loc, segments: log.segments)]) }
        return repair
    }

    /// Cuts `origin`'s log at its first damage, giving up the events after it
    /// (for a node with no peer to repair from). The damaged files are set aside.
    public func cutAtDamage(origin: String) throws -> RepairReport {
        let repair = try beginRepair(origin: origin, publicKey: options.publicKeys[origin])
        return try repair.finish(acceptingLoss: true)
    }

    /// Sets a replica origin's files aside so that the next sync fetches it
    /// again from the start. The own site's log cannot be dropped.
    public func drop(origin: String) throws -> String {
        guard origin != site else {
            throw LogError(.invalidEvent, "'\(origin)' is this node's own log; it cannot be dropped — repair it from a peer instead")
        }
        guard !options.readOnly else { throw LogError(.io, "this store was opened read-only; dropping an origin needs the writer") }
        return try monitor.withLock {
            guard let log = logs[origin] else { throw LogError(.invalidEvent, "this node holds no log of '\(origin)'") }
            for s in log.segments { s.file.close() }
            log.ackFile?.close()
            let aside = try setAside(log.directory)
            logs[origin] = nil
            damaged[origin] = nil
            return aside
        }
    }

    /// Renames a directory to the first free `<dir>.damaged-<n>` and syncs its parent.
    func setAside(_ dir: String) throws -> String {
        var n = 1
        while fs.exists("\(dir).damaged-\(n)") { n += 1 }
        let aside = "\(dir).damaged-\(n)"
        if fs.exists(dir) { try fs.rename(dir, to: aside) }
        try fs.syncDirectory(POSIXFileSystem.parent(of: dir))
        return aside
    }

    /// Removes a directory and the files in it (one level: origin directories have no subdirectories).
    func removeTree(_ dir: String) throws {
        guard fs.exists(dir) else { return }
        for name in try fs.listDirectory(dir) { try fs.remove(fs.join(dir, name)) }
        try fs.removeDirectory(dir)
        try fs.syncDirectory(POSIXFileSystem.parent(of: dir))
    }

    /// Completes a repair that a crash interrupted between its two renames:
    /// `<origin>.repair` is complete once `<origin>` was moved aside.
    static func finishInterruptedRepairs(logsDir: String, fs: any FileSystem) throws -> [String] {
        var notes: [String] = []
        for name in try fs.listDirectory(logsDir) where name.hasSuffix(".repair") {
            let origin = String(name.dropLast(".repair".count))
            guard SiteID.isValid(origin), !fs.exists(fs.join(logsDir, origin)) else { continue }
            try fs.rename(fs.join(logsDir, name), to: fs.join(logsDir, origin))
            try fs.syncDirectory(logsDir)
            notes.append("finished an interrupted repair of '\(origin)'")
        }
        return notes
    }

    /// Swaps a finished repair in: the damaged directory aside, the new one in its place.
    func swapIn(_ repair: Repair) throws -> String {
        try monitor.withLock {
            let log = repair.damagedLog
            for s in log.segments { s.file.close() }
            log.ackFile?.close()
            for s in repair.fresh.segments { s.file.close() }
            repair.fresh.ackFile?.close()
            let aside = try setAside(log.directory)
            try fs.rename(repair.fresh.directory, to: log.directory)
            try fs.syncDirectory(POSIXFileSystem.parent(of: log.directory))
            let reopened = makeLog(log.origin)
            try reopened.recover()
            recoveryNotes += reopened.recoveryNotes
            logs[log.origin] = reopened
            damaged[log.origin] = nil
            if log.origin == site {
                nextSeq = reopened.lastSeq + 1
                idCache = nil
            }
            return aside
        }
    }
}

/// A repair in progress: a new copy of one origin's log, written beside the
/// damaged one from its intact part and then from blocks fetched from peers,
/// each checked (CRC, chain, recomputed hash, the origin's signature) before
/// it is written. ``finish(acceptingLoss:)`` swaps it in only when it reaches
/// the acknowledged seq with the acknowledged chain hash.
public final class Repair: @unchecked Sendable {
    // Used by one caller at a time.
    let store: LogStore
    let damagedLog: OriginLog
    let fresh: OriginLog
    /// What this repair must restore.
    public let need: LogStore.RepairNeed
    private var added: UInt64 = 0

    init(store: LogStore, damagedLog: OriginLog, fresh: OriginLog, need: LogStore.RepairNeed) {
        self.store = store
        self.damagedLog = damagedLog
        self.fresh = fresh
        self.need = need
    }

    /// The seq the repaired log reaches so far.
    public var lastSeq: UInt64 { fresh.lastSeq }

    /// True once the repaired log holds every acknowledged event.
    public var isComplete: Bool { fresh.lastSeq >= need.acknowledgedSeq }

    func write(_ blocks: [Block]) throws {
        for b in blocks {
            try fresh.link(b.header)
            try fresh.authenticate(b)
            let outcome = try fresh.write([b], sync: false)
            fresh.publish(outcome)
        }
    }

    /// Adds blocks fetched from a peer. Blocks at or before the seq reached
    /// so far are skipped; the others must continue the chain and verify.
    /// Returns how many were written.
    @discardableResult
    public func add(_ blocks: [Block]) throws -> Int {
        var n = 0
        for b in blocks where b.header.firstSeq > fresh.lastSeq {
            guard b.header.origin == need.origin else { continue }
            do {
                let events = try b.events()
                guard events.count == Int(b.header.count) else { throw LogError(.corrupt, "wrong event count") }
            } catch {
                throw LogError(.corrupt, "block of '\(need.origin)' at seq \(b.header.firstSeq) does not decode; not used for the repair")
            }
            try write([b])
            added += UInt64(b.header.count)
            n += 1
        }
        return n
    }

    /// Syncs the new log and swaps it in for the damaged one. Without
    /// `acceptingLoss` it must reach the acknowledged seq, and the block
    /// ending there must carry the acknowledged chain hash.
    public func finish(acceptingLoss: Bool = false) throws -> LogStore.RepairReport {
        if !acceptingLoss {
            guard fresh.lastSeq >= need.acknowledgedSeq else {
                throw LogError(.corrupt, "the repair of '\(need.origin)' reached seq \(fresh.lastSeq), but seq \(need.acknowledgedSeq) was acknowledged; no peer holds the rest — nothing was changed")
            }
            if let expected = need.acknowledgedHash, need.acknowledgedSeq > 0 {
                guard let i = OriginLog.blockIndex(holding: need.acknowledgedSeq, in: fresh.blocks),
                      fresh.blocks[i].lastSeq == need.acknowledgedSeq,
                      try fresh.readBlock(fresh.blocks[i], segments: fresh.segments).header.chainHash == expected else {
                    throw LogError(.divergence, "the peers' copy of '\(need.origin)' is another history than the one this node acknowledged (the chain hash at seq \(need.acknowledgedSeq) differs); nothing was changed")
                }
            }
        }
        for s in fresh.segments { try s.file.sync() }
        if fresh.segments.isEmpty {
            // Nothing at all to keep: the new log is just an empty record.
            try store.fs.createDirectory(fresh.directory)
            _ = try AckRecord.create(directory: fresh.directory, origin: need.origin, fs: store.fs)
        } else if let file = fresh.ackFile, let ack = fresh.ack {
            try AckRecord.write(ack, to: file, sync: true)
        }
        try store.fs.syncDirectory(fresh.directory)
        let aside = try store.swapIn(self)
        return LogStore.RepairReport(origin: need.origin, keptThrough: need.intactThrough,
                                     replacedEvents: acceptingLoss ? need.acknowledgedSeq &- min(need.acknowledgedSeq, fresh.lastSeq) : added,
                                     lastSeq: fresh.lastSeq, setAside: aside)
    }
}
