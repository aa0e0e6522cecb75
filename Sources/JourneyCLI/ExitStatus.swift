import ArgumentParser
import JourneyModel

/// The exit codes of `journey`, one meaning each, so scripts can act on them.
///
/// | code | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | an unexpected failure (I/O, a bug) |
/// | 3 | bad input: events or files that fail validation; nothing was stored |
/// | 4 | the store is damaged (`verify` found a problem, or open refused), or a peer sent data that was refused |
/// | 5 | no store at `--data` (or one already exists for `init`) |
/// | 64 | bad command-line usage |
public enum ExitStatus {
    /// An unexpected failure (I/O, the network, a bug).
    public static let failure: Int32 = 1
    /// Bad input: nothing was stored.
    public static let badInput: Int32 = 3
    /// A damaged store, or data a peer sent that was refused.
    public static let damaged: Int32 = 4
    /// No store at `--data` (or one already there for `init`).
    public static let noStore: Int32 = 5

    /// Prints `error` the way a user can act on, and gives the exit code for it:
    /// the one place where a failure's kind becomes an exit status.
    public static func report(_ error: any Error) -> ExitCode {
        if let code = error as? ExitCode { return code }
        guard let e = error as? any CodedError else {
            Console.error("journey: \(error)")
            return ExitCode(failure)
        }
        Console.error("journey: \(e)")
        return ExitCode(status(of: e.kind))
    }

    /// What a command's entry point exits with when `run()` threw `error`:
    /// ArgumentParser's own errors (usage, help — its help command throws
    /// from `run()` — an exit code) pass through; any other is printed by
    /// ``report(_:)`` and becomes its exit code.
    public static func exitError(for error: any Error) -> any Error {
        if error is ExitCode || error is CleanExit || error is ValidationError { return error }
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
        return report(error)
    }

    /// The exit status of a failure of `kind`.
    static func status(of kind: FailureKind) -> Int32 {
        switch kind {
        case .badInput: return badInput
        case .damaged: return damaged
        case .noStore: return noStore
        case .failure: return failure
        }
    }
}

/// A command-level failure: what the command refused or could not do, and its kind.
struct CLIError: CodedError {
    static var domain: String { "cli" }
    var codeName: String { kind.rawValue }
    var kind: FailureKind
    var message: String
    init(_ kind: FailureKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    var description: String { message }
}
