/// Errors of the insights: what is wrong and what to do.
public struct InsightsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
