/// Errors of the projections: what failed and what to do.
public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
