import ArgumentParser
import Foundation
import JourneyLog
import JourneyModel

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append canonical JSONL events to this store's own log.",
        discussion: """
        Events without `site` get the store's site; `seq` is assigned; an event without `id` gets one \
        derived from its content. Every line is validated first: if any line is bad, every bad line is \
        reported with its number and reason, nothing is stored, and the exit code is 3. Events whose id \
        the log already holds are counted as duplicates and not stored again.
        """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("JSONL file to append, or - for standard input.", valueName: "file"))
    var file: String

    /// Events per append call: bounds memory while keeping blocks large.
    static let chunkEvents = 65_536

    func run() throws {
        do {
            let s = try store.open()
            let bytes = try InputFile.read(file)
            let result = try Self.append(bytes, to: s)
            Console.line("appended \(result.appended), duplicates \(result.duplicates)" +
                         (result.lastSeq.map { ", last seq \($0)" } ?? ""))
        } catch {
            throw ExitStatus.report(error)
        }
    }

    /// Validates every line, then appends in chunks. Shared with `import --format jsonl`.
    static func append(_ bytes: [UInt8], to store: LogStore) throws -> LogStore.AppendResult {
        let options = EventCodec.DecodeOptions(defaultSite: store.site, allowMissingID: true, requiredSite: store.site)
        let checked = EventCodec.decodeLines(bytes, options: options)
        let problems = checked.errors.map(\.description)
        guard problems.isEmpty else {
            for p in problems.prefix(1000) { Console.error("journey: \(p)") }
            if problems.count > 1000 { Console.error("journey: … and \(problems.count - 1000) more") }
            throw CLIError(ExitStatus.badInput, "\(problems.count) bad line(s); nothing was stored")
        }
        var events = checked.events
        for i in events.indices where events[i].id.isEmpty { events[i].id = DerivedID.make(for: events[i]) }
        if let (j, i) = Event.firstConflictingDuplicate(events) {
            throw CLIError(ExitStatus.badInput, "lines \(checked.lines[j]) and \(checked.lines[i]) both have the id '\(ModelError.excerpt(events[i].id))' but differ; an id names one fact, so give each its own; nothing was stored")
        }
        var total = LogStore.AppendResult()
        var chunk: [Event] = []
        chunk.reserveCapacity(min(chunkEvents, events.count))
        func flush() throws {
            guard !chunk.isEmpty else { return }
            let r = try store.append(chunk)
            total.appended += r.appended
            total.duplicates += r.duplicates
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
