#if canImport(Glibc)
import Glibc
#endif
import JourneyModel

/// The uncompressed payload of a block (format v1): the block's events laid out
/// column by column so that deflate sees long runs of similar bytes.
///
/// Layout: `varint streamCount`, then `streamCount` varint lengths, then the
/// streams back to back. Streams, in order:
///
/// | # | stream | content per event |
/// |---|--------|-------------------|
/// | 0 | strings | the block's string table: varint count, then varint length + UTF-8 each |
/// | 1 | at | zig-zag varint delta from the previous event's `at` (the first from the header's min `at`) |
/// | 2 | ids | front-coded against the previous id: varint shared prefix, varint suffix length, suffix |
/// | 3 | kinds | varint string index |
/// | 4–8 | contact, customer, channel, queue, agent | varint: 0 when absent, else string index + 1 |
/// | 9 | counts | member count of `data`, then of `extra`; element/member counts of nested values |
/// | 10 | keys | varint string index of each member key |
/// | 11 | tags | one byte per value: 0 null, 1 false, 2 true, 3 integer, 4 number literal, 5 string, 6 array, 7 object |
/// | 12 | ints | zig-zag varint of integer values |
/// | 13 | refs | varint string index of string values and number literals |
///
/// `seq` is not stored: it is the header's first seq plus the event's index.
/// `site` is not stored: every event of a block belongs to the block's origin.
/// Readers of v1 must reject a payload whose stream count is not 14.
public enum BlockPayload {
    static let streamCount = Stream.allCases.count

    /// The payload's streams, in their order (the table above).
    enum Stream: Int, CaseIterable {
        case strings, at, ids, kinds, contact, customer, channel, queue, agent, counts, keys, tags, ints, refs
    }
    /// Most strings in one block's table; keeps decoder allocations bounded.
    static let stringsMax = 1 << 20

    enum Tag: UInt8 { case null = 0, falseValue, trueValue, integer, number, string, array, object }

    /// Encodes events (all of one origin) into a v1 payload. Throws
    /// `.invalidEvent` when the events need more than ``stringsMax`` distinct
    /// strings, which the decoder refuses: the caller splits the run.
    static func encode(_ events: ArraySlice<Event>, minAt: Int64) throws -> [UInt8] {
        var enc = Encoder()
        enc.encode(events, minAt: minAt)
        guard enc.interned.count <= stringsMax else {
            throw LogError(.invalidEvent, "a block's payload would hold \(enc.interned.count) distinct strings, more than the \(stringsMax) a reader accepts; append in smaller batches")
        }
        return enc.finish()
    }

    struct Encoder {
        var interned = InternTable()
        var s = [ByteWriter](repeating: ByteWriter(), count: streamCount)
        var previousID: [UInt8] = []

        @inline(__always) mutating func intern(_ text: String) -> UInt32 {
            if let i = text.utf8.withContiguousStorageIfAvailable({ interned.intern($0) }) { return i }
            var copy = text
            return copy.withUTF8 { interned.intern($0) }
        }

        @inline(__always) mutating func optional(_ stream: Stream, _ text: String?) {
            if let text { s[stream].varint(UInt64(intern(text)) + 1) } else { s[stream].u8(0) }
        }

        mutating func encode(_ events: ArraySlice<Event>, minAt: Int64) {
            var previousAt = minAt
            // Reading fields through the buffer avoids copying whole events (a retain per field).
            events.withUnsafeBufferPointer { buf in
                for i in 0..<buf.count {
                    s[.at].svarint(buf[i].at.ms &- previousAt)
                    previousAt = buf[i].at.ms
                    frontCode(buf[i].id)
                    s[.kinds].varint(UInt64(intern(buf[i].kind.rawValue)))
                    optional(.contact, buf[i].contact)
                    optional(.customer, buf[i].customer)
                    optional(.channel, buf[i].channel?.rawValue)
                    optional(.queue, buf[i].queue)
                    optional(.agent, buf[i].agent)
                    object(buf[i].data)
                    object(buf[i].extra)
                }
            }
        }

        mutating func frontCode(_ id: String) {
            if id.utf8.withContiguousStorageIfAvailable({ frontCode(bytes: $0) }) != nil { return }
            var copy = id
            copy.withUTF8 { frontCode(bytes: $0) }
        }

        mutating func frontCode(bytes b: UnsafeBufferPointer<UInt8>) {
            do {
                var shared = 0
                let n = min(b.count, previousID.count)
                while shared < n && previousID[shared] == b[shared] { shared += 1 }
                let suffix = UnsafeBufferPointer(rebasing: b[shared...])
                s[.ids].varint(UInt64(shared))
                s[.ids].varint(UInt64(suffix.count))
                s[.ids].append(contentsOf: suffix)
                previousID.removeSubrange(shared...)
                previousID.append(contentsOf: suffix)
            }
        }

        mutating func object(_ o: JSONObject) {
            s[.counts].varint(UInt64(o.members.count))
            o.members.withUnsafeBufferPointer { members in
                for j in 0..<members.count {
                    s[.keys].varint(UInt64(intern(members[j].key)))
                    value(members[j].value)
                }
            }
        }

        mutating func value(_ v: JSONValue) {
            switch v {
            case .null: s[.tags].u8(Tag.null.rawValue)
            case .bool(let b): s[.tags].u8(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
            case .integer(let i): s[.tags].u8(Tag.integer.rawValue); s[.ints].svarint(i)
            case .number(let lit): s[.tags].u8(Tag.number.rawValue); s[.refs].varint(UInt64(intern(lit)))
            case .string(let t): s[.tags].u8(Tag.string.rawValue); s[.refs].varint(UInt64(intern(t)))
            case .array(let items):
                s[.tags].u8(Tag.array.rawValue)
                s[.counts].varint(UInt64(items.count))
                for item in items { value(item) }
            case .object(let o):
                s[.tags].u8(Tag.object.rawValue)
                object(o)
            }
        }

        mutating func finish() -> [UInt8] {
            var table = ByteWriter(capacity: interned.bytes.bytes.count + 8)
            table.varint(UInt64(interned.count))
            table.append(contentsOf: interned.bytes.bytes)
            s[.strings] = table
            var out = ByteWriter(capacity: s.reduce(64) { $0 + $1.bytes.count })
            out.varint(UInt64(BlockPayload.streamCount))
            for w in s { out.varint(UInt64(w.bytes.count)) }
            for w in s { out.append(contentsOf: w.bytes) }
            return out.bytes
        }
    }

    /// A block's string table while it is being built: the serialised table
    /// itself (varint length + UTF-8, in first-use order) and an
    /// open-addressing index over it keyed by FNV-1a of the bytes. Equal
    /// strings are found by comparing bytes with the table, so interning needs
    /// no Swift `String` hashing or allocation.
    struct InternTable {
        var bytes = ByteWriter(capacity: 1 << 14)
        private var slots = [Int32](repeating: -1, count: 1024)
        private var hashes: [UInt64] = []
        private var starts: [Int] = []
        private var lengths: [Int] = []
        var count: Int { hashes.count }

        @inline(__always) mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> UInt32 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while true {
                let idx = Int(slots[i])
                if idx < 0 { break }
                if hashes[idx] == h && lengths[idx] == b.count && equal(b, at: starts[idx]) { return UInt32(idx) }
                i = (i + 1) & mask
            }
            let idx = hashes.count
            bytes.varint(UInt64(b.count))
            starts.append(bytes.bytes.count)
            bytes.append(contentsOf: b)
            hashes.append(h)
            lengths.append(b.count)
            slots[i] = Int32(idx)
            if hashes.count * 2 > slots.count { grow() }
            return UInt32(idx)
        }

        @inline(__always) private func equal(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
            bytes.bytes.withUnsafeBufferPointer { t in
                guard let base = b.baseAddress, let tb = t.baseAddress else { return b.isEmpty }
                return memcmp(base, tb + start, b.count) == 0
            }
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (idx, h) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
                while slots[i] >= 0 { i = (i + 1) & mask }
                slots[i] = Int32(idx)
            }
        }
    }

    /// Decodes a v1 payload of `count` events.
    static func decode(
        _ payload: UnsafeRawBufferPointer, origin: String, firstSeq: UInt64, count: Int, minAt: Int64
    ) throws -> [Event] {
        do {
            var head = ByteReader(payload)
            guard try head.varint() == UInt64(streamCount) else {
                throw LogError(.corrupt, "block payload does not have the \(streamCount) streams of format v1")
            }
            var readers: [ByteReader] = []
            var offset = 0
            var lengths: [Int] = []
            for _ in 0..<streamCount {
                let n = try head.varint()
                guard n <= UInt64(payload.count) else { throw ByteReader.Overrun() }
                lengths.append(Int(n))
            }
            offset = head.position
            for n in lengths {
                guard offset + n <= payload.count else { throw ByteReader.Overrun() }
                readers.append(ByteReader(payload, from: offset, to: offset + n))
                offset += n
            }
            guard offset == payload.count else { throw ByteReader.Overrun() }
            // The readers are used through a buffer pointer: through the array, every read of a
            // field checked the array's uniqueness before mutating the reader in place.
            return try readers.withUnsafeMutableBufferPointer { r in
                var dec = Decoder(r: r)
                try dec.readStrings()
                return try dec.events(origin: origin, firstSeq: firstSeq, count: count, minAt: minAt)
            }
        } catch let e as LogError {
            throw e
        } catch {
            throw LogError(.corrupt, "block payload is truncated or malformed")
        }
    }

    struct Decoder {
        /// One reader per stream, borrowed for the decode.
        let r: UnsafeMutableBufferPointer<ByteReader>
        var strings: [String] = []
        /// The channel each string-table entry names, parsed once per block (nil: not yet, or not a channel).
        var channels: [Channel??] = []

        mutating func readStrings() throws {
            let n = try r[.strings].varint()
            guard n <= UInt64(stringsMax), n <= UInt64(r[.strings].remaining) else { throw ByteReader.Overrun() }
            strings.reserveCapacity(Int(n))
            for _ in 0..<n {
                let len = try r[.strings].varint()
                guard len <= UInt64(r[.strings].remaining) else { throw ByteReader.Overrun() }
                strings.append(try r[.strings].string(Int(len)))
            }
        }

        @inline(__always) mutating func string(_ stream: Int) throws -> String {
            let i = try r[stream].varint()
            guard i < UInt64(strings.count) else { throw ByteReader.Overrun() }
            return strings[Int(i)]
        }

        @inline(__always) mutating func optional(_ stream: Stream) throws -> String? {
            let i = try r[stream].varint()
            if i == 0 { return nil }
            guard i <= UInt64(strings.count) else { throw ByteReader.Overrun() }
            return strings[Int(i - 1)]
        }

        /// The channel of an optional string index (0: none), parsed once per
        /// string-table entry rather than once per event.
        @inline(__always) mutating func channel(at index: UInt64) throws -> Channel? {
            if index == 0 { return nil }
            guard index <= UInt64(strings.count) else { throw ByteReader.Overrun() }
            let i = Int(index - 1)
            if channels.isEmpty { channels = Array(repeating: nil, count: strings.count) }
            if let known = channels[i] { return known }
            guard let c = Channel(rawValue: strings[i]) else { throw ByteReader.Overrun() }
            channels[i] = .some(c)
            return c
        }

        mutating func events(origin: String, firstSeq: UInt64, count: Int, minAt: Int64) throws -> [Event] {
            var at = minAt
            var id: [UInt8] = []
            // Each event is built in its slot (no copy of a finished event into the array); when a
            // field is malformed, the events built so far are released with the array.
            let out = try [Event](unsafeUninitializedCapacity: count) { slots, built in
                guard let base = slots.baseAddress else { return }
                for i in 0..<count {
                    at = at &+ (try r[.at].svarint())
                    let shared = try r[.ids].varint()
                    let suffixCount = try r[.ids].varint()
                    guard shared <= UInt64(id.count) else { throw ByteReader.Overrun() }
                    let suffix = try r[.ids].bytes(Int(clamping: suffixCount))
                    id.removeSubrange(Int(shared)...)
                    id.append(contentsOf: suffix)
                    let kind = try string(3)
                    let contact = try optional(.contact)
                    let customer = try optional(.customer)
                    let channelIndex = try r[.channel].varint()
                    let queue = try optional(.queue)
                    let agent = try optional(.agent)
                    let data = try object(depth: 0)
                    let extra = try object(depth: 0)
                    let channel = try self.channel(at: channelIndex)
                    let event = Event(
                        site: origin, seq: firstSeq + UInt64(i), id: String(decoding: id, as: UTF8.self),
                        at: Timestamp(ms: at), kind: EventKind(kind), contact: contact, customer: customer,
                        channel: channel, queue: queue, agent: agent, data: data, extra: extra)
                    (base + i).initialize(to: consume event)
                    built = i + 1
                }
            }
            for k in 1..<streamCount where !r[k].isAtEnd { throw ByteReader.Overrun() }
            return out
        }

        mutating func object(depth: Int) throws -> JSONObject {
            guard depth <= JSONParser.depthMax else { throw ByteReader.Overrun() }
            let n = try r[.counts].varint()
            guard n <= UInt64(r[.keys].remaining) else { throw ByteReader.Overrun() }
            var members: [JSONObject.Member] = []
            members.reserveCapacity(Int(n))
            for _ in 0..<n {
                let key = try string(10)
                members.append(.init(key, try value(depth: depth)))
            }
            return JSONObject(members)
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard let tag = Tag(rawValue: try r[.tags].u8()) else { throw ByteReader.Overrun() }
            switch tag {
            case .null: return .null
            case .falseValue: return .bool(false)
            case .trueValue: return .bool(true)
            case .integer: return .integer(try r[.ints].svarint())
            case .number: return .number(try string(13))
            case .string: return .string(try string(13))
            case .array:
                guard depth < JSONParser.depthMax else { throw ByteReader.Overrun() }
                let n = try r[.counts].varint()
                guard n <= UInt64(r[.tags].remaining) else { throw ByteReader.Overrun() }
                var items: [JSONValue] = []
                items.reserveCapacity(Int(n))
                for _ in 0..<n { items.append(try value(depth: depth + 1)) }
                return .array(items)
            case .object:
                return .object(try object(depth: depth + 1))
            }
        }
    }
}

extension BlockPayload {
    /// Decodes only the ids of a v1 payload (stream 2): what recovery needs to
    /// rebuild the id index without materialising whole events.
    static func decodeIDs(_ payload: UnsafeRawBufferPointer, count: Int, _ body: (Int, String) -> Void) throws {
        try decodeIDBytes(payload, count: count) { i, bytes in body(i, String(decoding: bytes, as: UTF8.self)) }
    }

    /// Calls `body` with each event's index and the bytes of its id, without
    /// making a `String` of it (loading the id index hashes the bytes).
    static func decodeIDBytes(_ payload: UnsafeRawBufferPointer, count: Int, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) throws {
        do {
            var head = ByteReader(payload)
            guard try head.varint() == UInt64(streamCount) else { throw ByteReader.Overrun() }
            var lengths: [Int] = []
            for _ in 0..<streamCount {
                // Each length is at most the payload's, so the sums below cannot overflow.
                let n = try head.varint()
                guard n <= UInt64(payload.count) else { throw ByteReader.Overrun() }
                lengths.append(Int(n))
            }
            let start = head.position + lengths[.strings] + lengths[.at]
            guard start + lengths[.ids] <= payload.count else { throw ByteReader.Overrun() }
            var r = ByteReader(payload, from: start, to: start + lengths[.ids])
            var id: [UInt8] = []
            for i in 0..<count {
                let shared = try r.varint()
                let n = try r.varint()
                guard shared <= UInt64(id.count) else { throw ByteReader.Overrun() }
                let suffix = try r.bytes(Int(clamping: n))
                id.removeSubrange(Int(shared)...)
                id.append(contentsOf: suffix)
                id.withUnsafeBufferPointer { body(i, $0) }
            }
        } catch {
            throw LogError(.corrupt, "block payload is truncated or malformed")
        }
    }
}

extension UnsafeMutableBufferPointer {
    /// A payload stream's reader, by name. A reader is a few words without references: copied out
    /// and back, it inlines, where a `_modify` accessor was a call per field.
    @inline(__always) subscript(stream: BlockPayload.Stream) -> Element {
        get { self[stream.rawValue] }
        nonmutating set { self[stream.rawValue] = newValue }
    }
}

extension Array {
    /// A payload stream's writer or reader, by name.
    @inline(__always) subscript(stream: BlockPayload.Stream) -> Element {
        get { self[stream.rawValue] }
        // In place: with only get and set, appending to a stream copied the writer out, which
        // shared its buffer, so the append copied the whole stream (a memmove per field).
        _modify { yield &self[stream.rawValue] }
    }
}
