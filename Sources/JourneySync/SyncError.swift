/// Errors of replication: what failed, with which peer, and what to do.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case config
        case unauthorized
        case forbidden
        case transport
        case protocolViolation = "protocol"
        case rejected
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
