import JourneyModel

/// Errors of staffing: what is wrong with the input and what to do.
public struct StaffingError: CodedMessageError {
    /// Stable codes of staffing failures.
    public enum Code: String, Sendable {
        /// A plan parameter (an option) is out of range.
        case invalidParameter = "invalid-parameter"
        /// The forecast file is malformed.
        case invalidForecast = "invalid-forecast"
        /// The history cannot support a plan (no handled contacts, a different interval).
        case insufficientHistory = "insufficient-history"
        /// The offered load cannot be staffed under the parameters.
        case infeasible
        /// A recorded plan event is not one `journey staffing plan --commit` writes.
        case malformedRecord = "malformed-record"
        /// The store does not yet hold the events a recorded plan used.
        case behind
        /// Projections offered for an audit are not at the positions (or KPI
        /// parameters) the plan recorded.
        case notAtPositions = "not-at-positions"
    }
    public static var domain: String { "staffing" }
    /// Every staffing error is about its input (options, forecast, history or
    /// the recorded plan being audited).
    public var kind: FailureKind { .badInput }
    /// What is wrong.
    public var code: Code
    /// What is wrong and what to do.
    public var message: String
    /// An error of `code`, with what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
