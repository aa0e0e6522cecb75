import JourneyModel

/// Errors of the log: each names what failed, where (file and byte offset when
/// it is about stored bytes), and what to do next.
public struct LogError: CodedError {
    public static var domain: String { "log" }
    public var codeName: String { code.rawValue }
    /// Damaged bytes, divergence and bad signatures are `damaged`; a missing
    /// or existing store is `noStore`; invalid events and keys are `badInput`.
    public var kind: FailureKind {
        switch code {
        case .corrupt, .divergence, .badSignature: return .damaged
        case .notAStore, .alreadyExists: return .noStore
        case .invalidEvent, .missingKey: return .badInput
        case .io, .unsupportedVersion, .poisoned: return .failure
        }
    }

    /// Stable codes; the CLI maps them to exit codes.
    public enum Code: String, Sendable {
        /// Stored bytes fail a check (CRC, length, chain) away from a torn tail.
        case corrupt
        /// The data directory is missing or is not a JourneyStore.
        case notAStore = "not-a-store"
        /// `init` on a directory that already holds a store.
        case alreadyExists = "already-exists"
        /// An event the log cannot take (wrong site, invalid field).
        case invalidEvent = "invalid-event"
        /// The operating system refused a read, write or sync.
        case io
        /// A format version this build does not read.
        case unsupportedVersion = "unsupported-version"
        /// A previous write or sync failed; the log refuses more appends until reopened.
        case poisoned
        /// A block that does not continue the local chain of its origin.
        case divergence
        /// A signature is missing or does not verify against the pinned key.
        case badSignature = "bad-signature"
        /// A key the operation needs (the pseudonym key) is not installed or is malformed.
        case missingKey = "missing-key"
    }

    /// What failed.
    public var code: Code
    /// What failed and what to do.
    public var message: String
    /// The file concerned, when there is one.
    public var file: String?
    /// The byte offset in ``file``, when known.
    public var offset: UInt64?
    /// The underlying error, when there is one.
    public var cause: String?

    /// An error of `code`, at `file` and byte `offset` when it is about stored bytes, caused by `cause`.
    public init(_ code: Code, _ message: String, file: String? = nil, offset: UInt64? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        var s = message
        if let file {
            s += " [\(file)"
            if let offset { s += " at byte \(offset)" }
            s += "]"
        }
        if let cause { s += " (\(cause))" }
        return s
    }
}

extension LogError {
    /// `error` as a LogError: itself when it is one, else wrapped as `.io` with its text as the cause.
    public static func from(_ error: any Error) -> LogError {
        if let e = error as? LogError { return e }
        if error is ByteReader.Overrun { return LogError(.corrupt, "stored bytes are truncated or malformed") }
        return LogError(.io, "unexpected failure", cause: "\(error)")
    }
}
