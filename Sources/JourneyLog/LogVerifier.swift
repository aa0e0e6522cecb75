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
        public var origin: String
        public var file: String
        public var offset: UInt64
        public var message: String
        public var description: String { "\(file) at byte \(offset): \(message)" }
    }

    /// What was checked and what was wrong.
    public struct Report: Sendable {
        public var origins: [String: (blocks: Int, events: UInt64)] = [:]
        public var problems: [Problem] = []
        /// Origins whose signatures could not be checked: no key is pinned for them.
        public var unverified: [String] = []
        /// Findings that are not damage: torn tails after the acknowledged position.
        public var notes: [String] = []
        public var isSound: Bool { problems.isEmpty }
    }

    let directory: String
    let fs: any FileSystem
    /// Pinned public keys by origin; blocks of these origins must carry a valid signature.
    let publicKeys: [String: [UInt8]]

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
            let dir = fs.join(logsDir, origin)
            var blocks = 0
            var lastSeq: UInt64 = 0
            var head = [UInt8](repeating: 0, count: 32)
            var acknowledged: AckRecord?
            do {
                acknowledged = try AckRecord.read(directory: dir, origin: origin, fs: fs)?.record
            } catch {
                let e = LogError.from(error)
                report.problems.append(Problem(origin: origin, file: e.file ?? dir, offset: e.offset ?? 0, message: e.message))
            }
            if publicKeys[origin] == nil { report.unverified.append(origin) }
            var lastPath = fs.join(dir, AckRecord.fileName)
            scan: for name in try fs.listDirectory(dir).filter({ $0.hasSuffix(".seg") }).sorted() {
                let path = fs.join(dir, name)
                func problem(_ offset: UInt64, _ message: String) {
                    report.problems.append(Problem(origin: origin, file: path, offset: offset, message: message))
                }
                lastPath = path
                let file = try fs.openForReading(path)
                defer { file.close() }
                let size = try file.size()
                let header: SegmentHeader?
                do {
                    header = try SegmentHeader.parse(try file.read(at: 0, count: Int(min(size, 64))))
                } catch { problem(0, LogError.from(error).message); break scan }
                guard let header else { problem(0, "segment header is cut short"); break scan }
                guard header.firstSeq == lastSeq + 1, header.origin == origin else {
                    problem(0, "segment does not continue the log (starts at \(header.firstSeq), log ends at \(lastSeq))")
                    break scan
                }
                var offset = UInt64(header.byteCount)
                while offset < size {
                    do {
                        let block = try Block.read(from: file, at: offset, fileSize: size)
                        let h = block.header
                        guard h.origin == origin, h.firstSeq == lastSeq + 1 else {
                            throw LogError(.corrupt, "block seq \(h.firstSeq) of '\(h.origin)' does not follow seq \(lastSeq) of '\(origin)'")
                        }
                        guard h.previousHash == head else { throw LogError(.corrupt, "block does not link to the previous block's chain hash") }
                        guard block.verifyHash() else { throw LogError(.corrupt, "block's chain hash does not match its bytes (altered?)") }
                        if let pk = publicKeys[origin] {
                            guard h.isSigned, SiteKey.verify(signature: h.signature, of: h.chainHash, publicKey: pk) else {
                                throw LogError(.badSignature, "block's signature does not verify against the pinned key of '\(origin)'")
                            }
                        }
                        let events = try block.events()
                        guard events.count == Int(h.count) else { throw LogError(.corrupt, "block decodes to the wrong number of events") }
                        head = h.chainHash
                        lastSeq = h.lastSeq
                        blocks += 1
                        offset += UInt64(h.totalBytes)
                    } catch {
                        let e = LogError.from(error)
                        if e.code == .corrupt, let acknowledged, lastSeq >= acknowledged.lastSeq {
                            report.notes.append("\(path) at byte \(offset): \(e.message) — after the last acknowledged event (seq \(acknowledged.lastSeq)), a torn write that the next open cuts")
                        } else {
                            problem(offset, e.message)
                        }
                        break scan
                    }
                }
            }
            if let acknowledged, lastSeq < acknowledged.lastSeq, !report.problems.contains(where: { $0.origin == origin }) {
                let expected = fs.join(dir, SegmentHeader.fileName(firstSeq: acknowledged.segmentFirstSeq))
                report.problems.append(Problem(origin: origin, file: fs.exists(expected) ? expected : lastPath,
                                               offset: fs.exists(expected) ? acknowledged.endOffset : 0,
                                               message: "the log ends at seq \(lastSeq) but seq \(acknowledged.lastSeq) was acknowledged: \(fs.exists(expected) ? "the segment was cut short" : "segment \(expected) is missing")"))
            }
            report.origins[origin] = (blocks, lastSeq)
        }
        return report
    }
}
