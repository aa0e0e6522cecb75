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

    func run() throws {
        do {
            let s = try store.open()
            let r = try Self.append(file, to: s, rejects: try rejects.map(RejectsSink.init(path:)))
            Console.line("appended \(r.appended), duplicates \(r.duplicates)" + (r.lastSeq.map { ", last seq \($0)" } ?? ""))
        } catch {
            throw ExitStatus.report(error)
        }
    }

    /// Checks every line of the JSONL `file` (or `-`, standard input), then
    /// appends it a chunk at a time (``JSONLAppend``); with `rejects`, bad
    /// lines are written there and the rest stored. Shared with `import --format jsonl`.
    static func append(_ file: String, to store: LogStore, rejects: RejectsSink? = nil) throws -> LogStore.AppendResult {
        var appender = JSONLAppend(store: store)
        appender.progress = { Console.error("append: \($0)") }
        if let rejects { appender.setAside = { try rejects.write($0) } }
        let outcome = try appender.run(file == "-" ? .descriptor(0, spoolDirectory: store.directory) : .file(file))
        if rejects == nil, outcome.errorCount > 0 {
            for p in outcome.errors { Console.error("journey: \(p)") }
            if outcome.errorCount > outcome.errors.count { Console.error("journey: … and \(outcome.errorCount - outcome.errors.count) more") }
            throw CLIError(ExitStatus.badInput, "\(outcome.errorCount) bad line(s); nothing was stored (with --rejects FILE the good lines are stored and these written to FILE)")
        }
        if let rejects, !outcome.rejected.isEmpty {
            Console.line("rejected \(outcome.rejected.count) line(s) into \(rejects.path): " + Rejects.counts(outcome.rejected).map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
        }
        return outcome.result
    }

    /// Appends `events` in calls of ``AppendChunking/eventsPerCall``. More
    /// than one call reports progress on standard error, as `label: stored N of M events …`.
    static func appendInChunks(_ events: [Event], to store: LogStore, label: String) throws -> LogStore.AppendResult {
        let started = ContinuousClock.now
        var line = ProgressLine(verb: "stored")
        return try AppendChunking.append(events, to: store) { done in
            if events.count > AppendChunking.eventsPerCall,
               let text = line.line(done: UInt64(done), total: UInt64(events.count), elapsedSeconds: (ContinuousClock.now - started).inSeconds) {
                Console.error("\(label): \(text)")
            }
        }
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
