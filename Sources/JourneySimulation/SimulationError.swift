import JourneyModel

/// Errors of the simulator: a scenario or option it cannot run, and how to write it.
public struct SimulationError: CodedMessageError {
    /// Stable codes of simulator failures.
    public enum Code: String, Sendable {
        /// A `--scenario` that is not `NAME:key=value,…` with a known name, site and values.
        case invalidScenario = "invalid-scenario"
    }
    public static var domain: String { "simulation" }
    /// Every simulator error is about its options.
    public var kind: FailureKind { .badInput }
    /// What is wrong.
    public var code: Code
    /// What is wrong and how to write it.
    public var message: String
    /// An error of `code`, with what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    /// An error with the module's only code.
    public init(_ message: String) { self.init(.invalidScenario, message) }
}
