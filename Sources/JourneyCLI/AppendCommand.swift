import ArgumentParser
import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyNode

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
        let node = store.node()
        let s = try node.openStore()
        let outcome = try node.appendJSONL(file, to: s, rejects: try rejects.map { try RejectsSink(path: $0, input: file, storeDirectory: s.directory) })
        Self.reportRejects(outcome, into: rejects)
        let r = outcome.result
        Console.line("appended \(r.appended), duplicates \(r.duplicates)" + (r.lastSeq.map { ", last seq \($0)" } ?? ""))
    }

    /// Says how many lines went to the rejects file, per reason.
    static func reportRejects(_ outcome: JSONLAppend.Outcome, into path: String?) {
        guard let path, !outcome.rejected.isEmpty else { return }
        Console.line("rejected \(outcome.rejected.count) line(s) into \(path): " + Rejects.counts(outcome.rejected).map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
    }
}
