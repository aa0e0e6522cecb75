import GRDB
import JourneyModel

extension ProjectionEngine {
    /// One contact of a customer, as the repeat rule reads it.
    struct CustomerContact {
        var site: String
        var contact: String
        var startedAt: Int64?
        var endedAt: Int64?
        var channel: String?
        var resolved: Int64?
        var csat: Int64?
        var day: Int64?
        /// As stored, to write only what changes.
        var repeatOf: String?
        var nextStart: Int64?
    }

    /// Derives, per customer, each contact's `repeat_of` and `next_start` and
    /// the customer's row, walking the customers' contacts once in
    /// (customer, started_at) order and computing in Swift what correlated
    /// subqueries computed per contact before (the same rule, written once:
    /// docs/kpi-definitions.md):
    ///
    /// - `next_start`: the earliest start of the customer's contacts that
    ///   started after this one ended;
    /// - `repeat_of`: the contact that ended last within the repeat window
    ///   before this one started (and started no later than it), ties going
    ///   to the smallest (site, contact), never the contact itself.
    ///
    /// Only rows whose values change are written. `all` means every customer
    /// (after a rebuild); otherwise the customers in `dirty_customer`, and the
    /// days of the contacts whose links changed are marked dirty (a day's
    /// figures read a contact's links, never its customer's other contacts).
    func deriveCustomers(_ db: Database, all: Bool) throws {
        let started = monotonicSeconds()
        defer { timings["derive.customers", default: 0] += monotonicSeconds() - started }
        // Every customer's row is derived again when all are: a file fully derived before (and then
        // marked for a full derivation by a plan's replay) holds them already.
        try db.execute(sql: all ? "DELETE FROM customer" : "DELETE FROM customer WHERE customer IN (SELECT customer FROM dirty_customer)")
        // Links that change are kept aside while the contacts are read, then written in key order:
        // written as derived (customer order), each one landed on another page of the contact table,
        // and past the page cache (at 10M events) every write read and wrote a page.
        try db.execute(sql: Self.linksTableSQL)
        try db.execute(sql: "DELETE FROM temp.derived_link")
        var keep = try BulkStatement(db, sql: "INSERT INTO temp.derived_link (site, contact, repeat_of, next_start) VALUES (?,?,?,?)")
        var insert = try BulkStatement(db, sql: """
            INSERT INTO customer (customer, contacts, repeats, unresolved, channels, sites, first_at, last_at, surveys, satisfied, penalty)
            VALUES (?,?,?,?,?,?,?,?,?,?,?)
            """)
        let dirtyDay = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_day (day) VALUES (?)")
        let visitDays = try db.cachedStatement(sql: "SELECT DISTINCT day FROM visit WHERE site = ? AND contact = ?")
        var days = Set<Int64>()
        // An attached export copies the contacts whose links change and the customers derived again.
        let journal = try !all && ExportJournal.isEnabled(db)
        let exportContact = try db.cachedStatement(sql: "INSERT OR IGNORE INTO export_contact (site, contact) VALUES (?, ?)")
        if journal { try db.execute(sql: "INSERT OR IGNORE INTO export_customer (customer) SELECT customer FROM dirty_customer") }
        var current: String?
        var group: [CustomerContact] = []
        var phase = monotonicSeconds()
        func finish() throws {
            guard let customer = current, !group.isEmpty else { return }
            let derived = Self.repeats(of: group, windowMs: parameters.repeatWindowMs)
            for (i, c) in group.enumerated() where c.repeatOf != derived[i].repeatOf || c.nextStart != derived[i].nextStart {
                keep.bind(c.site); keep.bind(c.contact); keep.bind(derived[i].repeatOf); keep.bind(derived[i].nextStart)
                try keep.run()
                if journal {
                    exportContact.setUncheckedArguments([c.site, c.contact])
                    try exportContact.execute()
                }
                // A day's figures read a contact's next start only through two predicates: repeated
                // within W (agent repeats, FCR) and contained (no assisted contact within the
                // containment window). Only when one of them flips are its own day (containment) and
                // its visits' days (a visit can enter its queue the day after its contact started)
                // derived again; a customer's new contact moves the next start of a contact weeks
                // before it, and that changes no figure. New or changed contacts were marked by the flush.
                if !all && dayFiguresChange(endedAt: c.endedAt, from: c.nextStart, to: derived[i].nextStart) {
                    if let d = c.day { days.insert(d) }
                    visitDays.setUncheckedArguments([c.site, c.contact])
                    days.formUnion(try Int64.fetchAll(visitDays))
                }
            }
            let row = Self.customerRow(group, repeats: derived.reduce(0) { $0 + ($1.repeatOf == nil ? 0 : 1) })
            insert.bind(customer); insert.bind(row.contacts); insert.bind(row.repeats); insert.bind(row.unresolved); insert.bind(row.channels)
            insert.bind(row.sites); insert.bind(row.firstAt); insert.bind(row.lastAt); insert.bind(row.surveys); insert.bind(row.satisfied)
            insert.bind(row.penalty)
            try insert.run()
            group.removeAll(keepingCapacity: true)
        }
        // One pass over the customers' contacts in (customer, started_at) order; nothing writes to
        // `contact` while it is open. Deriving every customer reads every contact from the customer
        // index alone, which holds all the columns read here but the links (the walk's query on a
        // 4.35M-event store: 0.56 s; sorting the table instead, 4.75 s; the table's rows looked up
        // through the index, 4.82 s): links already stored are cleared first, so every one derived
        // is written. Such links are rare (a file a staffing replay marked for a full
        // derivation); after a rebuild this is one scan that changes nothing. A catch-up reads only
        // its dirty customers, through the index and the table.
        if all {
            try db.execute(sql: "UPDATE contact SET repeat_of = NULL, next_start = NULL WHERE repeat_of IS NOT NULL OR next_start IS NOT NULL")
            timings["derive.customers.clear", default: 0] += monotonicSeconds() - phase
            phase = monotonicSeconds()
        }
        var contacts = try ColumnCursor(db, sql: all ? Self.everyCustomerWalkSQL : """
            SELECT customer, site, contact, started_at, ended_at, channel, resolved, csat, day, repeat_of, next_start
            FROM contact WHERE customer IN (SELECT customer FROM dirty_customer) ORDER BY customer, started_at
            """)
        // Sites and channels have few values: one string each, shared by every contact.
        var sites: [String] = [], channels: [String] = []
        // The current customer's bytes: a customer is its bytes, as SQLite sorted them (canonically
        // equivalent keys are two customers).
        var customerBytes: [UInt8] = []
        // Both queries read only contacts with a customer, and a contact's key is NOT NULL.
        func missing(_ what: String) -> ProjectionError {
            ProjectionError(.malformedRecord, "a contact read for its customer has no \(what): rebuild the projection (journey rebuild)")
        }
        while try contacts.next() {
            if try current == nil || !contacts.hasBytes(0, customerBytes) {
                try finish()
                guard let bytes = try contacts.withBytes(0, { $0.map(Array.init) }), let customer = try contacts.text(0) else { throw missing("customer") }
                customerBytes = bytes
                current = customer
            }
            guard let site = try contacts.text(1, interning: &sites), let contact = try contacts.text(2) else { throw missing("key") }
            group.append(CustomerContact(site: site, contact: contact, startedAt: contacts.int64(3), endedAt: contacts.int64(4),
                                         channel: try contacts.text(5, interning: &channels), resolved: contacts.int64(6),
                                         csat: contacts.int64(7), day: contacts.int64(8), repeatOf: try contacts.text(9),
                                         nextStart: contacts.int64(10)))
        }
        try finish()
        timings["derive.customers.walk", default: 0] += monotonicSeconds() - phase
        phase = monotonicSeconds()
        try db.execute(sql: "DROP TABLE IF EXISTS temp.\(Self.sortedLinks)")
        try db.execute(sql: Self.sortLinksSQL)
        try db.execute(sql: Self.writeLinksSQL)
        try db.execute(sql: "DROP TABLE temp.\(Self.sortedLinks); DELETE FROM temp.derived_link")
        timings["derive.customers.links", default: 0] += monotonicSeconds() - phase
        for d in days {
            dirtyDay.setUncheckedArguments([d])
            try dirtyDay.execute()
        }
        try db.execute(sql: "DELETE FROM dirty_customer")
    }

    /// The temporary table of the links derived, in the order of the walk.
    static let linksTableSQL = "CREATE TEMP TABLE IF NOT EXISTS derived_link (site TEXT NOT NULL, contact TEXT NOT NULL, repeat_of TEXT, next_start INTEGER)"

    /// The temporary table of the derived links in key order.
    static let sortedLinks = "derived_link_sorted"

    /// Copies the derived links into ``sortedLinks`` in (site, contact) order.
    static let sortLinksSQL = """
        CREATE TEMP TABLE \(sortedLinks) AS
        SELECT site, contact, repeat_of, next_start FROM temp.derived_link ORDER BY site, contact
        """

    /// Writes every derived link into its contact in one statement, which
    /// scans the links in key order and finds each contact by its key, so its
    /// cost follows the links, not the table. One statement instead of one
    /// run of an UPDATE per link: on north's 338,283 links, on a busy machine,
    /// 2.7–3.8 s against 3.8–4.2 s.
    static let writeLinksSQL = """
        UPDATE contact SET repeat_of = l.repeat_of, next_start = l.next_start
        FROM temp.\(sortedLinks) AS l WHERE contact.site = l.site AND contact.contact = l.contact
        """

    /// The walk of every customer's contacts in (customer, started_at) order,
    /// from the customer index alone: the links read as none (see
    /// ``deriveCustomers(_:all:)``).
    static let everyCustomerWalkSQL = """
        SELECT customer, site, contact, started_at, ended_at, channel, resolved, csat, day, NULL, NULL
        FROM contact INDEXED BY \(ProjectionSchema.customerWalkIndex) WHERE customer IS NOT NULL ORDER BY customer, started_at
        """

    /// True when moving a contact's next start from `old` to `new` changes a
    /// figure of its day or its visits' days (see ``deriveCustomers(_:all:)``).
    func dayFiguresChange(endedAt: Int64?, from old: Int64?, to new: Int64?) -> Bool {
        let w = parameters.repeatWindowMs, containment = Int64(parameters.containmentWindowHours) * 3_600_000
        func contained(_ next: Int64?) -> Bool { next.map { next in endedAt.map { next > $0 &+ containment } ?? false } ?? true }
        return RepeatRule.repeated(endedAt: endedAt, nextStart: old, windowMs: w) != RepeatRule.repeated(endedAt: endedAt, nextStart: new, windowMs: w)
            || contained(old) != contained(new)
    }

    /// `repeat_of` and `next_start` of each contact of one customer (see
    /// ``deriveCustomers(_:all:)``), in O(n log n) for n contacts.
    static func repeats(of contacts: [CustomerContact], windowMs: Int64) -> [(repeatOf: String?, nextStart: Int64?)] {
        // Most customers have one contact: it repeats nothing, and its next start is its own start
        // when that comes after its end.
        if contacts.count == 1 {
            let c = contacts[0]
            let next = c.startedAt.flatMap { s in c.endedAt.flatMap { e in s > e ? s : nil } }
            return [(nil, next)]
        }
        // Starts in order, for "the earliest start after an end".
        let starts = contacts.compactMap(\.startedAt).sorted()
        // Contacts with an end, by end ascending and, on equal ends, (site, contact) descending:
        // walking back from the latest end gives end descending, then (site, contact) ascending.
        let ended = contacts.indices.filter { contacts[$0].endedAt != nil }.sorted { a, b in
            let x = contacts[a], y = contacts[b]
            if x.endedAt != y.endedAt { return (x.endedAt ?? 0) < (y.endedAt ?? 0) }
            if x.site != y.site { return bytewiseLess(y.site, x.site) }
            return bytewiseLess(y.contact, x.contact)
        }
        let ends = ended.map { contacts[$0].endedAt ?? 0 }
        return contacts.indices.map { i in
            let c = contacts[i]
            var next: Int64?
            if let e = c.endedAt {
                let k = upperBound(starts, e)
                if k < starts.count { next = starts[k] }
            }
            var repeatOf: String?
            if let s = c.startedAt {
                // Entries whose end is ≤ s, from the latest back to s − window.
                var k = upperBound(ends, s) - 1
                let earliest = s &- windowMs
                while k >= 0, ends[k] >= earliest {
                    let p = contacts[ended[k]]
                    if let ps = p.startedAt, ps <= s, !(p.site.sameBytes(as: c.site) && p.contact.sameBytes(as: c.contact)) {
                        repeatOf = p.contact
                        break
                    }
                    k -= 1
                }
            }
            return (repeatOf, next)
        }
    }

    /// The customer's row: counts, channels and sites (distinct, in byte
    /// order, comma-joined), first and last times, and the health penalty
    /// (docs/kpi-definitions.md).
    static func customerRow(_ contacts: [CustomerContact], repeats: Int)
        -> (contacts: Int, repeats: Int, unresolved: Int, channels: String, sites: String, firstAt: Int64?, lastAt: Int64?,
            surveys: Int, satisfied: Int, penalty: Double) {
        // One pass: this runs once per customer of a rebuild (396,594 times at 4.35M events).
        var unresolved = 0, surveys = 0, satisfied = 0
        var firstAt: Int64?, lastAt: Int64?
        var channelList: [String] = [], siteList: [String] = []
        for c in contacts {
            if c.resolved == 0 { unresolved += 1 }
            if let csat = c.csat {
                surveys += 1
                if csat >= 4 { satisfied += 1 }
            }
            if let ch = c.channel, !channelList.contains(where: { $0.sameBytes(as: ch) }) { channelList.append(ch) }
            if !siteList.contains(where: { $0.sameBytes(as: c.site) }) { siteList.append(c.site) }
            if let s = c.startedAt { firstAt = min(firstAt ?? s, s) }
            if let last = c.endedAt ?? c.startedAt { lastAt = max(lastAt ?? last, last) }
        }
        let channels = joinedInByteOrder(channelList), sites = joinedInByteOrder(siteList)
        var penalty = 12.0 * Double(repeats) + 8.0 * Double(unresolved)
        if surveys > 0 { penalty += 25.0 * (1.0 - Double(satisfied) / Double(surveys)) }
        return (contacts.count, repeats, unresolved, channels, sites, firstAt, lastAt, surveys, satisfied, min(100.0, penalty))
    }

    /// `values`, already distinct by bytes (as SQLite's `DISTINCT` compares
    /// text), in byte order, comma-joined.
    static func joinedInByteOrder(_ values: [String]) -> String {
        values.count == 1 ? values[0] : values.sorted(by: bytewiseLess).joined(separator: ",")
    }

    /// The first index whose value is greater than `x` in the ascending `values`.
    static func upperBound(_ values: [Int64], _ x: Int64) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// SQLite's BINARY collation: UTF-8 bytes compared in order.
func bytewiseLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
