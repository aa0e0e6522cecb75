import ArgumentParser
import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append canonical JSONL events to this store's own log.",
        discussion: """
        Events without `site` get the store's site; `seq` is assigned; an event without `id` gets one \
        derived from its content. Every line is validated first: if any line is bad, every bad line is \
        reported with its number and reason, nothing is stored, and the exit code is 3 — unless \
        --rejects FILE is given: then the bad lines go to FILE (one JSON object each, with the line \
        as it was and its reason) and the good ones are stored. Events whose id the log already holds \
        are counted as duplicates and not stored again.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Store the valid lines and write each bad one, with its reason, to this file.", valueName: "file"))
    var rejects: String?

    @Argument(help: ArgumentHelp("JSONL file to append, or - for standard input.", valueName: "file"))
    var file: String

    /// Events per append call: bounds memory while keeping blocks large.
    static let chunkEvents = 65_536

    func run() throws {
        do {
            let s = try store.open()
            let bytes = try InputFile.read(file)
            let result = try Self.append(bytes, to: s, rejects: try rejects.map(RejectsSink.init(path:)))
            Console.line("appended \(result.appended), duplicates \(result.duplicates)" +
                         (result.lastSeq.map { ", last seq \($0)" } ?? ""))
        } catch {
            throw ExitStatus.report(error)
        }
    }

    /// Validates every line, then appends in chunks; with `rejects`, bad
    /// lines are written there and the rest stored. Shared with `import --format jsonl`.
    static func append(_ bytes: [UInt8], to store: LogStore, rejects: RejectsSink? = nil) throws -> LogStore.AppendResult {
        let options = EventCodec.DecodeOptions(defaultSite: store.site, allowMissingID: true, requiredSite: store.site)
        let checked = EventCodec.decodeLines(bytes, options: options)
        var batch = ImportBatch()
        batch.events = checked.events
        batch.lines = checked.lines
        for i in batch.events.indices where batch.events[i].id.isEmpty { batch.events[i].id = DerivedID.make(for: batch.events[i]) }
        batch.errors = checked.errors.map { e in
            var unlined = e
            unlined.line = nil
            return IngestError(line: e.line, .invalidEvent, unlined.description)
        }
        batch.refuseConflictingDuplicates()
        var rejected: [IngestError] = []
        if let rejects, batch.wholeInputErrors.isEmpty {
            rejected = batch.setAsideErrors()
            try rejects.write(Rejects.lines(bytes, firstLine: 1, rejected: rejected))
        }
        guard batch.errors.isEmpty else {
            for p in batch.errors.prefix(1000) { Console.error("journey: \(p)") }
            if batch.errors.count > 1000 { Console.error("journey: … and \(batch.errors.count - 1000) more") }
            throw CLIError(ExitStatus.badInput, "\(batch.errors.count) bad line(s); nothing was stored (with --rejects FILE the good lines are stored and these written to FILE)")
        }
        let total = try appendInChunks(batch.events, to: store, label: "append")
        if let rejects, !rejected.isEmpty {
            Console.line("rejected \(rejected.count) line(s) into \(rejects.path): " + Rejects.counts(rejected).map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
        }
        return total
    }

    /// Appends `events` in chunks of ``chunkEvents``: bounded memory per
    /// call, large blocks. Shared by `append` and every importer.
    /// More than one chunk reports progress on standard error, as `label: stored N of M events …`.
    static func appendInChunks(_ events: [Event], to store: LogStore, label: String) throws -> LogStore.AppendResult {
        var total = LogStore.AppendResult()
        var chunk: [Event] = []
        chunk.reserveCapacity(min(chunkEvents, events.count))
        let started = ContinuousClock.now
        var line = ProgressLine(verb: "stored")
        var done: UInt64 = 0
        func flush() throws {
            guard !chunk.isEmpty else { return }
            let r = try store.append(chunk)
            done += UInt64(chunk.count)
            if events.count > chunkEvents,
               let text = line.line(done: done, total: UInt64(events.count), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                Console.error("\(label): \(text)")
            }
            total.appended += r.appended
            total.duplicates += r.duplicates
            total.duplicatesByKind.merge(r.duplicatesByKind, uniquingKeysWith: +)
            if total.duplicateIDs.count < LogStore.AppendResult.duplicateIDsMax {
                total.duplicateIDs += r.duplicateIDs.prefix(LogStore.AppendResult.duplicateIDsMax - total.duplicateIDs.count)
            }
            if total.firstSeq == nil { total.firstSeq = r.firstSeq }
            total.lastSeq = r.lastSeq ?? total.lastSeq
            chunk.removeAll(keepingCapacity: true)
        }
        for e in events {
            chunk.append(e)
            if chunk.count == chunkEvents { try flush() }
        }
        try flush()
        return total
    }
}

/// Reads a whole input file, or standard input for `-`.
enum InputFile {
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(ExitStatus.badInput, "cannot read \(path): check the path and its permissions")
        }
        return Array(data)
    }
}
