/// The canonical JSONL form of events: one JSON object per line.
///
/// Encoding writes the envelope in a fixed order (`site, seq, id, at, kind,
/// contact, customer, channel, queue, agent, data`), then unknown envelope
/// fields in their original order. Decoding validates the envelope and names
/// the field of the first problem; ``decodeLines(_:)`` reports every bad line.
public enum EventCodec {
    /// The envelope field names, in canonical order.
    public static let envelopeFields = ["site", "seq", "id", "at", "kind", "contact", "customer", "channel", "queue", "agent", "data"]

    /// Options for decoding input that is not yet in the log.
    public struct DecodeOptions: Sendable {
        /// Site given to events that have none (`journey append` fills the store's own site).
        public var defaultSite: String?
        /// When false, a missing `id` is an error; when true it is left empty for the caller to derive.
        public var allowMissingID: Bool
        /// When set, an event of any other site is rejected (a store appends only its own site's events).
        public var requiredSite: String?
        /// Options: the site of events that name none, whether an id may be missing (one is derived), and the only site accepted.
        public init(defaultSite: String? = nil, allowMissingID: Bool = false, requiredSite: String? = nil) {
            self.defaultSite = defaultSite
            self.allowMissingID = allowMissingID
            self.requiredSite = requiredSite
        }
    }

    // MARK: Encoding

    /// Appends the canonical line of `event` (without the newline) to `out`.
    public static func encode(_ event: Event, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"site":"#.utf8)
        JSONWriter.writeString(event.site, into: &out)
        if event.seq > 0 {
            out.append(contentsOf: #","seq":"#.utf8)
            out.append(contentsOf: String(event.seq).utf8)
        }
        out.append(contentsOf: #","id":"#.utf8)
        JSONWriter.writeString(event.id, into: &out)
        out.append(contentsOf: #","at":""#.utf8)
        event.at.write(into: &out)
        out.append(contentsOf: #"","kind":"#.utf8)
        JSONWriter.writeString(event.kind.rawValue, into: &out)
        func optional(_ name: StaticString, _ v: String?) {
            guard let v else { return }
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            JSONWriter.writeString(v, into: &out)
        }
        optional(#","contact":"#, event.contact)
        optional(#","customer":"#, event.customer)
        optional(#","channel":"#, event.channel?.rawValue)
        optional(#","queue":"#, event.queue)
        optional(#","agent":"#, event.agent)
        out.append(contentsOf: #","data":"#.utf8)
        JSONWriter.writeObject(event.data, into: &out)
        for m in event.extra.members {
            out.append(UInt8(ascii: ","))
            JSONWriter.writeString(m.key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.write(m.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The canonical line of `event`, without the newline.
    public static func encode(_ event: Event) -> String {
        var out: [UInt8] = []
        encode(event, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Canonical JSONL (newline after each event) of many events.
    public static func encodeLines<S: Sequence>(_ events: S) -> [UInt8] where S.Element == Event {
        var out: [UInt8] = []
        for e in events {
            encode(e, into: &out)
            out.append(0x0A)
        }
        return out
    }

    // MARK: Decoding

    /// Decodes and validates one line.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>, options: DecodeOptions = .init()) throws(ModelError) -> Event {
        guard line.count <= Event.encodedBytesMax else {
            throw ModelError(.tooLarge, "event is \(line.count) bytes; the limit is \(Event.encodedBytesMax) bytes — move bulky detail out of the event")
        }
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try JSONParser.parse(line)
        } catch {
            throw ModelError(.invalidJSON, "not valid JSON at byte \(error.offset + 1): \(error.reason)")
        }
        guard case .object(let object) = value else {
            throw ModelError(.invalidJSON, "each line must be one JSON object")
        }
        return try decode(object, options: options)
    }

    /// Decodes and validates one line given as a string.
    public static func decode(_ line: String, options: DecodeOptions = .init()) throws(ModelError) -> Event {
        var copy = line
        let r: Result<Event, ModelError> = copy.withUTF8 { buf in
            do throws(ModelError) { return .success(try decode(buf, options: options)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Decodes and validates an event from a parsed JSON object.
    public static func decode(_ object: JSONObject, options: DecodeOptions = .init()) throws(ModelError) -> Event {
        var site: String?, id: String?, at: Timestamp?, kind: EventKind?
        var seq: UInt64 = 0
        var contact: String?, customer: String?, channel: Channel?, queue: String?, agent: String?
        var data = JSONObject()
        var extra = JSONObject()
        // A field given twice is an error. An envelope has a dozen fields: comparing each with those
        // before it costs less than hashing them; a line with many more fields is checked with a set.
        let few = object.members.count <= 16
        var seen = few ? Set<String>() : Set<String>(minimumCapacity: object.members.count)
        for (i, m) in object.members.enumerated() {
            let twice = few ? object.members[..<i].contains { $0.key == m.key } : !seen.insert(m.key).inserted
            if twice {
                throw ModelError(.invalidField, field: m.key, "appears twice; give each field once")
            }
            switch envelopeField(m.key) {
            case .site: site = try text(m, required: true)
            case .seq:
                guard let v = m.value.intValue, v >= 0 else {
                    throw ModelError(.invalidField, field: "seq", "must be a non-negative integer")
                }
                seq = UInt64(v)
            case .id: id = try text(m, required: true)
            case .at:
                guard case .string(let s) = m.value, let t = Timestamp(rfc3339: s) else {
                    throw ModelError(.invalidField, field: "at", "must be an RFC 3339 time such as 2026-03-02T08:15:00.250Z")
                }
                at = t
            case .kind:
                guard case .string(let s) = m.value, EventKind(s).isWellFormed else {
                    throw ModelError(.invalidField, field: "kind", "must be a dotted lower-case kind such as contact.started")
                }
                kind = EventKind(s)
            case .contact: contact = try text(m)
            case .customer: customer = try text(m)
            case .channel:
                if case .null = m.value { continue }
                guard case .string(let s) = m.value, let c = Channel(rawValue: s) else {
                    let allowed = Channel.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ModelError(.invalidField, field: "channel", "unknown channel; use one of \(allowed)")
                }
                channel = c
            case .queue: queue = try text(m)
            case .agent: agent = try text(m)
            case .data:
                switch m.value {
                case .object(let o): data = o
                case .null: data = JSONObject()
                default: throw ModelError(.invalidField, field: "data", "must be a JSON object")
                }
            case nil:
                extra.members.append(m)
            }
        }
        if site == nil { site = options.defaultSite }
        guard let site else { throw ModelError(.missingField, field: "site", "is required (the origin site id)") }
        guard let kind else { throw ModelError(.missingField, field: "kind", "is required") }
        guard let at else { throw ModelError(.missingField, field: "at", "is required (an RFC 3339 time)") }
        if id == nil && !options.allowMissingID {
            throw ModelError(.missingField, field: "id", "is required (a source record id unique within the site)")
        }
        let event = Event(site: site, seq: seq, id: id ?? "", at: at, kind: kind, contact: contact, customer: customer,
                          channel: channel, queue: queue, agent: agent, data: data, extra: extra)
        try event.validate(requireID: !options.allowMissingID)
        if let required = options.requiredSite, site != required {
            throw ModelError(.invalidField, field: "site", "'\(site)' is not this store's site '\(required)'; other sites' events arrive by sync")
        }
        return event
    }

    /// The envelope fields.
    enum EnvelopeField { case site, seq, id, at, kind, contact, customer, channel, queue, agent, data }

    /// The envelope field `key` names, or nil for any other key: decided by
    /// its first and last byte and length, confirmed by one comparison (a
    /// switch over the names compares with each in turn, a measurable share
    /// of a decode).
    static func envelopeField(_ key: String) -> EnvelopeField? {
        let u = key.utf8
        guard let first = u.first, let last = u.last else { return nil }
        let field: (String, EnvelopeField)
        switch (first, last, u.count) {
        case (0x73, 0x65, 4): field = ("site", .site)
        case (0x73, 0x71, 3): field = ("seq", .seq)
        case (0x69, 0x64, 2): field = ("id", .id)
        case (0x61, 0x74, 2): field = ("at", .at)
        case (0x6B, 0x64, 4): field = ("kind", .kind)
        case (0x63, 0x74, 7): field = ("contact", .contact)
        case (0x63, 0x72, 8): field = ("customer", .customer)
        case (0x63, 0x6C, 7): field = ("channel", .channel)
        case (0x71, 0x65, 5): field = ("queue", .queue)
        case (0x61, 0x74, 5): field = ("agent", .agent)
        case (0x64, 0x61, 4): field = ("data", .data)
        default: return nil
        }
        return key == field.0 ? field.1 : nil
    }

    private static func text(_ m: JSONObject.Member, required: Bool = false) throws(ModelError) -> String? {
        switch m.value {
        case .string(let s):
            guard !s.isEmpty else { throw ModelError(.invalidField, field: m.key, "must not be empty") }
            guard s.utf8.count <= Event.keyBytesMax else {
                throw ModelError(.invalidField, field: m.key, "is longer than \(Event.keyBytesMax) bytes")
            }
            return s
        case .null where !required:
            return nil
        default:
            throw ModelError(.invalidField, field: m.key, "must be a string")
        }
    }

    /// The outcome of decoding a whole JSONL input.
    public struct LinesResult: Sendable {
        /// Events of the good lines, in input order.
        public var events: [Event]
        /// The 1-based input line of each event in ``events``.
        public var lines: [Int]
        /// Every bad line, with its 1-based number.
        public var errors: [ModelError]
        /// Blank lines skipped.
        public var blankLines: Int
    }

    /// Decodes every line of a JSONL input, collecting every error instead of
    /// stopping at the first: a batch import must report all bad lines.
    public static func decodeLines(_ bytes: [UInt8], options: DecodeOptions = .init()) -> LinesResult {
        bytes.withUnsafeBufferPointer { decodeLines($0, options: options, firstLine: 1) }
    }

    /// Decodes the lines in `buf`, the first being input line `firstLine`
    /// (a chunk of a longer input keeps the input's line numbers).
    public static func decodeLines(_ buf: UnsafeBufferPointer<UInt8>, options: DecodeOptions, firstLine: Int) -> LinesResult {
        var result = LinesResult(events: [], lines: [], errors: [], blankLines: 0)
        do {
            var start = 0
            var lineNumber = firstLine - 1
            while start < buf.count {
                var end = start
                while end < buf.count, buf[end] != 0x0A { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: buf[start..<lineEnd])
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    result.blankLines += 1
                } else {
                    do throws(ModelError) {
                        result.events.append(try decode(line, options: options))
                        result.lines.append(lineNumber)
                    } catch {
                        result.errors.append(error.at(line: lineNumber))
                    }
                }
                start = end + 1
            }
        }
        return result
    }
}
