extension Event {
    /// Checks everything a store requires of an event before it is stored,
    /// whoever built it: the envelope (site, id, kind, keys, the fields its
    /// kind needs), the time within ``Limits/timeMin`` … ``Limits/timeMax``,
    /// every duration in `data` (``Limits/durationFields``) a whole number
    /// of milliseconds within 0 … ``Limits/durationMsMax``, keys without
    /// control characters, no NUL character in any text, and `data` and
    /// `extra` nested no deeper than a JSON line can carry
    /// (``hasStorableText``).
    ///
    /// `journey append`, every importer and the replication receiver call
    /// this, so they refuse the same events with the same message; the error
    /// names the field (`data.waitMs` for a field of `data`).
    /// - Parameter requireID: false while an importer has yet to derive the id.
    public func validate(requireID: Bool = true) throws(ModelError) {
        guard SiteID.isValid(site) else {
            throw ModelError(.invalidField, field: "site", "'\(ModelError.excerpt(site))' is not a site id: use 1–32 of a-z, 0-9 and -")
        }
        guard !id.isEmpty || !requireID else { throw ModelError(.missingField, field: "id", "is required (a source record id unique within the site)") }
        // One check per key field, without building a collection per event (append runs this per event).
        func key(_ name: StaticString, _ value: String?) throws(ModelError) {
            guard let value else { return }
            let bytes = value.utf8.count
            guard bytes > 0 else { throw ModelError(.invalidField, field: "\(name)", "must not be empty") }
            guard bytes <= Event.keyBytesMax else {
                throw ModelError(.invalidField, field: "\(name)", "is \(bytes) bytes long; the limit is \(Event.keyBytesMax) bytes")
            }
            guard Event.isPlainKey(value) else {
                throw ModelError(.invalidField, field: "\(name)",
                                 "'\(ModelError.excerpt(value))' contains a control character (NUL, tab, line break…): a key must be printable text")
            }
        }
        try key("id", id.isEmpty ? nil : id)
        try key("contact", contact)
        try key("customer", customer)
        try key("queue", queue)
        try key("agent", agent)
        guard kind.isWellFormed else {
            throw ModelError(.invalidField, field: "kind", "'\(ModelError.excerpt(kind.rawValue))' is not a dotted lower-case kind such as contact.started")
        }
        guard Limits.contains(at) else {
            throw ModelError(.invalidField, field: "at", "\(at.ms) ms since 1970 is outside the years 0001–9999 a time may have")
        }
        if kind.isContactLifecycle {
            guard contact != nil else { throw ModelError(.missingField, field: "contact", "is required for \(kind.rawValue)") }
            guard channel != nil else { throw ModelError(.missingField, field: "channel", "is required for \(kind.rawValue)") }
        }
        if kind.isWorkforce, agent == nil {
            throw ModelError(.missingField, field: "agent", "is required for \(kind.rawValue)")
        }
        // A value in the line's top-level object may nest depthMax - 1 levels (`data` is one of them):
        // deeper, its line would not parse and the log's reader would refuse its block. Checked
        // first, so the checks below never descend into a value without end.
        let levels = JSONParser.depthMax - 1
        if JSONValue.object(data).nests(deeperThan: levels) {
            throw ModelError(.invalidField, field: "data", "nests arrays and objects more than \(levels) levels deep (a JSON line holds \(JSONParser.depthMax)); flatten it")
        }
        if let m = extra.members.first(where: { $0.value.nests(deeperThan: levels) }) {
            throw ModelError(.invalidField, field: "extra.\(ModelError.excerpt(m.key))", "nests arrays and objects more than \(levels) levels deep (a JSON line holds \(JSONParser.depthMax)); flatten it")
        }
        if encodedBytesUpperBound > Event.encodedBytesMax {
            var out: [UInt8] = []
            EventCodec.encode(self, into: &out)
            guard out.count <= Event.encodedBytesMax else {
                throw ModelError(.tooLarge, "event is \(out.count) bytes; the limit is \(Event.encodedBytesMax) bytes — move bulky detail out of the event")
            }
        }
        // Each object in turn, without gathering them in an array first (an allocation per event).
        func noNUL(_ name: StaticString, _ object: JSONObject) throws(ModelError) {
            if let m = object.members.first(where: { $0.key.hasNUL || $0.value.containsNUL }) {
                throw ModelError(.invalidField, field: "\(name).\(ModelError.excerpt(m.key))",
                                 "contains a NUL character, which no text column (SQLite, PostgreSQL) can hold whole")
            }
        }
        try noNUL("data", data)
        try noNUL("extra", extra)
        for m in data.members where Limits.isDurationField(m.key) && m.value != .null {
            guard let ms = m.value.intValue, ms >= 0, ms <= Limits.durationMsMax else {
                throw ModelError(.invalidField, field: "data.\(m.key)",
                                 "must be whole milliseconds from 0 to \(Limits.durationMsMax) (7 days), found \(ModelError.excerpt(m.value))")
            }
        }
    }

    /// True when every key (id, contact, customer, queue, agent) is free of
    /// control characters and no text of `data` or `extra` holds a NUL: what
    /// ``validate(requireID:)`` requires. Projections pass over an event of
    /// an older log that fails it (a NUL would end the text where SQLite
    /// binds it, and two keys would become one).
    public var hasStorableText: Bool {
        func plain(_ key: String?) -> Bool { key.map(Event.isPlainKey) ?? true }
        return plain(id) && plain(contact) && plain(customer) && plain(queue) && plain(agent)
            && !data.members.contains { $0.key.hasNUL || $0.value.containsNUL }
            && !extra.members.contains { $0.key.hasNUL || $0.value.containsNUL }
    }

    /// True when `key` holds no control character (U+0000–U+001F, U+007F):
    /// keys are compared, printed in tables and CSV, and bound as C strings.
    public static func isPlainKey(_ key: String) -> Bool { !key.utf8Contains { $0 < 0x20 || $0 == 0x7F } }

    /// The first two events of `events` that share an id but differ, by
    /// index, or nil. An id names one fact: the same event twice is a retry
    /// (a duplicate), but two different events under one id would lose one of
    /// them, so a batch with such a pair is refused as a whole.
    ///
    /// - Parameter idHashes: a hash of each event's id, when the caller has
    ///   them (the store does): ids are then compared only on equal hashes.
    public static func firstConflictingDuplicate(_ events: [Event], idHashes: [UInt64]? = nil) -> (first: Int, second: Int)? {
        guard events.count > 1 else { return nil }
        if let idHashes, idHashes.count == events.count {
            var first: [UInt64: Int] = [:]
            first.reserveCapacity(events.count)
            var collision = false
            for i in events.indices {
                if let j = first[idHashes[i]] {
                    if !events[j].id.sameBytes(as: events[i].id) { collision = true; break }
                    if !events[j].isSameFact(as: events[i]) { return (j, i) }
                } else {
                    first[idHashes[i]] = i
                }
            }
            if !collision { return nil }
            // Two different ids with one hash: settle it by the ids themselves.
        }
        // Ids by their bytes, as the store's index keys them (see ``ByteKey``).
        var first: [ByteKey: Int] = [:]
        first.reserveCapacity(events.count)
        for i in events.indices {
            if let j = first[ByteKey(events[i].id)] {
                if !events[j].isSameFact(as: events[i]) { return (j, i) }
            } else {
                first[ByteKey(events[i].id)] = i
            }
        }
        return nil
    }

    /// Feeds every field of this event to `hasher`, text by its bytes: the
    /// hash that goes with ``isSameFact(as:)`` (Swift's `hashValue` hashes
    /// text written two ways alike).
    public func hashFact(into hasher: inout Hasher) {
        // Each text in turn, without gathering them in an array first (an allocation per event).
        site.hashBytes(into: &hasher)
        id.hashBytes(into: &hasher)
        kind.rawValue.hashBytes(into: &hasher)
        (contact ?? "\u{0}").hashBytes(into: &hasher)
        (customer ?? "\u{0}").hashBytes(into: &hasher)
        (queue ?? "\u{0}").hashBytes(into: &hasher)
        (agent ?? "\u{0}").hashBytes(into: &hasher)
        hasher.combine(seq)
        hasher.combine(at.ms)
        hasher.combine(channel)
        Self.hashBytes(.object(data), into: &hasher)
        Self.hashBytes(.object(extra), into: &hasher)
    }

    private static func hashBytes(_ value: JSONValue, into hasher: inout Hasher) {
        switch value {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .integer(let n): hasher.combine(2 as UInt8); hasher.combine(n)
        case .number(let text): hasher.combine(3 as UInt8); text.hashBytes(into: &hasher)
        case .string(let text): hasher.combine(4 as UInt8); text.hashBytes(into: &hasher)
        case .array(let items):
            hasher.combine(5 as UInt8); hasher.combine(items.count)
            for item in items { hashBytes(item, into: &hasher) }
        case .object(let object):
            hasher.combine(6 as UInt8); hasher.combine(object.count)
            for m in object.members {
                m.key.hashBytes(into: &hasher)
                hashBytes(m.value, into: &hasher)
            }
        }
    }

    /// True when `other` is this event byte for byte (the same canonical
    /// line). Swift's `==` is weaker: it equates text written two ways
    /// (precomposed and decomposed accents), which the log keeps apart.
    public func isSameFact(as other: Event) -> Bool {
        guard self == other else { return false }  // differs as Swift sees it, so in its bytes too
        var a: [UInt8] = [], b: [UInt8] = []
        EventCodec.encode(self, into: &a)
        EventCodec.encode(other, into: &b)
        return a == b
    }

    /// At least the length of the canonical line, found without writing it
    /// (a string escapes to at most 6 bytes per byte): an event under the
    /// limit by this bound needs no encoding to be checked.
    var encodedBytesUpperBound: Int {
        func bound(_ s: String) -> Int { 2 + 6 * s.utf8.count }
        func bound(_ v: JSONValue) -> Int {
            switch v {
            case .null, .bool: return 5
            case .integer: return 20
            case .number(let s): return s.utf8.count
            case .string(let s): return bound(s)
            case .array(let a): return a.reduce(2) { $0 + 1 + bound($1) }
            case .object(let o): return bound(o)
            }
        }
        func bound(_ o: JSONObject) -> Int { o.members.reduce(2) { $0 + 2 + bound($1.key) + bound($1.value) } }
        func optional(_ key: String?) -> Int { key.map { 12 + bound($0) } ?? 0 }
        return 140 + bound(site) + bound(id) + bound(kind.rawValue) + bound(data) + bound(extra)
            + optional(contact) + optional(customer) + optional(queue) + optional(agent)
    }
}
