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
        Every importer reports events per kind and skipped input with reasons. Malformed input is \
        reported line by line and nothing is stored (exit 3). Event ids are derived from the source, \
        so importing the same file again, or a file that grew, stores only what is new. \
        See docs/importers.md for each format's mapping.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Input format: jsonl | asterisk | connect | csv.")
    var format: FormatArgument

    @Option(help: "Site of the imported events (must be this store's own site; the default).")
    var site: String?

    @Option(help: ArgumentHelp("Column map for --format csv (see config/csv-maps/).", valueName: "file"))
    var map: String?

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
    }

    func run() throws {
        do {
            let s = try store.open()
            if let site, site != s.site {
                throw CLIError(ExitStatus.badInput, "--site \(site) is not this store's site '\(s.site)'; a store imports only its own site's events")
            }
            if follow { return try runFollow(s) }
            let bytes = try InputFile.read(file)
            if format == .jsonl {
                let r = try AppendCommand.append(bytes, to: s)
                Console.line("imported: appended \(r.appended), duplicates \(r.duplicates)")
                return
            }
            var batch: ImportBatch
            switch format {
            case .asterisk:
                var importer = AsteriskQueueLog(site: s.site)
                batch = importer.read(bytes)
            case .connect:
                batch = AmazonConnectRecords(site: s.site).read(bytes)
            case .csv:
                let mapBytes = try InputFile.read(map ?? "")
                batch = CSVCallRecords(site: s.site, map: try CSVColumnMap.parse(mapBytes)).read(bytes)
            case .jsonl:
                return
            }
            batch.refuseConflictingDuplicates()
            guard batch.errors.isEmpty else {
                for e in batch.errors.prefix(1000) { Console.error("journey: \(e)") }
                throw CLIError(ExitStatus.badInput, "\(batch.errors.count) malformed line(s) or record(s); nothing was stored")
            }
            var total = LogStore.AppendResult()
            for start in stride(from: 0, to: batch.events.count, by: AppendCommand.chunkEvents) {
                let r = try s.append(Array(batch.events[start..<min(batch.events.count, start + AppendCommand.chunkEvents)]))
                total.appended += r.appended
                total.duplicates += r.duplicates
            }
            Self.report(batch, total)
        } catch {
            throw ExitStatus.report(error)
        }
    }

    func runFollow(_ s: LogStore) throws {
        let follower = try QueueLogFollower(path: file, store: s)
        follower.idleExitSeconds = idleExit
        follower.report = { batch, result in
            Console.line("followed \(batch.inputCount) line(s): appended \(result.appended), duplicates \(result.duplicates)")
            Console.flush()
        }
        do { try follower.run() } catch let e as IngestError {
            throw CLIError(ExitStatus.badInput, "\(file): \(e); the cursor stays before this line")
        }
    }

    static func report(_ batch: ImportBatch, _ total: LogStore.AppendResult) {
        Console.line("read \(batch.inputCount) line(s)/record(s): appended \(total.appended) event(s), duplicates \(total.duplicates), skipped \(batch.skipped.count)")
        var t = Table(["kind", "events"], numeric: [1])
        for (kind, n) in batch.countsByKind { t.add([kind.rawValue, String(n)]) }
        Console.line(t.render())
        for (line, why) in batch.skipped.prefix(20) { Console.line("skipped line \(line): \(why)") }
        if batch.skipped.count > 20 { Console.line("… and \(batch.skipped.count - 20) more skipped") }
    }
}

enum FormatArgument: String, ExpressibleByArgument, CaseIterable {
    case jsonl, asterisk, connect, csv
}
