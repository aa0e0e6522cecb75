import Foundation
import GRDB
import JourneyLog
import JourneyModel

/// Maintains the SQLite projections of a store: contacts, queue
/// visits, agent time, and the derived agent-day, interval, customer and
/// repeat figures.
///
/// How incremental equals rebuild: base rows (contacts, visits, agent time)
/// are changed only by applying each origin's events in seq order, and a
/// contact's or an agent's events all come from one origin, so the order in
/// which origins' events arrive cannot change them. Derived rows are a pure
/// function of the base rows and the data horizon, recomputed by the same
/// SQL for the keys marked dirty (catch-up) or for every key (rebuild).
/// Checkpoints (per origin, last seq applied) are written in the same
/// transaction as the rows derived from those events.
///
/// ```swift
/// let engine = try ProjectionEngine(path: "data/projections.sqlite")
/// try engine.catchUp(from: store)          // incremental
/// let rows = try engine.query(.intervals(site: "north"))
/// ```
public final class ProjectionEngine {
    /// The projection's SQLite file.
    public let path: String
    /// The KPI parameters the projection is built with.
    public let parameters: KPIParameters
    /// Every site's local calendar: zones from `site.configured` events (kept
    /// in `site_zone`), else the legacy offsets of ``parameters``.
    public internal(set) var calendar: SiteCalendar
    /// A zone arrived that changes days or intervals already projected: the
    /// catch-up ends with a rebuild (the zones are kept, so it happens once).
    var zonesChanged = false
    /// Sites with events projected under the current calendar (in this engine's life).
    var sitesProjected = Set<String>()
    let db: DatabaseQueue
    /// Events applied between two flushes (bounds memory).
    public var flushEvents = 200_000
    /// Events applied between two flushes during a rebuild (tests make it small,
    /// so that batches are written while later ones are applied).
    var rebuildFlushEvents = 100_000
    /// The error of a rebuild's batch written behind the apply loop (see ``flush()``).
    let writeFailure = WriteFailure()
    /// Which derived rows a catch-up or rebuild computes.
    public enum Derivation: Sendable {
        /// Every view: customers and repeats, agent days, intervals, self-service.
        case all
        /// Only what a staffing plan reads beside the base rows: the interval
        /// rows (offered, handled, staffed agents). For a scratch replay that
        /// re-derives a plan (``JourneyStaffing``'s audit); the file is left
        /// marked for a full derivation.
        case staffingInputs
    }
    /// Which derived rows this engine computes (default: all).
    public var derivation = Derivation.all
    /// Called with progress lines during long work.
    public var progress: (String) -> Void = { _ in }

    var contacts = ContactTable()
    // Agents are kept by the bytes of their ids, as the tables key them (see ``JourneyModel/ByteKey``).
    var agents: [ByteKey: AgentTimeline] = [:]
    var agentTime: [AgentIntervalKey: AgentTimeDelta] = [:]
    var agentProfiles: [ByteKey: (site: String, team: String?, skills: [String], hiredAt: String?)] = [:]
    var actions: [Event] = []
    var checkpoints: [String: UInt64] = [:]
    var horizon: Int64 = 0
    /// Events applied since the last flush.
    var unflushedEvents = 0
    /// True when this engine started from an empty projection: then a contact
    /// that is neither in memory nor in ``flushedContacts`` cannot be in the
    /// database, and is not looked up.
    var startedEmpty = false
    /// Hashes of contacts written by this engine since it started from an empty projection.
    var flushedContacts = Set<Int>()
    /// True during a rebuild (see ``rebuild(from:limit:)``): bulk mode.
    var rebuilding = false
    /// The update lock while this engine holds it (during a catch-up or rebuild).
    var heldLock: ProjectionLock?
    /// Seconds spent in each phase, for `journey bench rebuild`.
    public internal(set) var timings: [String: Double] = [:]
    /// Contacts read back from the file because an event arrived for one no
    /// longer in memory (in this engine's life).
    var contactsReadBack = 0
    /// Days whose derived rows catch-ups recomputed (in this engine's life), for `journey bench catchup`.
    public internal(set) var derivedDays = 0

    /// A contact's key, compared and hashed by its bytes, as the table's primary key is: with
    /// Swift's `==`, two contacts whose ids are canonically equivalent text were one.
    struct ContactKey: Hashable {
        var site: String
        var contact: String
        static func == (a: ContactKey, b: ContactKey) -> Bool { a.site.sameBytes(as: b.site) && a.contact.sameBytes(as: b.contact) }
        func hash(into hasher: inout Hasher) { Self.hash(site: site, contact: contact, into: &hasher) }
        /// Hashes a key's two parts, as ``hash(into:)`` does.
        static func hash(site: String, contact: String, into hasher: inout Hasher) {
            site.hashBytes(into: &hasher)
            contact.hashBytes(into: &hasher)
        }
        /// The `hashValue` of the key (`site`, `contact`), without making one.
        static func hashValue(site: String, contact: String) -> Int {
            var hasher = Hasher()
            hash(site: site, contact: contact, into: &hasher)
            return hasher.finalize()
        }
    }
    /// An agent's interval, the agent kept by its bytes (see ``JourneyModel/ByteKey``).
    struct AgentIntervalKey: Hashable { var agent: ByteKey; var interval: Int64 }

    /// How long after its origin's latest event a contact stays in memory at a
    /// flush: a later event of an older contact reads it back from the file.
    static let keepContactsMs: Int64 = 6 * 3_600_000

    /// The connection's SQLite page cache, KiB: queries and catch-ups reuse pages.
    static let cacheKiB = 65_536
    /// The page cache during a rebuild, KiB: its bulk writes pass through most
    /// pages once. Measured against 64 MB: as fast at 2M, 10M and 50M events
    /// (wall 0.997–1.014×), and the rebuild's peak 38–94 MB smaller.
    static let rebuildCacheKiB = 16_384

    /// Opens (creating or migrating) the projection database at `path`.
    /// When it was built with other KPI parameters it is emptied, to be rebuilt.
    public init(path: String, parameters: KPIParameters = KPIParameters()) throws {
        self.path = path
        self.parameters = parameters
        self.calendar = SiteCalendar(legacyOffsetMinutes: parameters.siteUTCOffsetMinutes)
        var config = Configuration()
        config.journalMode = .wal
        // Readers never block in WAL mode; a second writer waits for the first instead of failing with "locked".
        config.busyMode = .timeout(600)
        config.prepareDatabase { db in
            // Sorts larger than the cache (a rebuild sorts every contact by customer, and every
            // repeat link by key) spill to temporary files rather than grow memory with the log.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -\(Self.cacheKiB); PRAGMA temp_store = FILE")
            // Deleted rows are not overwritten with zeros. Some builds of SQLite (Debian's) zero them by
            // default: a rebuild then wrote every page of the old projection once more only to empty it
            // (3.3 s of a 4.35M-event rebuild, 0.5 s without). The file holds nothing the log does not
            // (docs/threat-model.md), so zeroing hides nothing.
            try db.execute(sql: "PRAGMA secure_delete = OFF")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        let lock = try ProjectionLock(path: path + ".lock") { _ in }
        defer { withExtendedLifetime(lock) {} }
        try ProjectionSchema.migrator.migrate(db)
        try db.write { db in
            let recorded = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'parameters'")
            if let recorded, recorded != parameters.json {
                try Self.clear(db)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('parameters', ?)", arguments: [parameters.json])
        }
        try loadState()
    }

    /// Deletes the projection file at `path` with its write-ahead log and
    /// shared-memory files (a file not there is no error): for scratch files
    /// that are built again from the log.
    public static func removeFiles(at path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func clear(_ db: Database) throws {
        for table in ["checkpoint", "contact", "visit", "agent", "agent_skill", "agent_time", "action", "agent_day",
                      "interval_stat", "customer", "selfservice_day", "dirty_day", "dirty_customer"] + ExportJournal.tables {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        // The export settings outlive a rebuild; an attached export must now copy everything.
        try db.execute(sql: "DELETE FROM meta WHERE key <> 'parameters' AND key NOT LIKE 'export.%'")
        if try ExportJournal.isEnabled(db) {
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('export.full', '1')")
        }
    }

    func loadState() throws {
        try db.read { db in
            checkpoints = [:]
            for row in try Row.fetchAll(db, sql: "SELECT origin, last_seq FROM checkpoint") {
                checkpoints[row[0]] = UInt64(row[1] as Int64)
            }
            horizon = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'horizon'") ?? 0
            calendar = SiteCalendar.restored(legacyOffsetMinutes: parameters.siteUTCOffsetMinutes, zones: try Row.fetchAll(
                db, sql: "SELECT site, from_ms, zone FROM site_zone ORDER BY site, from_ms").map { (site: $0[0], fromMs: $0[1], zone: $0[2]) })
            agents = [:]
            for row in try Row.fetchAll(db, sql: "SELECT agent, site, state, state_since FROM agent") {
                let state = AgentTimeline.State(rawValue: row[2]) ?? .offline
                agents[ByteKey(row[0])] = AgentTimeline(site: row[1] ?? "", state: state, since: row[3])
            }
        }
        startedEmpty = checkpoints.isEmpty
        // Sites already in the file were projected in the calendar known then.
        sitesProjected = Set(checkpoints.keys)
    }

    /// The position vector the projection reflects: per origin, the last seq applied.
    public var positions: [String: UInt64] { checkpoints }

    /// The data horizon: the latest event time applied ("end of data").
    public var dataHorizon: Timestamp { Timestamp(ms: horizon) }

    // MARK: Catching up

    /// What to apply: all of each origin, up to a seq per origin, or up to an event time.
    public struct Limit: Sendable {
        /// Per origin, the last seq to apply; nil: no limit by position.
        public var positions: [String: UInt64]?
        /// Apply only events at or before this time; nil: no limit by time.
        public var asOf: Timestamp?
        /// A limit by position vector, by time, or both.
        public init(positions: [String: UInt64]? = nil, asOf: Timestamp? = nil) {
            self.positions = positions
            self.asOf = asOf
        }
        /// No limit: the whole log.
        public static let none = Limit()
    }

    /// Applies every event of `store` not yet applied (within `limit`), then
    /// recomputes the derived rows that changed. Returns the events applied.
    @discardableResult
    public func catchUp(from store: any EventSource, limit: Limit = .none) throws -> Int {
        // One process at a time brings the file up to date; whoever waited picks up what the other committed.
        let lock = heldLock == nil ? try ProjectionLock(path: path + ".lock", waiting: { self.progress($0) }) : nil
        if let lock {
            heldLock = lock
            try reloadIfChangedElsewhere()
        }
        defer { if lock != nil { heldLock = nil } }
        var applied = 0
        // What there is to apply, so progress can say how far along and how long is left.
        let total = store.origins.reduce(UInt64(0)) { sum, origin in
            let last = store.lastSeq(of: origin)
            let upTo = limit.positions.map { min(last, $0[origin] ?? 0) } ?? last
            return sum + (upTo > (checkpoints[origin] ?? 0) ? upTo - (checkpoints[origin] ?? 0) : 0)
        }
        let started = monotonicSeconds()
        for origin in store.origins {
            let after = checkpoints[origin] ?? 0
            let upTo = limit.positions.map { $0[origin] ?? 0 }
            if let upTo, upTo <= after { continue }
            try store.scan(origin: origin, afterSeq: after) { e in
                if let upTo, e.seq > upTo { return false }
                // As of a time: every event at or before it, wherever it stands in its log.
                if let asOf = limit.asOf, e.at > asOf { return true }
                try apply(e)
                applied += 1
                if unflushedEvents >= flushEvents {
                    try flush()
                    progress(ProgressLine.text(verb: "applied", unit: "events", done: UInt64(applied), total: total,
                                               elapsedSeconds: monotonicSeconds() - started))
                }
                return true
            }
            // A rebuild ends a batch with each origin: the next origin's contacts are then kept and
            // written at the same points as when it is rebuilt alone.
            if rebuilding { try flush() }
        }
        try flush()
        if rebuilding && derivation == .all {
            try finishWrites()
            try deriveRebuilt()
        } else if rebuilding {
            try finishWrites()
            try buildIndexes()
            try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = NORMAL") }
            try derive()
        } else {
            // A rebuild killed before its end left the secondary indexes dropped: put them back
            // before deriving (a no-op when they exist), so catch-ups never run without them.
            try buildIndexes()
            try derive()
        }
        if zonesChanged {
            // Days and intervals already written used the old zone: project everything again,
            // with the zones now known from the start.
            zonesChanged = false
            progress("a site's time zone changed: rebuilding the projection in the new local calendar")
            return try rebuild(from: store, limit: limit)
        }
        return applied
    }

    /// Builds those of `statements` (secondary indexes' `CREATE INDEX`) that
    /// the file lacks, in one transaction, timed as the `index` phase.
    func buildIndexes(_ statements: [String] = ProjectionSchema.secondaryIndexes) throws {
        let started = monotonicSeconds()
        defer { timings["index", default: 0] += monotonicSeconds() - started }
        try db.write { db in
            for sql in statements { try db.execute(sql: sql.replacingOccurrences(of: "CREATE INDEX", with: "CREATE INDEX IF NOT EXISTS")) }
        }
    }

    /// Secondary indexes missing from the file: none after any completed
    /// catch-up or rebuild; a rebuild killed before its end leaves them
    /// dropped until the next catch-up puts them back.
    public func missingIndexes() throws -> [String] {
        let present = try db.read { try Set(String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")) }
        return ProjectionSchema.secondaryIndexNames.filter { !present.contains($0) }
    }

    /// After waiting for another process, the file may be ahead of what this
    /// engine holds in memory: start again from what is committed. The same
    /// holds when this engine's own write was refused (a catch-up's flush, a
    /// rebuild's batch): its memory is then ahead of the file, and the next
    /// catch-up starts again from the committed checkpoints instead of
    /// skipping the events whose rows were lost
    /// (`testTheSameEngineRetriedAfterARefusedWriteLosesNothing`).
    func reloadIfChangedElsewhere() throws {
        let committed = try db.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT origin, last_seq FROM checkpoint").map { (row: Row) -> (String, UInt64) in
                (row[0], UInt64(max(0, row[1] as Int64)))
            })
        }
        guard committed != checkpoints else { return }
        contacts = ContactTable()
        flushedContacts = []
        try loadState()
    }

    /// Empties the projection and applies the whole store again, in bulk
    /// mode: secondary indexes are dropped and built once at the end, every
    /// key is marked dirty at once, and commits are not synced (a rebuild
    /// interrupted by a crash is simply run again: its checkpoints and rows
    /// stay consistent, as they commit together).
    public func rebuild(from store: any EventSource, limit: Limit = .none) throws -> Int {
        let lock = heldLock == nil ? try ProjectionLock(path: path + ".lock", waiting: { self.progress($0) }) : nil
        if let lock { heldLock = lock }
        defer { if lock != nil { heldLock = nil } }
        try db.write { db in
            try Self.clear(db)
            for name in ProjectionSchema.secondaryIndexNames { try db.execute(sql: "DROP INDEX IF EXISTS \(name)") }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('dirty_all', '1')")
        }
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -\(Self.rebuildCacheKiB)") }
        defer { try? db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)") } }
        rebuilding = true
        defer { rebuilding = false }
        let savedFlush = flushEvents
        flushEvents = rebuildFlushEvents
        defer { flushEvents = savedFlush }
        contacts = ContactTable()
        flushedContacts = []
        timings = [:]
        agents = [:]
        agentTime = [:]
        agentProfiles = [:]
        actions = []
        try loadState()
        let applied = try catchUp(from: store, limit: limit)
        // The page cache is now full of the pages the bulk writes went through, of little use to the
        // queries that follow: give it back.
        try releaseMemory()
        return applied
    }

    /// Gives the SQLite page cache of this engine back to the system; later
    /// queries read their pages again (from the operating system's cache).
    /// For an engine that stays open but idle while the process does
    /// memory-hungry work (the demo's audit replay). Also hands the memory
    /// the allocator keeps free back to the system: after a rebuild on a
    /// thread of its own, glibc kept what the rebuild had freed in that
    /// thread's arena (one demo run with its rebuilds and audit side by side
    /// peaked at 696 MB; with this and its id indexes freed after use, 473 MB).
    public func releaseMemory() throws {
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA shrink_memory") }
        _ = mallocTrim?(0)
    }

    // MARK: Applying one event

    func apply(_ e: Event) throws {
        unflushedEvents += 1
        checkpoints[e.site] = e.seq
        // Stores validate times since format 2 (``Event/validate()``); an older log can still hold
        // one outside the years 0001–9999, which no figure can use: it is passed over, not applied.
        // So is an event whose key holds a control character or whose text holds a NUL (refused
        // since 2026-11-30): SQLite would end the text at the NUL, and two contacts would become one.
        guard Limits.contains(e.at), e.hasStorableText else { return }
        // Actions are stamped when they were decided (now), not when the contacts happened:
        // they do not move the data horizon ("end of data").
        if !e.kind.isAction { horizon = max(horizon, e.at.ms) }
        if let c = e.contact, e.kind.isContactLifecycle || e.kind == .agentMissed {
            let key = ContactKey(site: e.site, contact: c)
            // Changed where it is kept: a copy taken out and put back would retain every field
            // and copy the visits on the first change, for each of the contact's events.
            if let i = contacts.place(of: key) {
                contacts.update(i) { $0.apply(e) }
            } else {
                var state = try loadContact(key)
                state.apply(e)
                contacts.add(state, for: key)
            }
        }
        if e.kind == .siteConfigured {
            if calendar.apply(e) {
                try db.write { db in
                    try db.execute(sql: "DELETE FROM site_zone WHERE site = ?", arguments: [e.site])
                    for h in calendar.zones[e.site]?.history ?? [] {
                        try db.execute(sql: "INSERT INTO site_zone (site, from_ms, zone) VALUES (?, ?, ?)", arguments: [e.site, h.from, h.zone.description])
                    }
                }
                // Rows of this site written before under another calendar are now wrong.
                if sitesProjected.contains(e.site) { zonesChanged = true }
            }
            return
        }
        sitesProjected.insert(e.site)
        if let agent = e.agent { try applyAgent(ByteKey(agent), e) }
        switch e.kind {
        case .coachingScheduled, .staffingPlanned, .agentLent: actions.append(e)
        default: break
        }
    }

    func applyAgent(_ agent: ByteKey, _ e: Event) throws {
        var timeline = agents[agent] ?? AgentTimeline(site: e.site)
        if e.kind == .agentAssigned {
            let skills = (e.data["skills"].flatMap { v -> [String]? in
                if case .array(let items) = v { return items.compactMap(\.stringValue) }
                return nil
            }) ?? []
            let site = e.data["site"]?.stringValue ?? e.site
            agentProfiles[agent] = (site, e.data["team"]?.stringValue, skills, e.data["hiredAt"]?.stringValue)
            timeline.site = site
        }
        if e.kind == .agentMissed {
            let interval = calendar.intervalStart(e.at.ms, site: timeline.site, lengthMs: parameters.intervalMs)
            agentTime[AgentIntervalKey(agent: agent, interval: interval), default: AgentTimeDelta(site: timeline.site, day: calendar.day(e.at.ms, site: timeline.site))].missed += 1
        }
        if let next = AgentTimeline.nextState(for: e, current: timeline.state) {
            let site = timeline.site
            timeline.transition(to: next, at: e.at.ms) { state, from, to in addTime(agent, site: site, state: state, from: from, to: to) }
        }
        agents[agent] = timeline
    }

    /// Adds `[from, to)` in `state` to the agent's interval rows, split at interval boundaries.
    func addTime(_ agent: ByteKey, site: String, state: AgentTimeline.State, from: Int64, to: Int64) {
        var start = from
        while start < to {
            let interval = calendar.intervalStart(start, site: site, lengthMs: parameters.intervalMs)
            let end = min(to, interval + parameters.intervalMs)
            let ms = end - start
            let key = AgentIntervalKey(agent: agent, interval: interval)
            agentTime[key, default: AgentTimeDelta(site: site, day: calendar.day(start, site: site))].add(ms, in: state)
            start = end
        }
    }
}

#if canImport(Glibc)
/// glibc's `malloc_trim`, found at run time (its header is not part of the
/// Glibc module); nil if the C library has none.
private let mallocTrim: (@convention(c) (Int) -> Int32)? = dlsym(nil, "malloc_trim").map {
    unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
}
#else
/// Only glibc keeps freed memory in per-thread arenas this way: nothing to trim elsewhere.
private let mallocTrim: ((Int) -> Int32)? = nil
#endif
