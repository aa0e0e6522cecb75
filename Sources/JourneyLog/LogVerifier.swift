import JourneyModel

/// Checks a data directory's logs from the files alone, without opening the
/// store, so it also reports the damage that stops a store from opening.
///
/// For every block: header fields, lengths, CRC-32C, seq continuity, the
/// chain link to the previous block, the recomputed SHA-256 chain hash, the
/// Ed25519 signature (when the origin's public key is known), and that the
/// payload inflates and decodes.
public struct LogVerifier {
    /// One problem found, with its place.
    public struct Problem: Sendable, CustomStringConvertible {
        /// The origin whose log has the problem.
        public var origin: String
        /// The file at fault.
        public var file: String
        /// The byte offset in ``file``.
        public var offset: UInt64
        /// What is wrong there.
        public var message: String
        public var description: String { "\(file) at byte \(offset): \(message)" }
    }

    /// What was checked and what was wrong.
    public struct Report: Sendable {
        /// Per origin, the blocks and events checked sound.
        public var origins: [String: (blocks: Int, events: UInt64)] = [:]
        /// The damage found, at most one per origin (what follows a break cannot be trusted).
        public var problems: [Problem] = []
        /// Origins whose signatures could not be checked: no key is pinned for them.
        public var unverified: [String] = []
        /// Findings that are not damage: torn tails after the acknowledged position.
        public var notes: [String] = []
        /// Whether no damage was found.
        public var isSound: Bool { problems.isEmpty }
    }

    let directory: String
    let fs: any FileSystem
    /// Pinned public keys by origin; blocks of these origins must carry a valid signature.
    let publicKeys: [String: [UInt8]]

    /// A verifier of the store in `directory`, checking signatures against `publicKeys`.
    public init(directory: String, fileSystem: any FileSystem = POSIXFileSystem(), publicKeys: [String: [UInt8]] = [:]) {
        self.directory = directory
        self.fs = fileSystem
        self.publicKeys = publicKeys
    }

    /// Verifies every origin's log; stops at the first problem of each origin
    /// (what follows a break in the chain cannot be trusted anyway).
    public func verify() throws -> Report {
        var report = Report()
        let logsDir = LogStore.logsDirectory(directory, fs: fs)
        for origin in try fs.listDirectory(logsDir) where SiteID.isValid(origin) {
            try verifyOrigin(origin, directory: fs.join(logsDir, origin), into: &report)
        }
        return report
    }

    /// How far the walk along one origin's chain has come.
    private struct ChainPosition {
        var blocks = 0
        var lastSeq: UInt64 = 0
        var head = [UInt8](repeating: 0, count: 32)
    }

    /// Walks one origin's segments in order, then compares where the chain
    /// ends with the acknowledged end.
    private func verifyOrigin(_ origin: String, directory dir: String, into report: inout Report) throws {
        var acknowledged: AckRecord?
        do {
            acknowledged = try AckRecord.read(directory: dir, origin: origin, fs: fs)?.record
        } catch {
            let e = LogError.from(error)
            report.problems.append(Problem(origin: origin, file: e.file ?? dir, offset: e.offset ?? 0, message: e.message))
        }
        if publicKeys[origin] == nil { report.unverified.append(origin) }
        var chain = ChainPosition()
        var lastPath = fs.join(dir, AckRecord.fileName)
        for name in try fs.listDirectory(dir).filter({ $0.hasSuffix(".seg") }).sorted() {
            lastPath = fs.join(dir, name)
            guard try verifySegment(lastPath, origin: origin, acknowledged: acknowledged, chain: &chain, into: &report) else { break }
        }
        if let acknowledged, chain.lastSeq < acknowledged.lastSeq, !report.problems.contains(where: { $0.origin == origin }) {
            let expected = fs.join(dir, SegmentHeader.fileName(firstSeq: acknowledged.segmentFirstSeq))
            let present = fs.exists(expected)
            report.problems.append(Problem(origin: origin, file: present ? expected : lastPath, offset: present ? acknowledged.endOffset : 0,
                                           message: "the log ends at seq \(chain.lastSeq) but seq \(acknowledged.lastSeq) was acknowledged: "
                                               + (present ? "the segment was cut short" : "segment \(expected) is missing")))
        }
        report.origins[origin] = (chain.blocks, chain.lastSeq)
    }

    /// Checks one segment's header and blocks, advancing `chain`; false at
    /// the first problem (recorded in `report`, or as a note when it is a torn
    /// write after the acknowledged end).
    private func verifySegment(_ path: String, origin: String, acknowledged: AckRecord?, chain: inout ChainPosition,
                               into report: inout Report) throws -> Bool {
        func problem(_ offset: UInt64, _ message: String) {
            report.problems.append(Problem(origin: origin, file: path, offset: offset, message: message))
        }
        let file = try fs.openForReading(path)
        defer { file.close() }
        let size = try file.size()
        let header: SegmentHeader?
        do {
            header = try SegmentHeader.parse(try file.read(at: 0, count: Int(min(size, 64))))
        } catch { problem(0, LogError.from(error).message); return false }
        guard let header else { problem(0, "segment header is cut short"); return false }
        guard header.firstSeq == chain.lastSeq + 1, header.origin == origin else {
            problem(0, "segment does not continue the log (starts at \(header.firstSeq), log ends at \(chain.lastSeq))")
            return false
        }
        var offset = UInt64(header.byteCount)
        while offset < size {
            do {
                let block = try Block.read(from: file, at: offset, fileSize: size)
                try check(block, origin: origin, after: chain)
                chain.head = block.header.chainHash
                chain.lastSeq = block.header.lastSeq
                chain.blocks += 1
                offset += UInt64(block.header.totalBytes)
            } catch {
                let e = LogError.from(error)
                if e.code == .corrupt, let acknowledged, chain.lastSeq >= acknowledged.lastSeq {
                    report.notes.append("\(path) at byte \(offset): \(e.message) — after the last acknowledged event (seq \(acknowledged.lastSeq)), a torn write that the next open cuts")
                } else {
                    problem(offset, e.message)
                }
                return false
            }
        }
        return true
    }

    /// The checks one block must pass to extend the chain at `chain`: its
    /// place in the sequence, its link, its hash, its signature when the
    /// origin's key is pinned, and its events.
    private func check(_ block: Block, origin: String, after chain: ChainPosition) throws {
        let h = block.header
        guard h.origin == origin, h.firstSeq == chain.lastSeq + 1 else {
            throw LogError(.corrupt, "block seq \(h.firstSeq) of '\(h.origin)' does not follow seq \(chain.lastSeq) of '\(origin)'")
        }
        guard h.previousHash == chain.head else { throw LogError(.corrupt, "block does not link to the previous block's chain hash") }
        guard block.verifyHash() else { throw LogError(.corrupt, "block's chain hash does not match its bytes (altered?)") }
        if let pk = publicKeys[origin] {
            guard h.isSigned, SiteKey.verify(signature: h.signature, of: h.chainHash, publicKey: pk) else {
                throw LogError(.badSignature, "block's signature does not verify against the pinned key of '\(origin)'")
            }
        }
        let events = try block.events()
        guard events.count == Int(h.count) else { throw LogError(.corrupt, "block decodes to the wrong number of events") }
    }
}
