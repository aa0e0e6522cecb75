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
        let batch = FlushBatch(
            contacts: contacts.filter { $0.value.changed }.map { ($0.key, $0.value) },
            agentTime: agentTime.map { ($0.key, $0.value) },
            agentProfiles: agentProfiles.map { ($0.key, $0.value) },
            agentStates: agents.map { ($0.key, $0.value) },
            actions: actions, checkpoints: checkpoints, horizon: horizon)
        if startedEmpty { for (key, _) in batch.contacts { flushedContacts.insert(key.hashValue) } }
        // Keep contacts that may still get events (recent ones); the rest are reloaded if needed.
        // Recent in their own origin's time: origins are applied one after another, and against the
        // latest time of all, every contact of the second origin was old at each flush and was read
        // back from the file for its next event (3.5 s of a 4.35M-event, three-origin rebuild).
        var latest: [String: Int64] = [:]
        for (k, c) in contacts { latest[k.site] = max(latest[k.site] ?? c.lastTouchMs, c.lastTouchMs) }
        // Sized once: grown from empty, the table was rehashed every few thousand contacts after each flush.
        var kept = [ContactKey: ContactState](minimumCapacity: contacts.count)
        for (k, var c) in contacts where c.lastTouchMs >= (latest[k.site] ?? horizon) - Self.keepContactsMs {
            c.changed = false
            c.writtenCustomer = c.customer
            c.writtenDay = calendar.day(c.startedAt ?? c.visits.first?.enteredAt ?? c.lastTouchMs, site: k.site)
            kept[k] = c
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
                try ExportJournal.record(db, contacts: batch.contacts.map { ($0.key.site, $0.key.contact) }, days: days,
                                         actions: batch.actions.map { ($0.site, Int64($0.seq)) })
            }
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

/// The base rows one flush writes: the engine's changed state, taken at once,
/// so they can be written while the engine applies the next events.
struct FlushBatch: Sendable {
    typealias Profile = (site: String, team: String?, skills: [String], hiredAt: String?)
    var contacts: [(key: ProjectionEngine.ContactKey, state: ContactState)]
    var agentTime: [(key: ProjectionEngine.AgentIntervalKey, delta: AgentTimeDelta)]
    var agentProfiles: [(agent: ByteKey, profile: Profile)]
    var agentStates: [(agent: ByteKey, timeline: AgentTimeline)]
    var actions: [Event]
    var checkpoints: [String: UInt64]
    var horizon: Int64

    /// Writes the rows, the checkpoints and the horizon into `db` (in the
    /// caller's transaction), adding the days and customers they touch.
    func write(_ db: Database, calendar: SiteCalendar, parameters: KPIParameters, days: inout Set<Int64>, customers: inout Set<ByteKey>) throws {
        let shortMs = Int64(parameters.shortAbandonSeconds) * 1000
        var upsertContact = try BulkStatement(db, sql: """
            INSERT OR REPLACE INTO contact (site, contact, channel, customer, reason, queue, agent, started_at, queued_at,
              answered_at, ended_at, wait_ms, talk_ms, hold_ms, acw_ms, outcome, selfserved, transfers, resolved, csat, nps, route, day)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        var upsertVisit = try BulkStatement(db, sql: """
            INSERT OR REPLACE INTO visit (site, contact, n, queue, channel, entered_at, interval_start, day, answered_at, abandoned_at,
              wait_ms, agent, ended_at, hold_ms, held_since, acw_ms, transferred, resolved, route, missed, refused, inferred_entry)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        // In primary-key order: each insert lands next to the previous one in the B-tree
        // instead of at a random page (the dictionary's order).
        let changed = contacts.sorted { a, b in
            a.key.site != b.key.site ? a.key.site < b.key.site : a.key.contact < b.key.contact
        }
        for (key, c) in changed {
            let startedAt = c.startedAt ?? c.visits.first?.enteredAt ?? c.lastTouchMs
            let day = calendar.day(startedAt, site: key.site)
            let answered = c.visits.filter { $0.answeredAt != nil }
            let first = c.visits.first
            let firstAnswered = answered.first
            var talk: Int64?, hold: Int64?, acw: Int64?
            if !answered.isEmpty {
                talk = answered.reduce(0) { $0 + max(0, ($1.endedAt ?? $1.answeredAt ?? 0) - ($1.answeredAt ?? 0) - $1.holdMs) }
                hold = answered.reduce(0) { $0 + $1.holdMs }
                acw = answered.reduce(0) { $0 + ($1.acwMs ?? 0) }
            }
            let wait = firstAnswered?.waitMs ?? c.visits.last?.waitMs
            // The columns in the statement's order.
            upsertContact.bind(key.site); upsertContact.bind(key.contact); upsertContact.bind(c.channel); upsertContact.bind(c.customer)
            upsertContact.bind(c.reason); upsertContact.bind(first?.queue); upsertContact.bind(answered.last?.agent); upsertContact.bind(startedAt)
            upsertContact.bind(first?.enteredAt); upsertContact.bind(firstAnswered?.answeredAt); upsertContact.bind(c.endedAt); upsertContact.bind(wait)
            upsertContact.bind(talk); upsertContact.bind(hold); upsertContact.bind(acw); upsertContact.bind(c.outcome(shortAbandonMs: shortMs))
            upsertContact.bind(c.selfserved); upsertContact.bind(c.transfers); upsertContact.bind(c.resolved); upsertContact.bind(c.csat)
            upsertContact.bind(c.nps); upsertContact.bind(answered.last?.route); upsertContact.bind(day)
            try upsertContact.run()
            for v in c.visits {
                let vDay = calendar.day(v.enteredAt, site: key.site)
                upsertVisit.bind(key.site); upsertVisit.bind(key.contact); upsertVisit.bind(v.n); upsertVisit.bind(v.queue); upsertVisit.bind(v.channel)
                upsertVisit.bind(v.enteredAt); upsertVisit.bind(calendar.intervalStart(v.enteredAt, site: key.site, lengthMs: parameters.intervalMs))
                upsertVisit.bind(vDay); upsertVisit.bind(v.answeredAt); upsertVisit.bind(v.abandonedAt); upsertVisit.bind(v.waitMs)
                upsertVisit.bind(v.agent); upsertVisit.bind(v.endedAt); upsertVisit.bind(v.holdMs); upsertVisit.bind(v.heldSince)
                upsertVisit.bind(v.acwMs); upsertVisit.bind(v.transferred); upsertVisit.bind(v.resolved); upsertVisit.bind(v.route)
                upsertVisit.bind(v.missed); upsertVisit.bind(v.refused); upsertVisit.bind(v.inferredEntry)
                try upsertVisit.run()
                days.insert(vDay)
            }
            days.insert(day)
            if let w = c.writtenDay { days.insert(w) }
            if let cu = c.customer { customers.insert(ByteKey(cu)) }
            if let w = c.writtenCustomer { customers.insert(ByteKey(w)) }
        }
        try writeAgents(db, days: &days)
        for a in actions {
            var data: [UInt8] = []
            JSONWriter.writeObject(a.data, into: &data)
            try db.execute(sql: "INSERT OR REPLACE INTO action (origin, seq, kind, at, agent, data) VALUES (?,?,?,?,?,?)",
                           arguments: [a.site, Int64(a.seq), a.kind.rawValue, a.at.ms, a.agent, String(decoding: data, as: UTF8.self)])
        }
        for (origin, seq) in checkpoints {
            try db.execute(sql: "INSERT OR REPLACE INTO checkpoint (origin, last_seq) VALUES (?, ?)", arguments: [origin, Int64(seq)])
        }
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('horizon', ?)", arguments: [String(horizon)])
    }

    func writeAgents(_ db: Database, days: inout Set<Int64>) throws {
        var addTime = try BulkStatement(db, sql: """
            INSERT INTO agent_time (agent, site, interval_start, day, logged_ms, ready_ms, busy_ms, notready_ms, missed)
            VALUES (?,?,?,?,?,?,?,?,?)
            ON CONFLICT (agent, interval_start) DO UPDATE SET
              logged_ms = logged_ms + excluded.logged_ms, ready_ms = ready_ms + excluded.ready_ms,
              busy_ms = busy_ms + excluded.busy_ms, notready_ms = notready_ms + excluded.notready_ms, missed = missed + excluded.missed
            """)
        // In key order: agents in byte order, then each agent's intervals. Grouped first, so the sort
        // compares integers, not agent strings (a sort of (agent, interval) pairs was ~3 % of a rebuild's CPU).
        var byAgent: [ByteKey: [Int]] = [:]
        for i in agentTime.indices { byAgent[agentTime[i].key.agent, default: []].append(i) }
        for (agent, rows) in byAgent.sorted(by: { $0.key < $1.key }) {
            for i in rows.sorted(by: { agentTime[$0].key.interval < agentTime[$1].key.interval }) {
                let (key, d) = agentTime[i]
                addTime.bind(agent.text); addTime.bind(d.site); addTime.bind(key.interval); addTime.bind(d.day); addTime.bind(d.logged)
                addTime.bind(d.ready); addTime.bind(d.busy); addTime.bind(d.notready); addTime.bind(d.missed)
                try addTime.run()
                days.insert(d.day)
            }
        }
        for (agent, p) in agentProfiles {
            try db.execute(sql: """
                INSERT INTO agent (agent, site, team, skills, hired_at) VALUES (?,?,?,?,?)
                ON CONFLICT (agent) DO UPDATE SET site = excluded.site, team = excluded.team, skills = excluded.skills, hired_at = excluded.hired_at
                """, arguments: [agent.text, p.site, p.team, p.skills.joined(separator: ","), p.hiredAt])
            try db.execute(sql: "DELETE FROM agent_skill WHERE agent = ?", arguments: [agent.text])
            for q in p.skills { try db.execute(sql: "INSERT OR IGNORE INTO agent_skill (agent, queue) VALUES (?, ?)", arguments: [agent.text, q]) }
        }
        let saveState = try db.cachedStatement(sql: """
            INSERT INTO agent (agent, site, state, state_since) VALUES (?,?,?,?)
            ON CONFLICT (agent) DO UPDATE SET state = excluded.state, state_since = excluded.state_since
            """)
        for (agent, t) in agentStates {
            saveState.setUncheckedArguments([agent.text, t.site, t.state.rawValue, t.since])
            try saveState.execute()
        }
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
