import JourneyModel

/// Errors of the projections: what failed and what to do.
public struct ProjectionError: CodedMessageError {
    /// Stable codes of projection failures.
    public enum Code: String, Sendable {
        /// `kpi.json` is not valid: a wrong type, range or key.
        case config
        /// A request the projection cannot answer as asked (an option out of range, an unknown column).
        case invalidRequest = "invalid-request"
        /// The projection holds too little history for the request.
        case insufficientHistory = "insufficient-history"
        /// A stored row or event payload is not what this build wrote.
        case malformedRecord = "malformed-record"
        /// The projection file or its lock could not be opened or locked.
        case io
    }
    public static var domain: String { "projection" }
    /// Config, requests and missing history are `badInput`; a malformed
    /// stored record is `damaged`; I/O is `failure`.
    public var kind: FailureKind {
        switch code {
        case .config, .invalidRequest, .insufficientHistory: return .badInput
        case .malformedRecord: return .damaged
        case .io: return .failure
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
