import ArgumentParser
import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyNode

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
    var format: ImportFormat

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
        let node = store.node()
        let s = try node.openStore()
        if let site, site != s.site {
            throw CLIError(.badInput, "--site \(site) is not this store's site '\(s.site)'; a store imports only its own site's events")
        }
        let sink = try rejects.map { try RejectsSink(path: $0, input: file, storeDirectory: s.directory) }
        if follow {
            return try node.followQueueLog(file, to: s, idleExitSeconds: idleExit, rejects: sink, report: { batch, result in
                Console.line("followed \(batch.inputCount) line(s): appended \(result.appended), duplicates \(result.duplicates)")
                Console.flush()
            }, setAside: { count in Console.line("set aside \(count) malformed line(s) in \(sink?.path ?? "")") })
        }
        guard format != .jsonl else {
            let outcome = try node.appendJSONL(file, to: s, rejects: sink)
            AppendCommand.reportRejects(outcome, into: rejects)
            Console.line("imported: appended \(outcome.result.appended), duplicates \(outcome.result.duplicates)")
            return
        }
        let r = try node.importRecords(file, format: format, map: map, to: s, rejects: sink)
        Self.report(r.batch, r.stored, rejected: r.rejected, rejectsPath: rejects)
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

extension ImportFormat: ExpressibleByArgument {}
