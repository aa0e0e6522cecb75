import ArgumentParser
import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import contact-centre data: canonical JSONL, Asterisk queue_log, Amazon Connect records, or CSV.",
        discussion: """
        Every importer reports the events it stored per kind (after leaving out those the store \
        already held) and skipped input with reasons. Malformed input is reported line by line and \
        nothing is stored (exit 3) — unless --rejects FILE is given: then every malformed line or \
        record is written to FILE as it was, with its reason, the rest is stored, and the summary \
        counts rejects per reason (exit 0). Event ids are derived from the source, so importing the \
        same file again, or a file that grew, stores only what is new. Caller identifiers are \
        never stored: they become customer keys under the store's pseudonym key. Local times of a \
        CSV are in the site's time zone. See docs/importers.md for each format's mapping.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Input format: jsonl | asterisk | connect | csv.")
    var format: FormatArgument

    @Option(help: "Site of the imported events (must be this store's own site; the default).")
    var site: String?

    @Option(help: ArgumentHelp("Column map for --format csv (see config/csv-maps/).", valueName: "file"))
    var map: String?

    @Option(help: ArgumentHelp("Store the valid input and write each malformed line or record, with its reason, to this file.", valueName: "file"))
    var rejects: String?

    @Flag(help: "Follow a growing Asterisk queue_log (like tail -F), surviving rotation and restarts.")
    var follow = false

    @Option(help: ArgumentHelp("With --follow: stop after this many seconds without new lines.", valueName: "seconds"))
    var idleExit: Double?

    @Argument(help: ArgumentHelp("Input file, or - for standard input.", valueName: "file"))
    var file: String

    func validate() throws {
        if format == .csv && map == nil { throw ValidationError("--format csv needs --map FILE (see config/csv-maps/)") }
        if follow && format != .asterisk { throw ValidationError("--follow works with --format asterisk") }
        if follow && file == "-" { throw ValidationError("--follow needs a file path, not standard input") }
        if let rejects, rejects == file { throw ValidationError("--rejects must name another file than the input") }
    }

    func run() throws {
        do {
            let s = try store.open()
            if let site, site != s.site {
                throw CLIError(ExitStatus.badInput, "--site \(site) is not this store's site '\(s.site)'; a store imports only its own site's events")
            }
            let sink = try rejects.map(RejectsSink.init(path:))
            if follow { return try runFollow(s, rejects: sink) }
            if format == .jsonl {
                let r = try AppendCommand.append(file, to: s, rejects: sink)
                Console.line("imported: appended \(r.appended), duplicates \(r.duplicates)")
                return
            }
            let bytes = try InputFile.read(file)
            let pseudonyms = try Pseudonyms.load(directory: s.directory)
            var batch: ImportBatch
            let rejectsOf: ([IngestError]) -> [UInt8]
            switch format {
            case .asterisk:
                var importer = AsteriskQueueLog(site: s.site, pseudonyms: pseudonyms)
                batch = importer.read(bytes)
                rejectsOf = { Rejects.lines(bytes, firstLine: 1, rejected: $0) }
            case .connect:
                batch = AmazonConnectRecords(site: s.site, pseudonyms: pseudonyms).read(bytes)
                rejectsOf = { Rejects.records(bytes, rejected: $0) }
            case .csv:
                let mapBytes = try InputFile.read(map ?? "")
                let importer = CSVCallRecords(site: s.site, map: try CSVColumnMap.parse(mapBytes),
                                              siteZone: try SiteZones.load(store: s).current, pseudonyms: pseudonyms)
                batch = importer.read(bytes)
                let separator = importer.separator(of: bytes)
                rejectsOf = { Rejects.csv(bytes, separator: separator, rejected: $0) }
            case .jsonl:
                return
            }
            batch.refuseConflictingDuplicates()
            var rejected: [IngestError] = []
            if let sink, batch.wholeInputErrors.isEmpty {
                rejected = batch.setAsideErrors()
                if !rejected.isEmpty { try sink.write(rejectsOf(rejected)) }
            }
            guard batch.errors.isEmpty else {
                for e in batch.errors.prefix(1000) { Console.error("journey: \(e)") }
                if batch.errors.count > 1000 { Console.error("journey: … and \(batch.errors.count - 1000) more") }
                throw CLIError(ExitStatus.badInput, "\(batch.errors.count) malformed line(s) or record(s); nothing was stored" +
                               (sink == nil && batch.wholeInputErrors.isEmpty ? " (with --rejects FILE the valid ones are stored and these written to FILE)" : ""))
            }
            let total = try AppendCommand.appendInChunks(batch.events, to: s, label: "import")
            Self.report(batch, total, rejected: rejected, rejectsPath: rejects)
        } catch {
            throw ExitStatus.report(error)
        }
    }

    func runFollow(_ s: LogStore, rejects sink: RejectsSink?) throws {
        let follower = try QueueLogFollower(path: file, store: s)
        follower.idleExitSeconds = idleExit
        follower.report = { batch, result in
            Console.line("followed \(batch.inputCount) line(s): appended \(result.appended), duplicates \(result.duplicates)")
            Console.flush()
        }
        if let sink {
            follower.setAside = { rejected, chunk, firstLine in
                try sink.write(Rejects.lines(chunk, firstLine: firstLine, rejected: rejected))
                Console.line("set aside \(rejected.count) malformed line(s) in \(sink.path)")
            }
        }
        do { try follower.run() } catch let e as IngestError {
            throw CLIError(ExitStatus.badInput, "\(file): \(e); the cursor stays before this line")
        }
    }

    static func report(_ batch: ImportBatch, _ total: LogStore.AppendResult, rejected: [IngestError], rejectsPath: String?) {
        Console.line("read \(batch.inputCount) line(s)/record(s): stored \(total.appended) event(s), already held \(total.duplicates), skipped \(batch.skipped.count) line(s)/record(s), rejected \(rejected.count)")
        var t = Table(["kind", "stored", "already held"], numeric: [1, 2])
        for row in batch.storedByKind(total) { t.add([row.kind.rawValue, String(row.stored), String(row.held)]) }
        Console.line(t.render())
        for note in batch.notes { Console.line("note: \(note)") }
        for (line, why) in batch.skipped.prefix(20) { Console.line("skipped line \(line): \(why)") }
        if batch.skipped.count > 20 { Console.line("… and \(batch.skipped.count - 20) more skipped") }
        if !rejected.isEmpty, let rejectsPath {
            var r = Table(["rejected because", "lines"], numeric: [1])
            for (code, n) in Rejects.counts(rejected) { r.add([code.rawValue, String(n)]) }
            Console.line(r.render())
            Console.line("the rejected lines are in \(rejectsPath), each with its reason")
        }
    }
}

/// The file `--rejects` names: created (or emptied) when the run starts, so
/// it holds exactly this run's rejects; appended to while following.
final class RejectsSink {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CLIError(ExitStatus.badInput, "cannot create the rejects file \(path): check the directory exists and is writable")
        }
        handle = h
    }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
        } catch {
            throw CLIError(ExitStatus.failure, "cannot write the rejects file \(path): \(error)")
        }
    }

    deinit { try? handle.close() }
}

enum FormatArgument: String, ExpressibleByArgument, CaseIterable {
    case jsonl, asterisk, connect, csv
}
