import JourneyModel

/// One stored block: its parsed header and its bytes exactly as on disk
/// (header, compressed payload, CRC). The same bytes are what sync ships.
public struct Block: Sendable {
    /// The block's fixed header: seqs, times, sizes, chain hash, signature.
    public var header: BlockHeader
    /// The whole stored block.
    public var bytes: [UInt8]

    /// Builds the stored form of a run of events of one origin: encodes the
    /// columns, deflates them, links the chain, signs, and appends the CRC.
    static func seal(
        _ events: ArraySlice<Event>, origin: String, firstSeq: UInt64, previousHash: [UInt8],
        key: SiteKey?, level: Int32
    ) throws -> Block {
        let compressed = try compress(events, level: level)
        return try seal(compressed: compressed, origin: origin, firstSeq: firstSeq, previousHash: previousHash, key: key)
    }

    /// A block's payload already encoded and deflated, waiting for its place in the chain.
    struct Compressed: Sendable {
        var count: Int
        var minAt: Int64
        var maxAt: Int64
        var rawBytes: Int
        var payload: [UInt8]
    }

    /// The expensive half of sealing, which needs no seq or chain position, so
    /// concurrent appenders can do it outside the log's lock.
    ///
    /// Every bound a reader of the block enforces is checked here, where the
    /// events can still be split, never after the block is written: events,
    /// strings in the payload's table, uncompressed and compressed bytes.
    /// Each event is within ``Event/encodedBytesMax``, so a block of one event
    /// always fits; a larger run that does not throws `.invalidEvent` and the
    /// store splits it.
    static func compress(_ events: ArraySlice<Event>, level: Int32 = 6) throws -> Compressed {
        let (raw, minAt, maxAt) = try encoded(events)
        var payload: [UInt8] = []
        try raw.withUnsafeBytes { r in try Deflate.compress(r, level: level, into: &payload) }
        guard payload.count <= BlockHeader.compressedBytesMax else {
            throw LogError(.invalidEvent, "a block would exceed \(BlockHeader.compressedBytesMax) compressed bytes; append in smaller batches")
        }
        return Compressed(count: events.count, minAt: minAt, maxAt: maxAt, rawBytes: raw.count, payload: payload)
    }

    /// The uncompressed payload of a run of events and its time range,
    /// checked against every bound a reader enforces before inflating:
    /// events, strings, uncompressed bytes. Throws `.invalidEvent` for a run
    /// outside them (the caller splits it: ``splitRuns(_:eventsPerRun:_:)``).
    static func encoded(_ events: ArraySlice<Event>) throws -> (raw: [UInt8], minAt: Int64, maxAt: Int64) {
        guard !events.isEmpty, events.count <= BlockHeader.eventsMax else {
            throw LogError(.invalidEvent, "a block holds 1 to \(BlockHeader.eventsMax) events, not \(events.count)")
        }
        var minAt = Int64.max
        var maxAt = Int64.min
        for e in events {
            minAt = min(minAt, e.at.ms)
            maxAt = max(maxAt, e.at.ms)
        }
        let raw = try BlockPayload.encode(events, minAt: minAt)
        guard raw.count <= BlockHeader.rawBytesMax else {
            throw LogError(.invalidEvent, "a block's payload would exceed \(BlockHeader.rawBytesMax) bytes; append in smaller batches")
        }
        return (raw, minAt, maxAt)
    }

    /// Compresses `events` into blocks of at most `eventsPerBlock`, halving a
    /// run that exceeds a block's bounds until it fits (one event always does).
    static func compressRuns(_ events: ArraySlice<Event>, eventsPerBlock: Int, level: Int32) throws -> [Compressed] {
        try splitRuns(events, eventsPerRun: eventsPerBlock) { try compress($0, level: level) }
    }

    /// Cuts `events` into runs of at most `eventsPerRun` (counted from the
    /// start) and maps each with `make`, halving a run for which `make` throws
    /// `.invalidEvent` (a bound of the block format) until it fits; a run of
    /// one event that does not fit rethrows. The runs are in input order.
    static func splitRuns<T>(_ events: ArraySlice<Event>, eventsPerRun: Int, _ make: (ArraySlice<Event>) throws -> T) throws -> [T] {
        var out: [T] = []
        func run(_ slice: ArraySlice<Event>) throws {
            do {
                out.append(try make(slice))
            } catch let e as LogError where e.code == .invalidEvent && slice.count > 1 {
                let mid = slice.startIndex + slice.count / 2
                try run(slice[slice.startIndex..<mid])
                try run(slice[mid...])
            }
        }
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(events.endIndex, start + max(1, eventsPerRun))
            try run(events[start..<end])
            start = end
        }
        return out
    }

    /// The cheap, ordered half of sealing: header, chain hash, signature, CRC.
    static func seal(
        compressed c: Compressed, origin: String, firstSeq: UInt64, previousHash: [UInt8], key: SiteKey?
    ) throws -> Block {
        guard c.payload.count <= BlockHeader.compressedBytesMax else {
            throw LogError(.invalidEvent, "a block would exceed \(BlockHeader.compressedBytesMax) compressed bytes; append in smaller batches")
        }
        var header = BlockHeader(
            flags: key == nil ? 0 : BlockHeader.flagSigned, firstSeq: firstSeq, count: UInt32(c.count),
            rawBytes: UInt32(c.rawBytes), compressedBytes: UInt32(c.payload.count), minAt: c.minAt, maxAt: c.maxAt,
            previousHash: previousHash, chainHash: [UInt8](repeating: 0, count: 32),
            signature: [UInt8](repeating: 0, count: 64), origin: origin)
        header.chainHash = chainHash(headerBytes: header.encode(), payload: c.payload)
        if let key { header.signature = try key.sign(header.chainHash) }
        var bytes = header.encode()
        bytes.reserveCapacity(header.totalBytes)
        bytes.append(contentsOf: c.payload)
        let crc = Checksum.crc32c(bytes)
        withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
        return Block(header: header, bytes: bytes)
    }

    /// SHA-256 over the header up to the chain hash (so it covers the previous
    /// hash), the origin, and the compressed payload.
    static func chainHash(headerBytes: [UInt8], payload: [UInt8]) -> [UInt8] {
        headerBytes.withUnsafeBytes { h in
            payload.withUnsafeBytes { p in
                Checksum.sha256([
                    UnsafeRawBufferPointer(rebasing: h[0..<BlockHeader.chainHashOffset]),
                    UnsafeRawBufferPointer(rebasing: h[(BlockHeader.fixedBytes - 1)...]),
                    p,
                ])
            }
        }
    }

    /// Parses a stored block and checks its lengths and CRC (not the chain hash,
    /// which ``verifyHash()`` recomputes). `bytes` must hold exactly one block.
    public init(parsing bytes: [UInt8]) throws {
        let header = try bytes.withUnsafeBytes { b in try BlockHeader.parse(b) }
        guard bytes.count == header.totalBytes else {
            throw LogError(.corrupt, "block is \(bytes.count) bytes but its header says \(header.totalBytes)")
        }
        try Block.checkCRC(bytes)
        self.header = header
        self.bytes = bytes
    }

    init(header: BlockHeader, bytes: [UInt8]) {
        self.header = header
        self.bytes = bytes
    }

    /// Throws `.corrupt` when the trailing CRC-32C does not match.
    static func checkCRC(_ bytes: [UInt8]) throws {
        let ok = bytes.withUnsafeBytes { b -> Bool in
            guard b.count >= 4 else { return false }
            let stored = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: b.count - 4, as: UInt32.self))
            return Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[0..<(b.count - 4)])) == stored
        }
        guard ok else { throw LogError(.corrupt, "block checksum (CRC-32C) does not match its bytes") }
    }

    /// The compressed payload bytes.
    var payload: ArraySlice<UInt8> {
        bytes[header.headerBytes..<(header.headerBytes + Int(header.compressedBytes))]
    }

    /// Recomputes the chain hash; true when it equals the stored one.
    public func verifyHash() -> Bool {
        let computed = bytes.withUnsafeBytes { b in
            Checksum.sha256([
                UnsafeRawBufferPointer(rebasing: b[0..<BlockHeader.chainHashOffset]),
                UnsafeRawBufferPointer(rebasing: b[(BlockHeader.fixedBytes - 1)..<header.headerBytes]),
                UnsafeRawBufferPointer(rebasing: b[header.headerBytes..<(header.headerBytes + Int(header.compressedBytes))]),
            ])
        }
        return computed == header.chainHash
    }

    /// Reads the block starting at `offset` of `file` (whose size is
    /// `fileSize`): header, bounds, then the whole block with its CRC checked.
    static func read(from file: any StoredFile, at offset: UInt64, fileSize: UInt64) throws -> Block {
        let headBytes = try file.read(at: offset, count: Int(min(UInt64(BlockHeader.fixedBytes + 32), fileSize - offset)))
        let header = try headBytes.withUnsafeBytes { b in try BlockHeader.parse(b) }
        guard offset + UInt64(header.totalBytes) <= fileSize else {
            throw LogError(.corrupt, "block runs past the end of the file (\(header.totalBytes) bytes declared)")
        }
        return try Block(parsing: try file.read(at: offset, count: header.totalBytes))
    }

    /// The uncompressed payload (the benchmarks time this alone as the floor of a scan).
    public func inflated() throws -> [UInt8] {
        try bytes.withUnsafeBytes { b in
            try Deflate.decompress(
                UnsafeRawBufferPointer(rebasing: b[header.headerBytes..<(header.headerBytes + Int(header.compressedBytes))]),
                rawCount: Int(header.rawBytes))
        }
    }

    /// Inflates and decodes the block's events.
    public func events() throws -> [Event] {
        let raw = try inflated()
        return try raw.withUnsafeBytes { r in
            try BlockPayload.decode(r, origin: header.origin, firstSeq: header.firstSeq, count: Int(header.count), minAt: header.minAt)
        }
    }
}

extension Block {
    /// Decodes an inflated payload of `count` events — what ``events()`` does
    /// after inflating — from bytes given directly: the entry the payload
    /// decoder's fuzz target drives, since deflate and the CRC would keep
    /// random bytes from ever reaching it. Any bytes give events or a thrown
    /// ``LogError``, never a trap.
    public static func decodePayload(_ raw: [UInt8], origin: String, firstSeq: UInt64, count: Int, minAt: Int64) throws -> [Event] {
        try raw.withUnsafeBytes { try BlockPayload.decode($0, origin: origin, firstSeq: firstSeq, count: count, minAt: minAt) }
    }

    /// What a store reads back after writing `events` of `origin` as the
    /// start of its log: compressed into blocks of the default size (split
    /// where a reader's bounds require), sealed unsigned, parsed from their
    /// bytes and decoded. The fuzz targets check with it that every event a
    /// line or an importer gives survives the log's format.
    public static func throughBlocks(_ events: [Event], origin: String) throws -> [Event] {
        var previous = [UInt8](repeating: 0, count: 32)
        var seq: UInt64 = 1
        var out: [Event] = []
        for c in try compressRuns(events[...], eventsPerBlock: LogOptions().eventsPerBlock, level: 1) {
            let sealed = try seal(compressed: c, origin: origin, firstSeq: seq, previousHash: previous, key: nil)
            previous = sealed.header.chainHash
            seq += UInt64(c.count)
            out += try Block(parsing: sealed.bytes).events()
        }
        return out
    }

    /// Calls `body` with each event's seq and the hash of its id (``Checksum/fnv1a64(_:)``),
    /// decoding nothing else and making no `String`.
    func forEachIDHash(_ body: (UInt64, UInt64) -> Void) throws {
        let raw = try inflated()
        let first = header.firstSeq
        try raw.withUnsafeBytes { r in
            try BlockPayload.decodeIDBytes(r, count: Int(header.count)) { i, id in body(first + UInt64(i), Checksum.fnv1a64(bytes: id)) }
        }
    }

    /// Calls `body` with each event's seq and id, decoding nothing else.
    func forEachID(_ body: (UInt64, String) -> Void) throws {
        let raw = try inflated()
        let first = header.firstSeq
        try raw.withUnsafeBytes { r in
            try BlockPayload.decodeIDs(r, count: Int(header.count)) { i, id in body(first + UInt64(i), id) }
        }
    }
}
