import GRDB
import JourneyModel

/// The base rows one flush writes: the engine's changed state, taken at once,
/// so they can be written while the engine applies the next events.
struct FlushBatch: Sendable {
    typealias Profile = (site: String, team: String?, skills: [String], hiredAt: String?)
    /// The engine's contacts as they stood when it flushed.
    var contacts: ContactTable
    /// Where the changed ones are in ``contacts``: the contacts written.
    var changed: [Int]
    var agentTime: [(key: ProjectionEngine.AgentIntervalKey, delta: AgentTimeDelta)]
    var agentProfiles: [(agent: ByteKey, profile: Profile)]
    var agentStates: [(agent: ByteKey, timeline: AgentTimeline)]
    var actions: [Event]
    var checkpoints: [String: UInt64]
    var horizon: Int64
    /// Whether ``write(_:calendar:parameters:days:customers:)`` adds the days
    /// and customers the rows touch. A rebuild derives every key afterwards
    /// and passes over them.
    var marksDirtyKeys = true

    /// The places of the changed contacts in ``contacts``, in primary-key
    /// order (site, then contact, by their bytes: SQLite's `BINARY` order),
    /// so each insert lands next to the previous one in the B-tree instead of
    /// at a random page (the dictionary's order). Places are sorted and the
    /// contacts compared where they lie: moving or copying a contact copies
    /// its strings and visits.
    func changedInKeyOrder() -> [Int] {
        contacts.states.withUnsafeBufferPointer { c in
            changed.sorted { i, j in
                c[i].site.sameBytes(as: c[j].site) ? c[i].contact.bytesPrecede(c[j].contact) : c[i].site.bytesPrecede(c[j].site)
            }
        }
    }

    /// Writes the rows, the checkpoints and the horizon into `db` (in the
    /// caller's transaction), adding the days and customers they touch
    /// (unless ``marksDirtyKeys`` is false).
    func write(_ db: Database, calendar: SiteCalendar, parameters: KPIParameters, days: inout Set<Int64>, customers: inout Set<ByteKey>) throws {
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
        try contacts.states.withUnsafeBufferPointer { c in
            for i in changedInKeyOrder() {
                try write(c[i], calendar: calendar, parameters: parameters, contact: &upsertContact, visit: &upsertVisit,
                          days: &days, customers: &customers)
            }
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

    /// Writes one contact's row and its visits' rows. The contact is borrowed where it lies
    /// in the batch: a copy would retain each of its strings and its visits.
    private func write(_ c: borrowing ContactState, calendar: SiteCalendar, parameters: KPIParameters,
                       contact upsertContact: inout BulkStatement, visit upsertVisit: inout BulkStatement,
                       days: inout Set<Int64>, customers: inout Set<ByteKey>) throws {
        let startedAt = c.startedAt ?? c.visits.first?.enteredAt ?? c.lastTouchMs
        let day = calendar.day(startedAt, site: c.site)
        // The answered visits' figures in one pass, without an array of them.
        var answered = 0, firstAnswered: Int?, lastAnswered: Int?
        var talk: Int64 = 0, hold: Int64 = 0, acw: Int64 = 0
        for k in c.visits.indices where c.visits[k].answeredAt != nil {
            let v = c.visits[k]
            answered += 1
            if firstAnswered == nil { firstAnswered = k }
            lastAnswered = k
            talk += max(0, (v.endedAt ?? v.answeredAt ?? 0) - (v.answeredAt ?? 0) - v.holdMs)
            hold += v.holdMs
            acw += v.acwMs ?? 0
        }
        let first = c.visits.first
        let wait = firstAnswered.flatMap { c.visits[$0].waitMs } ?? c.visits.last?.waitMs
        // The columns in the statement's order.
        upsertContact.bind(c.site); upsertContact.bind(c.contact); upsertContact.bind(c.channel); upsertContact.bind(c.customer)
        upsertContact.bind(c.reason); upsertContact.bind(first?.queue); upsertContact.bind(lastAnswered.flatMap { c.visits[$0].agent })
        upsertContact.bind(startedAt); upsertContact.bind(first?.enteredAt); upsertContact.bind(firstAnswered.flatMap { c.visits[$0].answeredAt })
        upsertContact.bind(c.endedAt); upsertContact.bind(wait)
        upsertContact.bind(answered > 0 ? talk : nil); upsertContact.bind(answered > 0 ? hold : nil); upsertContact.bind(answered > 0 ? acw : nil)
        upsertContact.bind(c.outcome(shortAbandonMs: Int64(parameters.shortAbandonSeconds) * 1000))
        upsertContact.bind(c.selfserved); upsertContact.bind(c.transfers); upsertContact.bind(c.resolved); upsertContact.bind(c.csat)
        upsertContact.bind(c.nps); upsertContact.bind(lastAnswered.flatMap { c.visits[$0].route }); upsertContact.bind(day)
        try upsertContact.run()
        for v in c.visits {
            let vDay = calendar.day(v.enteredAt, site: c.site)
            upsertVisit.bind(c.site); upsertVisit.bind(c.contact); upsertVisit.bind(v.n); upsertVisit.bind(v.queue); upsertVisit.bind(v.channel)
            upsertVisit.bind(v.enteredAt); upsertVisit.bind(calendar.intervalStart(v.enteredAt, site: c.site, lengthMs: parameters.intervalMs))
            upsertVisit.bind(vDay); upsertVisit.bind(v.answeredAt); upsertVisit.bind(v.abandonedAt); upsertVisit.bind(v.waitMs)
            upsertVisit.bind(v.agent); upsertVisit.bind(v.endedAt); upsertVisit.bind(v.holdMs); upsertVisit.bind(v.heldSince)
            upsertVisit.bind(v.acwMs); upsertVisit.bind(v.transferred); upsertVisit.bind(v.resolved); upsertVisit.bind(v.route)
            upsertVisit.bind(v.missed); upsertVisit.bind(v.refused); upsertVisit.bind(v.inferredEntry)
            try upsertVisit.run()
            if marksDirtyKeys { days.insert(vDay) }
        }
        guard marksDirtyKeys else { return }
        days.insert(day)
        if let w = c.writtenDay { days.insert(w) }
        if let cu = c.customer { customers.insert(ByteKey(cu)) }
        if let w = c.writtenCustomer { customers.insert(ByteKey(w)) }
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
                if marksDirtyKeys { days.insert(d.day) }
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
