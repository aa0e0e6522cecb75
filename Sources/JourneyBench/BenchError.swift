import JourneyModel

/// Errors of the benchmarks: a figure that could not be measured, with what
/// to do about it.
public struct BenchError: CodedMessageError {
    public static var domain: String { "bench" }
    /// A benchmark that could not measure is a `failure`.
    public var kind: FailureKind { .failure }

    /// What went wrong.
    public enum Code: String, Sendable {
        /// A child process (`journey`, the DuckDB peer) failed or could not start.
        case childFailed = "child-failed"
        /// The benchmark's own data came out other than it wrote (a bug to report).
        case inconsistent
        /// The DuckDB peer computed other figures than the projection.
        case disagreement
        /// A scratch file could not be written.
        case io
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do.
    public var message: String

    /// An error of `code`, with what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

}
