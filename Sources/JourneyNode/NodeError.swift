import JourneyModel

/// Errors of a node's workflows: a file it cannot read or write, a config it
/// cannot use, input it refuses as a whole. What to do is in the message.
public struct NodeError: CodedMessageError {
    /// Stable codes of node failures.
    public enum Code: String, Sendable {
        /// An input file (events, a column map, a forecast, a key) cannot be read.
        case unreadable
        /// A file the caller named (rejects, JSONL output) cannot be created.
        case unwritable
        /// Writing a file failed part way (the disk, permissions changed).
        case io
        /// A config file of the data directory (`kpi.json`, `sync.json`) is missing or invalid.
        case config
        /// Input refused as a whole (bad lines without `--rejects`, another site's events).
        case refused
        /// The store holds too little for the request (no events to plan from).
        case empty
        /// A workflow's own check failed (a plan that did not replicate, centres whose heads differ).
        case inconsistent
    }
    public static var domain: String { "node" }
    /// Paths the caller named that cannot be read or created, configs,
    /// refused input and an empty store are `badInput`; a write failing part
    /// way and a failed check are `failure`.
    public var kind: FailureKind {
        switch code {
        case .unreadable, .unwritable, .config, .refused, .empty: return .badInput
        case .io, .inconsistent: return .failure
        }
    }
    /// What failed.
    public var code: Code
    /// What failed and what to do.
    public var message: String
    /// An error of `code`, with what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
