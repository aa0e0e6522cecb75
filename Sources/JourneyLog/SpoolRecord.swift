import JourneyModel

/// Checked events as a scratch file keeps them between two passes over an
/// input (`journey append FILE` checks every line first and stores only
/// after): runs of events in the log's own payload format, each event with
/// a tag (its input line), framed and checksummed. Reading a record back
/// costs a fraction of decoding the JSON again, and what is stored is
/// exactly what was checked.
///
/// Not a stored format: a record lives only in an unlinked file of the
/// process that wrote it, so it has no version. Its magic, bounds and CRC
/// catch a file that is not one or was damaged on disk, and the payload
/// decoder is the log's own (fuzzed) one.
///
/// One record, little-endian:
///
/// | bytes | field |
/// |---|---|
/// | 4 | magic `JSPR` |
/// | 4 | events `n`, 1…``BlockHeader/eventsMax`` |
/// | 4 | payload bytes `p`, at most ``BlockHeader/rawBytesMax`` |
/// | 4 | zero |
/// | 8 | the smallest `at` of the run (ms) |
/// | 8·n | the events' tags |
/// | p | the events in the payload format (``BlockPayload``) |
/// | 4 | CRC-32C of every byte before it |
public enum SpoolRecord {
    /// Bytes of a record's fixed header.
    public static let headerBytes = 24
    static let magic: [UInt8] = Array("JSPR".utf8)

    /// Appends to `out` the records of `events` (all of site `origin`) with
    /// their `tags` (same indices): one record per run of at most
    /// ``BlockHeader/eventsMax`` events, split further where a run exceeds a
    /// bound of the payload format, as blocks are.
    ///
    /// - Throws: `.invalidEvent` when an event is of another site (the payload
    ///   does not store the site) or the tags do not match the events.
    public static func encode(_ events: ArraySlice<Event>, tags: ArraySlice<UInt64>, origin: String, into out: inout [UInt8]) throws {
        guard events.indices == tags.indices else {
            throw LogError(.invalidEvent, "a spool record needs one tag per event (\(events.count) events, \(tags.count) tags)")
        }
        for e in events where !e.site.sameBytes(as: origin) {
            throw LogError(.invalidEvent, "a spool record holds events of one site ('\(origin)'), not of '\(e.site)'")
        }
        var w = ByteWriter()
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        for (run, encoded) in try Block.splitRuns(events, eventsPerRun: BlockHeader.eventsMax, { run in (run.indices, try Block.encoded(run)) }) {
            let start = w.bytes.count
            w.append(contentsOf: magic)
            w.u32(UInt32(run.count))
            w.u32(UInt32(encoded.raw.count))
            w.u32(0)
            w.i64(encoded.minAt)
            for t in tags[run] { w.u64(t) }
            w.append(contentsOf: encoded.raw)
            w.u32(w.bytes.withUnsafeBytes { Checksum.crc32c(UnsafeRawBufferPointer(rebasing: $0[start...])) })
            assert(w.bytes.count - start == headerBytes + 8 * run.count + encoded.raw.count + 4, "a spool record is its header, tags, payload and CRC")
        }
    }

    /// The bytes that follow a record's header (tags, payload, CRC), read from
    /// the header. Throws `.corrupt` for a header that is not a record's.
    public static func bodyBytes(header: [UInt8]) throws -> Int {
        let (count, payload, _) = try parse(header)
        return 8 * count + payload + 4
    }

    /// Decodes one whole record (header and body) as events of `origin`,
    /// with their tags; the events have seq 0, as events not yet stored do. Throws `.corrupt` for bytes that are not an intact
    /// record; never traps.
    public static func decode(_ record: [UInt8], origin: String) throws -> (events: [Event], tags: [UInt64]) {
        let (count, payloadBytes, minAt) = try parse(record)
        guard record.count == headerBytes + 8 * count + payloadBytes + 4 else {
            throw LogError(.corrupt, "a spool record is \(record.count) bytes, but its header says \(headerBytes + 8 * count + payloadBytes + 4)")
        }
        return try record.withUnsafeBytes { b in
            var r = ByteReader(b, from: b.count - 4)
            guard Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[0..<(b.count - 4)])) == (try? r.fixed(UInt32.self)) else {
                throw LogError(.corrupt, "a spool record's CRC-32C does not match its bytes: the scratch file was damaged")
            }
            r = ByteReader(b, from: headerBytes)
            var tags: [UInt64] = []
            tags.reserveCapacity(count)
            do {
                for _ in 0..<count { tags.append(try r.fixed(UInt64.self)) }
                let payload = try r.bytes(payloadBytes)
                var events = try BlockPayload.decode(payload, origin: origin, firstSeq: 1, count: count, minAt: minAt)
                // As they were before they were spooled: not yet stored, so without a seq.
                for i in events.indices { events[i].seq = 0 }
                return (events, tags)
            } catch is ByteReader.Overrun {
                throw LogError(.corrupt, "a spool record is shorter than its header says: the scratch file was damaged")
            }
        }
    }

    /// The header's event count, payload bytes and smallest time, within bounds.
    static func parse(_ bytes: [UInt8]) throws -> (count: Int, payloadBytes: Int, minAt: Int64) {
        guard bytes.count >= headerBytes, bytes[0..<4].elementsEqual(magic) else {
            throw LogError(.corrupt, "not a spool record (no JSPR header): the scratch file was damaged")
        }
        return try bytes.withUnsafeBytes { b in
            var r = ByteReader(b, from: 4)
            guard let count = try? r.fixed(UInt32.self), let payload = try? r.fixed(UInt32.self), let zero = try? r.fixed(UInt32.self),
                  let minAt = try? r.fixed(Int64.self) else {
                throw LogError(.corrupt, "a spool record's header is cut short: the scratch file was damaged")
            }
            guard count >= 1, count <= UInt32(BlockHeader.eventsMax), payload <= UInt32(BlockHeader.rawBytesMax), zero == 0 else {
                throw LogError(.corrupt, "a spool record's header is out of bounds (\(count) events, \(payload) bytes): the scratch file was damaged")
            }
            return (Int(count), Int(payload), minAt)
        }
    }
}
