import JourneyModel

/// Errors of replication: what failed, with which peer, and what to do.
public struct SyncError: CodedMessageError {
    /// Stable codes of replication failures.
    public enum Code: String, Sendable {
        /// The sync config is missing, malformed or inconsistent.
        case config
        /// The peer did not accept our token (HTTP 401).
        case unauthorized
        /// The peer knows us but refuses this request (HTTP 403).
        case forbidden
        /// The network failed: refused connection, timeout, TLS.
        case transport
        /// The peer's answer breaks the protocol (bad frames, a malformed answer).
        case protocolViolation = "protocol"
        /// A block the peer sent failed a check and was not stored.
        case rejected
    }
    public static var domain: String { "sync" }
    /// Data a peer sent that was refused is `damaged`, like a damaged store;
    /// a bad config is `badInput`; the network or a peer's refusal is `failure`.
    public var kind: FailureKind {
        switch code {
        case .rejected, .protocolViolation: return .damaged
        case .config: return .badInput
        case .transport, .unauthorized, .forbidden: return .failure
        }
    }
    /// What failed.
    public var code: Code
    /// What failed, with which peer, and what to do.
    public var message: String
    /// An error with `code` and what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
