import GRDB
import JourneyModel
import Synchronization

extension ProjectionEngine {
    /// A contact's state as last written, or a new one.
    func loadContact(_ key: ContactKey) throws -> ContactState {
        var state = ContactState(site: key.site, contact: key.contact)
        if startedEmpty && !flushedContacts.contains(key.hashValue) { return state }
        contactsReadBack += 1
        let started = monotonicSeconds()
        defer { timings["load", default: 0] += monotonicSeconds() - started }
        // On the connection's queue, behind any batch a rebuild's flush queued, with statements
        // prepared once: through `read` and SQL text, each contact paid two statements prepared
        // again and a read-only savepoint (four statements more, two of them prepared again). This
        // engine holds the update lock, so nothing writes between the two reads.
        try db.inDatabase { db in
            let contactRow = try db.cachedStatement(sql: """
                SELECT channel, customer, reason, started_at, ended_at, selfserved, transfers, resolved, csat, nps, day
                FROM contact WHERE site = ? AND contact = ?
                """)
            contactRow.setUncheckedArguments([key.site, key.contact])
            guard let row = try Row.fetchOne(contactRow) else { return }
            state.channel = row[0]
            state.customer = row[1]
            state.reason = row[2]
            state.startedAt = row[3]
            state.endedAt = row[4]
            state.selfserved = row[5] as Bool
            state.transfers = row[6]
            state.resolved = row[7]
            state.csat = row[8]
            state.nps = row[9]
            state.writtenCustomer = state.customer
            state.writtenDay = row[10]
            let visitRows = try db.cachedStatement(sql: """
                SELECT n, queue, channel, entered_at, answered_at, abandoned_at, wait_ms, agent, ended_at, hold_ms, held_since,
                       acw_ms, transferred, resolved, route, missed, refused, inferred_entry
                FROM visit WHERE site = ? AND contact = ? ORDER BY n
                """)
            visitRows.setUncheckedArguments([key.site, key.contact])
            for v in try Row.fetchAll(visitRows) {
                state.visits.append(ContactState.Visit(
                    n: v[0], queue: v[1], channel: v[2], enteredAt: v[3], answeredAt: v[4], abandonedAt: v[5], waitMs: v[6],
                    agent: v[7], endedAt: v[8], holdMs: v[9], heldSince: v[10], acwMs: v[11], transferred: v[12] as Bool,
                    resolved: v[13], route: v[14], missed: v[15], refused: v[16] as Bool, inferredEntry: v[17] as Bool))
            }
        }
        return state
    }

    /// Writes every changed base row, the checkpoints and the horizon in one
    /// transaction, and marks the days and customers whose derived rows changed.
    ///
    /// During a rebuild the rows are written behind the apply loop: the batch
    /// is queued on the database's serial queue and this returns, so the
    /// next events are decoded and applied on one core while the last ones
    /// are written on the other. Every later access to the file (a contact
    /// read back, the next batch, the indexes) is queued behind it, so it
    /// sees the batch committed; at most one batch waits, and its failure is
    /// thrown by the next flush or by ``finishWrites()``.
    func flush() throws {
        guard unflushedEvents > 0 || !contacts.isEmpty else { return }
        let started = monotonicSeconds()
        defer { timings["flush", default: 0] += monotonicSeconds() - started }
        // The batch takes the whole table as it stands (no copy: the engine starts a new one below)
        // with the places of the changed contacts. Filtering them into a new dictionary, copying
        // each into an array and freeing the rest were 6 % of a rebuild's samples, all on the
        // thread that applies events.
        let (changed, keep) = Self.survey(contacts.states, keepMs: Self.keepContactsMs)
        if startedEmpty {
            contacts.states.withUnsafeBufferPointer { c in
                for i in changed { flushedContacts.insert(ContactKey.hashValue(site: c[i].site, contact: c[i].contact)) }
            }
        }
        let batch = FlushBatch(
            contacts: contacts, changed: changed,
            agentTime: agentTime.map { ($0.key, $0.value) },
            agentProfiles: agentProfiles.map { ($0.key, $0.value) },
            agentStates: agents.map { ($0.key, $0.value) },
            actions: actions, checkpoints: checkpoints, horizon: horizon, marksDirtyKeys: !rebuilding)
        var kept = ContactTable(minimumCapacity: keep.count)
        for i in keep {
            var c = contacts.states[i]
            c.changed = false
            c.writtenCustomer = c.customer
            c.writtenDay = calendar.day(c.startedAt ?? c.visits.first?.enteredAt ?? c.lastTouchMs, site: c.site)
            kept.add(c, for: ContactKey(site: c.site, contact: c.contact))
        }
        contacts = kept
        agentTime = [:]
        agentProfiles = [:]
        actions = []
        unflushedEvents = 0
        let calendar = calendar, parameters = parameters
        if rebuilding {
            // One batch in flight: wait for the previous one (a no-op read queued behind it).
            try finishWrites()
            let failure = writeFailure
            db.asyncWrite({ db in
                var days = Set<Int64>(), customers = Set<ByteKey>()
                try batch.write(db, calendar: calendar, parameters: parameters, days: &days, customers: &customers)
            }, completion: { _, result in
                if case .failure(let error) = result { failure.record(error) }
            })
            return
        }
        let oldHorizon = try db.read { try Int64.fetchOne($0, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'horizon'") } ?? 0
        try db.write { db in
            var days = Set<Int64>(), customers = Set<ByteKey>()
            try batch.write(db, calendar: calendar, parameters: parameters, days: &days, customers: &customers)
            // Contacts whose repeat window closed between the old and new horizon change their FCR status.
            // Only days that hold contacts can change, so they are looked up rather than walked:
            // the work is bounded by the data, however far the horizon jumped.
            if batch.horizon > oldHorizon {
                let first = LocalDay(localMs: oldHorizon - parameters.repeatWindowMs).number - 1
                let last = LocalDay(localMs: batch.horizon - parameters.repeatWindowMs).number + 1
                days.formUnion(try Int64.fetchAll(db, sql: "SELECT DISTINCT day FROM contact WHERE day BETWEEN ? AND ?", arguments: [first, last]))
            }
            let dirtyDay = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_day (day) VALUES (?)")
            let dirtyCustomer = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_customer (customer) VALUES (?)")
            for d in days {
                dirtyDay.setUncheckedArguments([d])
                try dirtyDay.execute()
            }
            for cu in customers {
                dirtyCustomer.setUncheckedArguments([cu.text])
                try dirtyCustomer.execute()
            }
            // An attached export learns which rows changed, in the same transaction.
            // (After a rebuild it copies everything: 'export.full'.)
            if try ExportJournal.isEnabled(db) {
                try ExportJournal.record(db, contacts: batch.changedInKeyOrder().map { (batch.contacts.states[$0].site, batch.contacts.states[$0].contact) }, days: days,
                                         actions: batch.actions.map { ($0.site, Int64($0.seq)) })
            }
        }
    }

    /// The places of the changed contacts, and of those to keep in memory:
    /// the ones that may still get events, touched within `keepMs` of the
    /// latest event of their own origin. Recent in their own origin's time:
    /// origins are applied one after another, and against the latest time of
    /// all, every contact of the second origin was old at each flush and was
    /// read back from the file for its next event (3.5 s of a 4.35M-event,
    /// three-origin rebuild).
    static func survey(_ states: [ContactState], keepMs: Int64) -> (changed: [Int], keep: [Int]) {
        states.withUnsafeBufferPointer { c in
            // A store holds a handful of origins: a list compared by bytes, not a table hashing each site.
            var latest: [(site: String, ms: Int64)] = []
            func origin(_ i: Int) -> Int {
                for j in latest.indices where latest[j].site.sameBytes(as: c[i].site) { return j }
                latest.append((c[i].site, c[i].lastTouchMs))
                return latest.count - 1
            }
            var changed: [Int] = [], site: [Int] = []
            site.reserveCapacity(c.count)
            for i in c.indices {
                let j = origin(i)
                latest[j].ms = max(latest[j].ms, c[i].lastTouchMs)
                site.append(j)
                if c[i].changed { changed.append(i) }
            }
            let keep = c.indices.filter { c[$0].lastTouchMs >= latest[site[$0]].ms - keepMs }
            return (changed, keep)
        }
    }

    /// Waits until the rows a rebuild's flush queued are committed, and throws
    /// the error that kept them from being written, if any.
    func finishWrites() throws {
        let started = monotonicSeconds()
        defer { timings["flush.wait", default: 0] += monotonicSeconds() - started }
        try db.read { _ in }
        if let error = writeFailure.take() { throw error }
    }
}

/// The error of a rebuild's write that ran behind the apply loop, kept until
/// the engine next waits for its writes.
final class WriteFailure: Sendable {
    private let error = Mutex<(any Error)?>(nil)
    /// Keeps the first error.
    func record(_ e: any Error) { error.withLock { if $0 == nil { $0 = e } } }
    /// The kept error, if any, forgetting it.
    func take() -> (any Error)? { error.withLock { e in defer { e = nil }; return e } }
}

#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, for phase timings.
func monotonicSeconds() -> Double { SystemClock.monotonicSeconds() }
