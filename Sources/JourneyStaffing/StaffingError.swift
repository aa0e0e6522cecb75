/// Errors of staffing: what is wrong with the input and what to do.
public struct StaffingError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
