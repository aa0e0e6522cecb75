/// What a failure means to whoever ran the operation. Every module's error
/// code maps to exactly one kind; a front end (the CLI's exit status, an HTTP
/// status) derives its answer from the kind in one place.
public enum FailureKind: String, Sendable, CaseIterable {
    /// Input that fails validation (events, files, options, config); nothing was stored.
    case badInput = "bad-input"
    /// Stored bytes, or data a peer sent, fail a check.
    case damaged
    /// No store where one was expected, or one where none may be created.
    case noStore = "no-store"
    /// Anything else: the operating system, the network, a peer that refused, a bug.
    case failure
}

/// An error with a stable code: each module has one error type conforming to
/// it, so callers can act on `kind` and scripts on `code` without parsing text.
public protocol CodedError: Error, Sendable, CustomStringConvertible {
    /// The module's name for its errors, e.g. `log` or `sync`.
    static var domain: String { get }
    /// The stable code within ``domain``, e.g. `corrupt`.
    var codeName: String { get }
    /// What the failure means to the caller.
    var kind: FailureKind { get }
}

extension CodedError {
    /// `domain.code`, e.g. `log.corrupt`: unique across modules.
    public var qualifiedCode: String { "\(Self.domain).\(codeName)" }
}

/// The usual shape of a module's error: a code enum and a message that says
/// what to do. Conforming gives ``CodedError/codeName`` and the description.
public protocol CodedMessageError: CodedError {
    associatedtype Code: RawRepresentable where Code.RawValue == String
    /// The stable code.
    var code: Code { get }
    /// What failed and what to do.
    var message: String { get }
}

extension CodedMessageError {
    public var codeName: String { code.rawValue }
    public var description: String { message }
}
