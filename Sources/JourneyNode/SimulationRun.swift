import Foundation
import JourneyLog
import JourneyModel
import JourneySimulation

/// A simulation of regional centres that keeps one centre's events: appended
/// to that centre's store, written as canonical JSONL, or both.
public struct SimulationRun {
    /// What to simulate.
    public var config: SimulationConfig
    /// The site whose events are kept.
    public var keep: String

    /// A run of `config` keeping `keep`'s events.
    public init(config: SimulationConfig, keep: String) {
        self.config = config
        self.keep = keep
    }

    /// What a run kept.
    public struct Outcome: Sendable {
        /// Events of the kept site.
        public var kept = 0
        /// Of those, events the store did not hold yet.
        public var appended = 0
        /// Wall seconds the run took.
        public var seconds = 0.0
    }

    /// Runs the simulation; `weekDone` after every seventh day with the events kept so far.
    public func run(into store: LogStore?, jsonl path: String?, clock: any NodeClock,
                    weekDone: (_ kept: Int, _ seconds: Double) -> Void) throws -> Outcome {
        var out: FileHandle?
        if let path {
            try FileIdentity.checkSafeToEmpty(path, option: "--jsonl", input: nil, storeDirectory: store?.directory)
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw NodeError(.unwritable, "cannot write \(path): check the directory exists and is writable")
            }
            out = handle
        }
        defer { try? out?.close() }
        let started = clock.monotonicSeconds()
        var outcome = Outcome()
        var daysDone = 0
        try Simulator(config: config).run { name, events in
            guard name == keep else { return }
            outcome.kept += events.count
            if let store { outcome.appended += try store.append(events).appended }
            try out?.write(contentsOf: Data(EventCodec.encodeLines(events)))
            daysDone += 1
            if daysDone % 7 == 0 { weekDone(outcome.kept, clock.monotonicSeconds() - started) }
        }
        outcome.seconds = clock.monotonicSeconds() - started
        return outcome
    }
}
