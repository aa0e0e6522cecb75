import JourneyModel

/// Errors of the importers: malformed input, with the line (or record), the
/// kind of fault and what to fix. Without `--rejects` an import with any of
/// these stores nothing; with it, the faulty lines are set aside with their
/// reason and the rest is stored.
public struct IngestError: CodedError {
    public static var domain: String { "ingest" }
    public var codeName: String { code.rawValue }
    /// Every importer error is about its input.
    public var kind: FailureKind { .badInput }

    /// The kind of fault, counted per kind in an import's summary.
    public enum Code: String, Sendable, CaseIterable, Comparable {
        /// Not the format at all: field counts, syntax, unknown codes.
        case malformed
        /// A date or time cell that is not a date or time.
        case badTime = "bad-time"
        /// A stage the outcome needs has no time (an answered call without service start).
        case missingTime = "missing-time"
        /// Times that cannot be ordered: an answer before the start, an end before the answer, a negative wait.
        case timeOrder = "time-order"
        /// A key already seen on another line with different content.
        case conflictingKey = "conflicting-key"
        /// An event no store accepts (out-of-range value, oversized, bad key).
        case invalidEvent = "invalid-event"

        public static func < (a: Code, b: Code) -> Bool { a.rawValue < b.rawValue }
    }

    /// The 1-based line (or record) at fault, when known.
    public var line: Int?
    /// The kind of fault.
    public var code: Code
    /// What is wrong and what to fix.
    public var message: String

    /// An error of `code` at `line`.
    public init(line: Int? = nil, _ code: Code = .malformed, _ message: String) {
        self.line = line
        self.code = code
        self.message = message
    }

    /// A `malformed` error at `line`.
    public init(line: Int? = nil, _ message: String) {
        self.init(line: line, .malformed, message)
    }

    public var description: String { (line.map { "line \($0): " } ?? "") + message }
}
