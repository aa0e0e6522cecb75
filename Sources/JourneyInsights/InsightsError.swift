import JourneyModel

/// Errors of the insights: what is wrong and what to do.
public struct InsightsError: CodedMessageError {
    /// Stable codes of insight failures.
    public enum Code: String, Sendable {
        /// An option is out of range or names something unknown.
        case invalidOption = "invalid-option"
    }
    public static var domain: String { "insights" }
    /// Every insights error is about its options.
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
    /// An error with the module's only code.
    public init(_ message: String) { self.init(.invalidOption, message) }
}
