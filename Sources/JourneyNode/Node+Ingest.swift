import JourneyIngest
import JourneyLog
import JourneyModel

/// What an import stored, skipped and set aside.
public struct ImportReport {
    /// What was read: events, skipped lines, notes, per-kind counts.
    public var batch: ImportBatch
    /// What the store took.
    public var stored: LogStore.AppendResult
    /// Lines or records set aside into the rejects file.
    public var rejected: [IngestError]
}

extension Node {
    /// Checks every line of the JSONL `file` (`-`: standard input), then
    /// appends it a chunk at a time (``JSONLAppend``). Without `rejects`, any
    /// bad line stores nothing: each is reported through ``warn`` and the
    /// call throws; with it, bad lines are written there and the rest stored.
    public func appendJSONL(_ file: String, to store: LogStore, rejects: RejectsSink?) throws -> JSONLAppend.Outcome {
        var appender = JSONLAppend(store: store)
        appender.progress = { [progress] in progress("append: \($0)") }
        if let rejects { appender.setAside = { try rejects.write($0) } }
        let outcome = try appender.run(file == "-" ? .descriptor(0, spoolDirectory: store.directory) : .file(file))
        if rejects == nil, outcome.errorCount > 0 {
            for p in outcome.errors { warn("\(p)") }
            if outcome.errorCount > outcome.errors.count { warn("… and \(outcome.errorCount - outcome.errors.count) more") }
            throw NodeError(.refused, "\(outcome.errorCount) bad line(s); nothing was stored (with --rejects FILE the good lines are stored and these written to FILE)")
        }
        return outcome
    }

    /// Reads `file` in `format` (not JSONL: ``appendJSONL(_:to:rejects:)``),
    /// refuses keys given twice with different content, and stores the events
    /// a chunk at a time. Without `rejects`, any malformed line or record
    /// stores nothing (each reported through ``warn``); with it, they are
    /// written there with their reasons and the rest is stored.
    public func importRecords(_ file: String, format: ImportFormat, map: String?, to store: LogStore,
                              rejects: RejectsSink?) throws -> ImportReport {
        let bytes = try InputFile.read(file)
        let pseudonyms = try Pseudonyms.load(directory: store.directory)
        var batch: ImportBatch
        let rejectsOf: ([IngestError]) -> [UInt8]
        switch format {
        case .asterisk:
            var importer = AsteriskQueueLog(site: store.site, pseudonyms: pseudonyms)
            batch = importer.read(bytes)
            rejectsOf = { Rejects.lines(bytes, firstLine: 1, rejected: $0) }
        case .connect:
            batch = AmazonConnectRecords(site: store.site, pseudonyms: pseudonyms).read(bytes)
            rejectsOf = { Rejects.records(bytes, rejected: $0) }
        case .csv:
            let importer = CSVCallRecords(site: store.site, map: try CSVColumnMap.parse(try InputFile.read(map ?? "")),
                                          siteZone: try SiteZones.load(store: store).current, pseudonyms: pseudonyms)
            batch = importer.read(bytes)
            let separator = importer.separator(of: bytes)
            rejectsOf = { Rejects.csv(bytes, separator: separator, rejected: $0) }
        case .jsonl:
            throw NodeError(.refused, "JSONL is appended with appendJSONL, line by line")
        }
        batch.refuseConflictingDuplicates()
        var rejected: [IngestError] = []
        if let rejects, batch.wholeInputErrors.isEmpty {
            rejected = batch.setAsideErrors()
            if !rejected.isEmpty { try rejects.write(rejectsOf(rejected)) }
        }
        guard batch.errors.isEmpty else {
            for e in batch.errors.prefix(Self.problemsShownMax) { warn("\(e)") }
            if batch.errors.count > Self.problemsShownMax { warn("… and \(batch.errors.count - Self.problemsShownMax) more") }
            throw NodeError(.refused, "\(batch.errors.count) malformed line(s) or record(s); nothing was stored" +
                            (rejects == nil && batch.wholeInputErrors.isEmpty ? " (with --rejects FILE the valid ones are stored and these written to FILE)" : ""))
        }
        let stored = try appendInChunks(batch.events, to: store, label: "import")
        return ImportReport(batch: batch, stored: stored, rejected: rejected)
    }

    /// Most malformed lines reported one by one; the rest are counted.
    public static let problemsShownMax = 1000

    /// Appends `events` in calls of ``AppendChunking/eventsPerCall``; more
    /// than one call reports progress as `label: stored N of M events …`.
    public func appendInChunks(_ events: [Event], to store: LogStore, label: String) throws -> LogStore.AppendResult {
        let started = clock.monotonicSeconds()
        var line = ProgressLine(verb: "stored")
        return try AppendChunking.append(events, to: store) { [clock, progress] done in
            if events.count > AppendChunking.eventsPerCall,
               let text = line.line(done: UInt64(done), total: UInt64(events.count), elapsedSeconds: clock.monotonicSeconds() - started) {
                progress("\(label): \(text)")
            }
        }
    }

    /// Follows a growing Asterisk `queue_log` at `file` (surviving rotation
    /// and restarts) until idle for `idleExitSeconds` (or forever); `report`
    /// gets each stored chunk. A malformed line stops the follower before
    /// it, unless `rejects` takes it.
    public func followQueueLog(_ file: String, to store: LogStore, idleExitSeconds: Double?, rejects: RejectsSink?,
                               report: @escaping (ImportBatch, LogStore.AppendResult) -> Void,
                               setAside: @escaping (Int) -> Void) throws {
        let follower = try QueueLogFollower(path: file, store: store)
        follower.idleExitSeconds = idleExitSeconds
        follower.clock = clock
        follower.report = report
        if let rejects {
            follower.setAside = { rejected, chunk, firstLine in
                try rejects.write(Rejects.lines(chunk, firstLine: firstLine, rejected: rejected))
                setAside(rejected.count)
            }
        }
        do { try follower.run() } catch let e as IngestError {
            throw NodeError(.refused, "\(file): \(e); the cursor stays before this line")
        }
    }
}
