import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections

extension Node {
    // MARK: Creating and configuring the store

    /// Creates the store for `site` with a new signing key, installs the
    /// pseudonym key (`nil`: a new one), and records the site's time zone as
    /// the first event of its log when one is given.
    public func create(site: String, zone: SiteTimeZone?, pseudonymKey: [UInt8]?) throws -> LogStore {
        var options = LogOptions()
        options.durability = durability
        let store = try LogStore.create(directory: directory.path, site: site, options: options)
        try Pseudonyms.install(directory: directory.path, key: pseudonymKey)
        if let zone { _ = try store.append([SiteZones.event(site: site, zone: zone, effective: nil, recordedAt: clock.now())]) }
        return store
    }

    /// Writes a lost `journey.json` again for the key and logs already in the
    /// directory (checking the key signs `site`'s log), and installs the
    /// pseudonym key when given and none is installed. Returns the store and
    /// whether the key was installed.
    public func adopt(site: String, pseudonymKey: [UInt8]?) throws -> (LogStore, installedKey: Bool) {
        var options = LogOptions()
        options.durability = durability
        let store = try LogStore.adopt(directory: directory.path, site: site, options: options)
        return (store, try Pseudonyms.install(directory: directory.path, key: pseudonymKey))
    }

    /// Records that this site is on `zone` from `effective` (nil: from the
    /// start); false when that exact setting was already recorded.
    public func recordZone(_ zone: SiteTimeZone, effective: Timestamp?, in store: LogStore) throws -> Bool {
        try store.append([SiteZones.event(site: store.site, zone: zone, effective: effective, recordedAt: clock.now())]).appended == 1
    }

    // MARK: Checking

    /// Verifies the store's files without opening it (recovery would cut a
    /// damaged tail that verification must report), with this site's key and
    /// the keys pinned in the sync config at `configPath` (default `sync.json`).
    public func verify(configPath: String? = nil) throws -> LogVerifier.Report {
        let identity = try LogStore.identity(directory: directory.path)
        var keys = try directory.syncConfigIfPresent(at: configPath)?.keys ?? [:]
        keys[identity.site] = identity.publicKey
        return try LogVerifier(directory: directory.path, publicKeys: keys).verify()
    }

    // MARK: Projections

    /// Rebuilds the projections from the whole log; returns the events
    /// applied, the seconds it took and the engine (positions, phase timings).
    public func rebuild() throws -> (events: Int, seconds: Double, engine: ProjectionEngine) {
        let store = try openStore(readOnly: true)
        defer { store.close() }
        let engine = try ProjectionEngine(path: directory.projectionsPath, parameters: try directory.kpiParameters())
        engine.progress = { [progress] in progress("rebuild: \($0)") }
        let started = clock.monotonicSeconds()
        let n = try engine.rebuild(from: store)
        return (n, clock.monotonicSeconds() - started, engine)
    }

    /// The projections in the file `path` (one ``replay(into:limit:)`` wrote), to read as they are.
    public func projections(at path: String) throws -> ProjectionEngine {
        guard FileManager.default.fileExists(atPath: path) else { throw NodeError(.unreadable, "no projection file at \(path)") }
        return try ProjectionEngine(path: path, parameters: try directory.kpiParameters())
    }

    /// Builds projections into the new file `path` (replaced if it exists)
    /// from the events up to `limit` — an event time or a position vector —
    /// in bulk, as a rebuild is.
    public func replay(into path: String, limit: ProjectionEngine.Limit) throws -> (events: Int, engine: ProjectionEngine) {
        let store = try openStore(readOnly: true)
        defer { store.close() }
        ProjectionEngine.removeFiles(at: path)
        let engine = try ProjectionEngine(path: path, parameters: try directory.kpiParameters())
        engine.progress = { [progress] in progress("replay: \($0)") }
        return (try engine.rebuild(from: store, limit: limit), engine)
    }
}
