import JourneyModel

extension OriginLog {
    /// Opens the origin's segments and rebuilds the in-memory state, checking
    /// every block's lengths, CRC, chain link, recomputed chain hash and (when
    /// the origin's key is pinned) signature.
    ///
    /// What may be cut is decided by the acknowledgement record (``AckRecord``):
    /// - damage *after* the last acknowledged event is the tail of a write
    ///   that never returned (a torn write): the bytes from the damage on are
    ///   kept beside the segment as `<name>.torn-<offset>`, the segment is cut
    ///   there, later segment files are set aside the same way, and the cut is
    ///   reported in ``recoveryNotes``;
    /// - damage at or before it, a log that ends before it (a missing or cut
    ///   segment), or a block there whose hash differs from the record, is
    ///   corruption: this throws with the file and byte offset and nothing is
    ///   changed on disk.
    ///
    /// A store written before records existed (``legacy``) has none; there
    /// only an incomplete last block of the last segment is taken for a torn
    /// write.
    func recover() throws {
        let read = try AckRecord.read(directory: directory, origin: origin, fs: fs)
        ack = read?.record
        let names = try segmentNames()
        if ack == nil && !legacy && !names.isEmpty {
            throw LogError(.corrupt, "the acknowledgement record of '\(origin)' is missing, so what was acknowledged is unknown; restore it from a backup, or run `journey repair` to restore '\(origin)' from a peer",
                           file: fs.join(directory, AckRecord.fileName), offset: 0)
        }
        if let read, !options.readOnly {
            let file = try fs.open(fs.join(directory, AckRecord.fileName), create: false)
            ackFile = file
            if !read.intactCopies {
                // One copy of the newest record was damaged: write it whole again before anything else.
                try AckRecord.write(read.record, to: file, sync: true)
                recoveryNotes.append("rewrote a damaged copy of the acknowledgement record of '\(origin)' (seq \(read.record.lastSeq))")
            }
        }
        scan: for (n, name) in names.enumerated() {
            let isLast = n == names.count - 1
            switch try addSegment(name, isLast: isLast) {
            case .continue: continue
            case .stop: return
            case .cut:
                try setAside(Array(names[(n + 1)...]))
                break scan
            }
        }
        try checkAcknowledged(lastFile: names.last.map { fs.join(directory, $0) })
        try acknowledgeRecovered()
    }

    /// Blocks that were written whole before a crash but never acknowledged
    /// (the record was not yet updated) are kept; a retry of their append
    /// then finds their ids and is acknowledged without writing. So they are
    /// made durable and recorded as acknowledged now: after a writer's open,
    /// everything the log holds is acknowledged.
    private func acknowledgeRecovered() throws {
        guard !options.readOnly, let file = ackFile, let old = ack, lastSeq > old.lastSeq, let seg = segments.last else { return }
        for s in segments where s.firstSeq >= old.segmentFirstSeq { try s.file.sync() }
        let record = AckRecord(counter: old.counter + 1, lastSeq: lastSeq, chainHash: headHash,
                               segmentFirstSeq: seg.firstSeq, endOffset: seg.size, origin: origin)
        try AckRecord.write(record, to: file, sync: true)
        ack = record
        recoveryNotes.append("kept seq \(old.lastSeq + 1)–\(lastSeq) of '\(origin)', written whole before a crash, and recorded them as acknowledged")
    }

    /// Segment file names in log order.
    func segmentNames() throws -> [String] {
        try fs.listDirectory(directory).filter { $0.hasSuffix(".seg") }.sorted()
    }

    /// After a full scan: the log must reach the acknowledged seq, with the recorded hash there.
    private func checkAcknowledged(lastFile: String?) throws {
        guard let ack, ack.lastSeq > 0 else { return }
        let recordPath = fs.join(directory, AckRecord.fileName)
        guard lastSeq >= ack.lastSeq else {
            let expected = fs.join(directory, SegmentHeader.fileName(firstSeq: ack.segmentFirstSeq))
            let present = segments.contains { $0.firstSeq == ack.segmentFirstSeq }
            throw LogError(.corrupt, "the log of '\(origin)' ends at seq \(lastSeq), but seq \(ack.lastSeq) was acknowledged: \(present ? "segment \(expected) was cut short (it should reach byte \(ack.endOffset))" : "segment \(expected) is missing"); nothing was changed — run `journey repair` to restore it from a peer",
                           file: present ? expected : (lastFile ?? recordPath), offset: present ? ack.endOffset : nil)
        }
        guard let i = OriginLog.blockIndex(holding: ack.lastSeq, in: blocks), blocks[i].lastSeq == ack.lastSeq else {
            throw LogError(.corrupt, "no block of '\(origin)' ends at the acknowledged seq \(ack.lastSeq); the log was rewritten", file: recordPath, offset: ack.slotOffset)
        }
        let h = try readBlock(blocks[i], segments: segments).header
        guard h.chainHash == ack.chainHash else {
            throw LogError(.corrupt, "the block ending at the acknowledged seq \(ack.lastSeq) of '\(origin)' has another chain hash than was acknowledged (\(Checksum.hex(h.chainHash.prefix(8)))…, recorded \(Checksum.hex(ack.chainHash.prefix(8)))…); the log was replaced",
                           file: segments[blocks[i].segment].path, offset: blocks[i].offset)
        }
    }

    /// Reads what another process appended since this log was opened or last
    /// refreshed: more blocks in the last segment, and new segments. Used by
    /// read-only stores; an incomplete tail is left for the next refresh.
    func refresh() throws {
        if let a = try? AckRecord.read(directory: directory, origin: origin, fs: fs) { ack = a.record }
        if let s = segments.indices.last {
            let size = try segments[s].file.size()
            if size > segments[s].size { _ = try scanBlocks(segment: s, fileSize: size, isLast: true) }
        }
        let known = Set(segments.map { $0.path })
        let names = try segmentNames().filter { !known.contains(fs.join(directory, $0)) }
        for (n, name) in names.enumerated() {
            guard try addSegment(name, isLast: n == names.count - 1) == .continue else { return }
        }
    }

    /// What scanning a segment left to do.
    enum ScanOutcome { case `continue`, stop, cut }

    /// Opens one segment file and scans its blocks.
    private func addSegment(_ name: String, isLast: Bool) throws -> ScanOutcome {
        let path = fs.join(directory, name)
        let file = options.readOnly ? try fs.openForReading(path) : try fs.open(path, create: false)
        let size = try file.size()
        let headBytes = try file.read(at: 0, count: Int(min(size, 64)))
        let parsed: SegmentHeader?
        do { parsed = try SegmentHeader.parse(headBytes) } catch {
            var e = LogError.from(error)
            e.file = path
            e.offset = 0
            guard isLast && size <= 64 && mayCut(error: e) else { throw e }
            parsed = nil
        }
        guard let header = parsed else {
            // A segment whose creation was torn holds no acknowledged event: remove it.
            guard isLast, mayCut(error: LogError(.corrupt, "")) else {
                throw LogError(.corrupt, "segment header is cut short", file: path, offset: 0)
            }
            if options.readOnly { return .stop }
            file.close()
            try fs.remove(path)
            try fs.syncDirectory(directory)
            recoveryNotes.append("removed \(path): its creation was cut short by a crash (\(size) bytes, no events)")
            return .continue
        }
        guard header.origin == origin else {
            throw LogError(.corrupt, "segment belongs to origin '\(header.origin)', not '\(origin)'", file: path, offset: 0)
        }
        guard header.firstSeq == lastSeq + 1 else {
            let missing = fs.join(directory, SegmentHeader.fileName(firstSeq: lastSeq + 1))
            throw LogError(.corrupt, "segment starts at seq \(header.firstSeq) but the log so far ends at \(lastSeq): segment \(missing) is missing; run `journey repair` to restore it from a peer",
                           file: path, offset: 0)
        }
        segments.append(Segment(firstSeq: header.firstSeq, path: path, file: file, size: UInt64(header.byteCount)))
        return try scanBlocks(segment: segments.count - 1, fileSize: size, isLast: isLast)
    }

    /// True when damage found now (the log so far ends at ``lastSeq``) lies
    /// after every acknowledged event, so the bytes from it on may be cut.
    func mayCut(error: LogError) -> Bool {
        guard error.code == .corrupt else { return false }
        if let ack { return lastSeq >= ack.lastSeq }
        return legacy
    }

    func scanBlocks(segment s: Int, fileSize: UInt64, isLast: Bool) throws -> ScanOutcome {
        let file = segments[s].file
        let path = segments[s].path
        var offset = segments[s].size
        while offset < fileSize {
            do {
                let block = try Block.read(from: file, at: offset, fileSize: fileSize)
                try link(block.header)
                try authenticate(block)
                record(block.header, segment: s, offset: offset)
                offset += UInt64(block.header.totalBytes)
                segments[s].size = offset
            } catch {
                var e = LogError.from(error)
                e.file = path
                e.offset = offset
                let unacknowledged = mayCut(error: e)
                // Read-only: a tail past the acknowledged position may be a block the writer is writing right now.
                if options.readOnly && isLast && unacknowledged { return .stop }
                guard unacknowledged, ack != nil || (isLast && legacyTornTail(file: file, at: offset, fileSize: fileSize)) else {
                    if e.code == .corrupt {
                        let acked = ack.map { "seq \($0.lastSeq) was acknowledged" } ?? "this store has no acknowledgement record"
                        e.message += "; the log of '\(origin)' is intact up to seq \(lastSeq) and \(acked), so this is damage, not a torn write — nothing was changed; run `journey repair` to restore it from a peer"
                    }
                    throw e
                }
                if options.readOnly { return .stop }
                try cutTail(segment: s, at: offset, fileSize: fileSize, reason: e.message)
                return .cut
            }
        }
        return .continue
    }

    /// In a store without an acknowledgement record (format v1), only an
    /// incomplete last block is a torn write: a block whose bytes run to or
    /// past the end of the file, or fewer bytes than a block header.
    private func legacyTornTail(file: any StoredFile, at offset: UInt64, fileSize: UInt64) -> Bool {
        let remaining = fileSize - offset
        guard remaining >= UInt64(BlockHeader.fixedBytes) else { return true }
        guard let head = try? file.read(at: offset, count: Int(min(remaining, UInt64(BlockHeader.fixedBytes + 32)))),
              let h = try? head.withUnsafeBytes({ try BlockHeader.parse($0) }) else { return false }
        return offset + UInt64(h.totalBytes) >= fileSize
    }

    /// Checks that a block continues the chain of this origin.
    func link(_ h: BlockHeader) throws {
        guard h.origin == origin else { throw LogError(.corrupt, "block of origin '\(h.origin)' in the log of '\(origin)'") }
        guard h.firstSeq == lastSeq + 1 else {
            throw LogError(.corrupt, "block starts at seq \(h.firstSeq) but the log ends at \(lastSeq)")
        }
        guard h.previousHash == headHash else {
            throw LogError(.corrupt, "block does not continue the hash chain (previous \(Checksum.hex(h.previousHash.prefix(8)))…, head \(Checksum.hex(headHash.prefix(8)))…)")
        }
    }

    /// Recomputes the block's chain hash and checks its signature against the pinned key.
    func authenticate(_ block: Block) throws {
        guard block.verifyHash() else {
            throw LogError(.corrupt, "block's chain hash does not match its bytes (altered?)")
        }
        if let publicKey {
            let h = block.header
            guard h.isSigned, SiteKey.verify(signature: h.signature, of: h.chainHash, publicKey: publicKey) else {
                throw LogError(.badSignature, "block at seq \(h.firstSeq) is not signed by the pinned key of '\(origin)'; it was altered or forged")
            }
        }
    }

    /// Cuts segment `s` at `offset`, keeping the cut bytes in `<segment>.torn-<offset>`.
    private func cutTail(segment s: Int, at offset: UInt64, fileSize: UInt64, reason: String) throws {
        let file = segments[s].file
        let path = segments[s].path
        let tornPath = "\(path).torn-\(offset)"
        let torn = try file.read(at: offset, count: Int(fileSize - offset))
        try fs.writeFileAtomically(tornPath, torn, mode: 0o644)
        try file.truncate(to: offset)
        segments[s].size = offset
        recoveryNotes.append(
            "truncated an unacknowledged torn tail of \(fileSize - offset) bytes at byte \(offset) of \(path) (\(reason)); the bytes are kept in \(tornPath)")
    }

    /// Sets later segment files aside after a cut (they hold only unacknowledged events).
    private func setAside(_ names: [String]) throws {
        for name in names {
            let path = fs.join(directory, name)
            let bytes = try fs.readFile(path)
            try fs.writeFileAtomically("\(path).torn-0", bytes, mode: 0o644)
            try fs.remove(path)
            try fs.syncDirectory(directory)
            recoveryNotes.append("set aside \(path) (\(bytes.count) bytes, after the cut, unacknowledged) as \(path).torn-0")
        }
    }
}
