import JourneyModel

/// Errors of the PostgreSQL projection: what failed and what to do.
public struct PostgresError: CodedMessageError {
    /// Stable codes of PostgreSQL projection failures.
    public enum Code: String, Sendable {
        /// The connection settings are not usable (the URL, the password's source).
        case config
        /// The server could not be reached, refused the login, or dropped the connection.
        case connection
        /// The database holds a schema this build does not know (written by a newer one).
        case schema
        /// The server refused a statement.
        case server
        /// The database's projection does not match what this node exported to it.
        case diverged
    }
    public static var domain: String { "postgres" }
    /// Settings are `badInput`; a foreign schema is `damaged`; the rest is `failure`.
    public var kind: FailureKind {
        switch code {
        case .config: return .badInput
        case .schema, .diverged: return .damaged
        case .connection, .server: return .failure
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
