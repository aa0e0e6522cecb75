import JourneyModel

extension OriginLog {
    /// Opens the origin's segments and rebuilds the in-memory state, checking
    /// every block's lengths, CRC and chain link.
    ///
    /// A damaged region at the end of the active (last) segment that is no
    /// larger than ``LogOptions/tornTailBytesMax`` is a torn write from a crash:
    /// it is cut off, its bytes kept beside the segment as `<name>.torn-<offset>`,
    /// and the cut reported in ``recoveryNotes``. Damage anywhere else is
    /// corruption: the open fails with the file and byte offset, and nothing is
    /// truncated.
    func recover() throws {
        let names = try fs.listDirectory(directory).filter { $0.hasSuffix(".seg") }.sorted()
        for (n, name) in names.enumerated() {
            guard try addSegment(name, isActive: n == names.count - 1) else { return }
        }
    }

    /// Reads what another process appended since this log was opened or last
    /// refreshed: more blocks in the last segment, and new segments. Used by
    /// read-only stores; an incomplete tail is left for the next refresh.
    func refresh() throws {
        if let s = segments.indices.last {
            let size = try segments[s].file.size()
            if size > segments[s].size { try scanBlocks(segment: s, fileSize: size, isActive: true) }
        }
        let known = Set(segments.map { $0.path })
        let names = try fs.listDirectory(directory).filter { $0.hasSuffix(".seg") }.sorted()
            .filter { !known.contains(fs.join(directory, $0)) }
        for (n, name) in names.enumerated() {
            guard try addSegment(name, isActive: n == names.count - 1) else { return }
        }
    }

    /// Opens one segment file and scans its blocks; false when reading must
    /// stop here (a segment still being created, seen read-only).
    private func addSegment(_ name: String, isActive: Bool) throws -> Bool {
        let path = fs.join(directory, name)
        let file = try fs.open(path, create: false)
        let size = try file.size()
        let headBytes = try file.read(at: 0, count: Int(min(size, 64)))
        let parsed: SegmentHeader?
        do { parsed = try SegmentHeader.parse(headBytes) } catch {
            var e = LogError.from(error)
            e.file = path
            e.offset = 0
            if isActive && size <= 64 { parsed = nil } else { throw e }
        }
        guard let header = parsed else {
            // A segment whose creation was torn holds no acknowledged event: remove it.
            guard isActive else { throw LogError(.corrupt, "segment header is cut short", file: path, offset: 0) }
            if options.readOnly { return false }
            file.close()
            try fs.remove(path)
            try fs.syncDirectory(directory)
            recoveryNotes.append("removed \(path): its creation was cut short by a crash (\(size) bytes, no events)")
            return true
        }
        guard header.origin == origin else {
            throw LogError(.corrupt, "segment belongs to origin '\(header.origin)', not '\(origin)'", file: path, offset: 0)
        }
        guard header.firstSeq == lastSeq + 1 else {
            throw LogError(.corrupt, "segment starts at seq \(header.firstSeq) but the log so far ends at \(lastSeq); a segment is missing",
                           file: path, offset: 0)
        }
        segments.append(Segment(firstSeq: header.firstSeq, path: path, file: file, size: UInt64(header.byteCount)))
        try scanBlocks(segment: segments.count - 1, fileSize: size, isActive: isActive)
        return true
    }

    func scanBlocks(segment s: Int, fileSize: UInt64, isActive: Bool) throws {
        let file = segments[s].file
        let path = segments[s].path
        var offset = segments[s].size
        while offset < fileSize {
            do {
                let block = try Block.read(from: file, at: offset, fileSize: fileSize)
                try link(block.header)
                record(block.header, segment: s, offset: offset)
                offset += UInt64(block.header.totalBytes)
                segments[s].size = offset
            } catch {
                let error = LogError.from(error)
                let tail = fileSize - offset
                // Read-only: an incomplete or damaged tail may be a block another process is writing right now.
                if options.readOnly && isActive && tail <= options.tornTailBytesMax && error.code == .corrupt { return }
                guard isActive, tail <= options.tornTailBytesMax, error.code == .corrupt else {
                    var e = error
                    e.file = path
                    e.offset = offset
                    if isActive && error.code == .corrupt {
                        e.message += "; the damage is \(tail) bytes from the end, too far in for a torn write — run `journey verify` and repair from a peer"
                    }
                    throw e
                }
                try cutTornTail(segment: s, at: offset, fileSize: fileSize, reason: error.message)
                return
            }
        }
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

    private func cutTornTail(segment s: Int, at offset: UInt64, fileSize: UInt64, reason: String) throws {
        let file = segments[s].file
        let path = segments[s].path
        let tornPath = "\(path).torn-\(offset)"
        let torn = try file.read(at: offset, count: Int(fileSize - offset))
        try fs.writeFileAtomically(tornPath, torn, mode: 0o644)
        try file.truncate(to: offset)
        segments[s].size = offset
        recoveryNotes.append(
            "truncated a torn tail of \(fileSize - offset) bytes at byte \(offset) of \(path) (\(reason)); the bytes are kept in \(tornPath)")
    }
}
