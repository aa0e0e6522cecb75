import JourneyModel

extension LogStore {
    /// Stores a block of another site's log exactly as received (the unit
    /// sync ships), after checking that it can be trusted and that it
    /// continues this node's copy of that origin:
    ///
    /// - it parses and its CRC-32C matches (``Block/init(parsing:)``),
    /// - its origin is not this node's own site,
    /// - its first seq follows the local last seq, and its previous hash is
    ///   the local head hash (else it is a divergence, never merged),
    /// - its chain hash recomputes from its bytes,
    /// - when `publicKey` is given, it carries a valid signature by that key.
    ///
    /// Returns false, storing nothing, when the block is already held (an
    /// exact duplicate of a stored block); throws for anything else.
    @discardableResult
    public func appendReplicated(_ block: Block, publicKey: [UInt8]?) throws -> Bool {
        try appendReplicated(try checkReplicated(block, publicKey: publicKey))
    }

    /// Runs every check of a replicated block that needs nothing of this
    /// store's state — origin, chain hash, signature, payload decode and each
    /// event's bounds — and returns the block as ``CheckedBlock``, the only
    /// form ``appendReplicated(_:)-(CheckedBlock)`` stores.
    public func checkReplicated(_ block: Block, publicKey: [UInt8]?) throws -> CheckedBlock {
        let h = block.header
        guard !options.readOnly else { throw LogError(.io, "this store was opened read-only; storing blocks needs the writer") }
        guard h.origin != site else {
            throw LogError(.invalidEvent, "a peer sent a block of this node's own site '\(site)'; only this node writes its log")
        }
        guard SiteID.isValid(h.origin) else { throw LogError(.corrupt, "block names an invalid origin") }
        guard block.verifyHash() else { throw LogError(.corrupt, "block of '\(h.origin)' at seq \(h.firstSeq): its chain hash does not match its bytes") }
        if let publicKey {
            guard h.isSigned, SiteKey.verify(signature: h.signature, of: h.chainHash, publicKey: publicKey) else {
                throw LogError(.badSignature, "block of '\(h.origin)' at seq \(h.firstSeq) is not signed by the pinned key of '\(h.origin)'")
            }
        }
        // A block the origin signed can still carry a payload no reader can decode: refuse it here, or it
        // would stop every read of this origin at every centre that stored it.
        do {
            let events = try block.events()
            guard events.count == Int(h.count) else { throw LogError(.corrupt, "its payload decodes to \(events.count) events, not \(h.count)") }
            // A block the origin signed can also carry an event no store accepts (a time outside the
            // years 0001–9999, a duration beyond the limit): refused like a bad block, so it spreads no further.
            for e in events {
                do throws(ModelError) { try e.validate() } catch {
                    throw LogError(.corrupt, "event seq \(e.seq) is invalid: \(error)")
                }
            }
        } catch {
            throw LogError(.corrupt, "block of '\(h.origin)' at seq \(h.firstSeq) is refused, nothing stored: \(LogError.from(error).message)")
        }
        return CheckedBlock(block: block)
    }

    /// Checks a batch of replicated blocks (``checkReplicated(_:publicKey:)``)
    /// on two threads, each with its origin's key from `keys`; a block whose
    /// origin has no key there fails its check. Results are in the blocks' order.
    public func checkReplicated(_ blocks: [Block], keys: [String: [UInt8]]) -> [Result<CheckedBlock, Error>] {
        func check(_ part: ArraySlice<Block>) -> [Result<CheckedBlock, Error>] {
            part.map { b in
                Result {
                    guard let key = keys[b.header.origin] else {
                        throw LogError(.badSignature, "no pinned key for origin '\(b.header.origin)'")
                    }
                    return try checkReplicated(b, publicKey: key)
                }
            }
        }
        guard blocks.count > 1 else { return check(blocks[...]) }
        let half = blocks.count / 2
        guard let (a, b) = try? BothAtOnce.run({ check(blocks[..<half]) }, { check(blocks[half...]) }) else {
            return check(blocks[...])
        }
        return a + b
    }

    /// Stores a block that passed ``checkReplicated(_:publicKey:)``, if it
    /// continues this node's copy of its origin (see
    /// ``appendReplicated(_:publicKey:)``). Returns false for an exact
    /// duplicate of a stored block.
    @discardableResult
    public func appendReplicated(_ checked: CheckedBlock) throws -> Bool {
        let block = checked.block
        let h = block.header
        monitor.lock()
        defer { monitor.unlock() }
        if let poisoned { throw poisoned }
        if let e = damaged[h.origin] { throw e }
        let log = logs[h.origin] ?? makeLog(h.origin)
        logs[h.origin] = log
        if h.firstSeq <= log.lastSeq {
            // It overlaps what this node holds: an exact copy of a held block is a harmless repeat;
            // anything else is another history of the same seqs, a fork.
            if h.lastSeq <= log.lastSeq, let i = OriginLog.blockIndex(holding: h.firstSeq, in: log.blocks),
               log.blocks[i].firstSeq == h.firstSeq,
               let stored = try? log.readBlock(log.blocks[i], segments: log.segments), stored.header.chainHash == h.chainHash {
                return false
            }
            throw LogError(.divergence, "block of '\(h.origin)' seq \(h.firstSeq)…\(h.lastSeq) conflicts with the stored history (local head seq \(log.lastSeq), hash \(Checksum.hex(log.headHash))); refusing to merge a fork")
        }
        guard h.firstSeq == log.lastSeq + 1 else {
            throw LogError(.divergence, "block of '\(h.origin)' starts at seq \(h.firstSeq) but this node holds up to \(log.lastSeq); blocks must arrive in order, without gaps")
        }
        guard h.previousHash == log.headHash else {
            throw LogError(.divergence, "block of '\(h.origin)' at seq \(h.firstSeq) does not continue the local chain: it links to \(Checksum.hex(h.previousHash)), the local head is \(Checksum.hex(log.headHash))")
        }
        // Replicas need no id index: blocks are matched by seq and chain hash, and only the origin appends.
        do {
            let outcome = try log.write([block], sync: options.durability != .none)
            log.publish(outcome)
        } catch {
            // A half-written block must not be followed by more writes at the wrong offset.
            poison(LogError.from(error))
            throw error
        }
        appended.signal()
        LogMetrics.stored(origin: h.origin, events: Int(h.lastSeq - h.firstSeq + 1), bytes: block.bytes.count)
        return true
    }
}
