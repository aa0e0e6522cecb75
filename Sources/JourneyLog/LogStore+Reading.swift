import JourneyModel
import Synchronization

extension LogStore {
    /// A consistent view of one origin's log at one moment: later appends do
    /// not show up in it, and reading it needs no lock.
    public struct Snapshot: Sendable {
        /// The origin the snapshot is of.
        public let origin: String
        /// Its blocks, in seq order.
        public let blocks: [BlockLocation]
        /// Its last seq when the snapshot was taken.
        public let lastSeq: UInt64
        /// The chain hash at ``lastSeq``.
        public let headHash: [UInt8]
        let segments: [OriginLog.Segment]
        let log: OriginLog

        /// Reads the stored block at `index` of ``blocks``, CRC-checked.
        public func block(at index: Int) throws -> Block {
            try log.readBlock(blocks[index], segments: segments)
        }

        /// The chain hash of the block ending at `seq` (zeros for 0); nil when no block ends there.
        public func chainHash(endingAt seq: UInt64) throws -> [UInt8]? {
            if seq == 0 { return [UInt8](repeating: 0, count: 32) }
            guard let i = OriginLog.blockIndex(holding: seq, in: blocks), blocks[i].lastSeq == seq else { return nil }
            if seq == lastSeq { return headHash }
            return try block(at: i).header.chainHash
        }

        /// Index of the first block holding an event after `seq`.
        public func firstBlock(after seq: UInt64) -> Int {
            if seq == 0 { return 0 }
            return OriginLog.blockIndex(holding: seq + 1, in: blocks) ?? blocks.count
        }
    }

    /// Origins this node holds (its own and replicas), sorted.
    public var origins: [String] {
        refreshIfReadOnly()
        return monitor.withLock { logs.filter { $0.value.lastSeq > 0 || $0.key == site || damaged[$0.key] != nil }.keys.sorted() }
    }

    /// A snapshot of `origin`'s log; nil when the node holds nothing of it.
    public func snapshot(origin: String) -> Snapshot? {
        refreshIfReadOnly()
        return monitor.withLock {
            guard let log = logs[origin] else { return nil }
            return Snapshot(origin: origin, blocks: log.blocks, lastSeq: log.lastSeq, headHash: log.headHash,
                            segments: log.segments, log: log)
        }
    }

    /// Calls `body` with each event of `origin` in seq order, after `afterSeq`
    /// and with `at` in `[since, until)` when given; blocks whose min/max `at`
    /// fall outside the range are skipped unread. `body` returns false to stop.
    public func forEachEvent(
        origin: String, afterSeq: UInt64 = 0, since: Timestamp? = nil, until: Timestamp? = nil,
        _ body: (Event) throws -> Bool
    ) throws {
        try checkNotDamaged(origin)
        guard let snap = snapshot(origin: origin) else { return }
        // The blocks to read, in order (those wholly outside the time range are skipped).
        let wanted = snap.blocks.indices.dropFirst(snap.firstBlock(after: afterSeq)).filter { i in
            let loc = snap.blocks[i]
            if let since, loc.maxAt < since.ms { return false }
            if let until, loc.minAt >= until.ms { return false }
            return true
        }
        // Read ahead: the next blocks are read, inflated and decoded on the second core while `body`
        // takes the current ones' events; when `body` is done first (a scan that only counts), its
        // thread decodes the rest of the next blocks too, so both cores decode.
        var current: [Result<[Event], Error>] = wanted.first.map { i in [Result { try snap.block(at: i).events() }] } ?? []
        var k = current.count
        while !current.isEmpty {
            let ahead = ReadAhead(snapshot: snap, blocks: Array(wanted[k..<min(k + Self.readAheadBlocks, wanted.count)]))
            let (delivered, _) = try BothAtOnce.results({ () throws -> Bool in
                for j in current.indices {
                    // In order: a block's error is thrown after the events of every block before it.
                    var taken = Result<[Event], Error>.success([])
                    swap(&taken, &current[j])
                    var events = try taken.get()
                    taken = .success([])
                    // Each event is swapped out of the block's array (which is then the only owner of its
                    // storage) into `lent` and lent to `body` from there: lending it from the array, or
                    // iterating it, copied it (a retain and a release of every field, a fifth of a scan).
                    let done = try events.withUnsafeMutableBufferPointer { events in
                        var lent = Self.placeholderEvent
                        for i in events.indices where events[i].seq > afterSeq {
                            if let since, events[i].at < since { continue }
                            if let until, events[i].at >= until { continue }
                            swap(&lent, &events[i])
                            if try !body(lent) { return true }
                        }
                        return false
                    }
                    if done { return true }
                }
                ahead.decode()
                return false
            }, { ahead.decode() })
            if try delivered.get() { return }
            current = ahead.results()
            k += current.count
        }
    }

    /// Blocks decoded ahead of the ones being delivered (see ``forEachEvent``).
    static let readAheadBlocks = 2

    /// An event that only holds a place while a scan swaps events out of their block.
    static let placeholderEvent = Event(site: "", id: "", at: Timestamp(ms: 0), kind: EventKind(""))

    /// Calls `body` with the events of every origin merged in one
    /// deterministic order: repeatedly the smallest `(at, origin, seq)` among
    /// the origins' next events. Each origin's own order is kept, so on the
    /// same logs the merge is always the same sequence.
    public func forEachMergedEvent(
        since: Timestamp? = nil, until: Timestamp? = nil, _ body: (Event) throws -> Bool
    ) throws {
        var cursors: [MergeCursor] = []
        for origin in origins {
            try checkNotDamaged(origin)
            guard let snap = snapshot(origin: origin) else { continue }
            let c = MergeCursor(snapshot: snap, since: since, until: until)
            try c.advance()
            if c.current != nil { cursors.append(c) }
        }
        while !cursors.isEmpty {
            var best = 0
            for k in 1..<cursors.count {
                // Force-unwraps are safe: cursors without a current event are removed below.
                let a = cursors[k].current!, b = cursors[best].current!
                if (a.at.ms, a.site, a.seq) < (b.at.ms, b.site, b.seq) { best = k }
            }
            // Safe: every cursor kept in the list has a current event.
            if try !body(cursors[best].current!) { return }
            try cursors[best].advance()
            if cursors[best].current == nil { cursors.remove(at: best) }
        }
    }

    /// Per-origin figures for `journey stats`.
    public struct OriginStats: Sendable, Equatable {
        /// The origin.
        public var site: String
        /// Events held.
        public var events: UInt64
        /// Seq of the last event held.
        public var lastSeq: UInt64
        /// Bytes of the origin's segment files.
        public var storedBytes: UInt64
        /// Bytes of the block payloads before compression.
        public var rawBytes: UInt64
        /// Blocks held.
        public var blocks: Int
        /// Segment files.
        public var segments: Int
        /// Hex of the chain hash of the last block (empty when there is none).
        public var headHash: String
        /// Seq of the last acknowledged event (from the acknowledgement record; equal to ``lastSeq`` when sound).
        public var acknowledgedSeq: UInt64 = 0
        /// Why the origin was refused at open (nil when it is sound); the other figures then
        /// describe the intact part before the damage.
        public var damage: String?
    }

    /// Figures for every origin this node holds.
    public func stats() -> [OriginStats] {
        refreshIfReadOnly()
        return monitor.withLock {
            logs.keys.sorted().compactMap { origin -> OriginStats? in
                guard let log = logs[origin], log.lastSeq > 0 || origin == site || damaged[origin] != nil else { return nil }
                return OriginStats(site: origin, events: log.lastSeq, lastSeq: log.lastSeq, storedBytes: log.storedBytes,
                                   rawBytes: log.rawBytes, blocks: log.blocks.count, segments: log.segments.count,
                                   headHash: log.lastSeq == 0 ? "" : Checksum.hex(log.headHash),
                                   acknowledgedSeq: log.ack?.lastSeq ?? log.lastSeq, damage: damaged[origin]?.description)
            }
        }
    }
}

/// One origin's position in a merged read.
final class MergeCursor {
    let snapshot: LogStore.Snapshot
    let since: Timestamp?
    let until: Timestamp?
    var blockIndex = 0
    var pending: [Event] = []
    var pendingIndex = 0
    var current: Event?

    init(snapshot: LogStore.Snapshot, since: Timestamp?, until: Timestamp?) {
        self.snapshot = snapshot
        self.since = since
        self.until = until
    }

    func advance() throws {
        while true {
            while pendingIndex < pending.count {
                let e = pending[pendingIndex]
                pendingIndex += 1
                if let since, e.at < since { continue }
                if let until, e.at >= until { continue }
                current = e
                return
            }
            guard blockIndex < snapshot.blocks.count else { current = nil; return }
            let loc = snapshot.blocks[blockIndex]
            blockIndex += 1
            if let since, loc.maxAt < since.ms { continue }
            if let until, loc.minAt >= until.ms { continue }
            pending = try snapshot.block(at: blockIndex - 1).events()
            pendingIndex = 0
        }
    }
}

/// The next blocks of a scan, decoded by whichever threads call ``decode()``:
/// each block is taken by exactly one of them (an atomic counter), so the
/// work spreads over the threads that are free. ``results()`` is read only
/// after every ``decode()`` call has returned.
final class ReadAhead: @unchecked Sendable {
    private let snapshot: LogStore.Snapshot
    private let blocks: [Int]
    private let slots: UnsafeMutableBufferPointer<Result<[Event], Error>?>
    private let taken = Atomic<Int>(0)

    init(snapshot: LogStore.Snapshot, blocks: [Int]) {
        self.snapshot = snapshot
        self.blocks = blocks
        slots = .allocate(capacity: blocks.count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Decodes blocks not yet taken until none is left.
    func decode() {
        while true {
            let i = taken.add(1, ordering: .relaxed).oldValue
            guard i < blocks.count else { return }
            let block = blocks[i]
            slots[i] = Result { try snapshot.block(at: block).events() }
        }
    }

    /// Each block's events or error, in order.
    func results() -> [Result<[Event], Error>] {
        slots.map { $0 ?? .failure(LogError(.corrupt, "a block of the read-ahead was not decoded")) }
    }
}
