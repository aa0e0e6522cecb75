import ArgumentParser
import JourneyLog
import JourneyIngest
import JourneyInsights
import JourneyModel
import JourneyStaffing
import JourneySync

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
    public static let failure: Int32 = 1
    public static let badInput: Int32 = 3
    public static let damaged: Int32 = 4
    public static let noStore: Int32 = 5

    /// Prints `error` the way a user can act on, and gives the exit code for it.
    static func report(_ error: any Error) -> ExitCode {
        if let code = error as? ExitCode { return code }
        if let e = error as? StaffingError {
            Console.error("journey: \(e.message)")
            return ExitCode(badInput)
        }
        if let e = error as? InsightsError {
            Console.error("journey: \(e.message)")
            return ExitCode(badInput)
        }
        if let e = error as? LogError {
            Console.error("journey: \(e)")
            switch e.code {
            case .corrupt, .divergence, .badSignature: return ExitCode(damaged)
            case .notAStore, .alreadyExists: return ExitCode(noStore)
            case .invalidEvent, .missingKey: return ExitCode(badInput)
            default: return ExitCode(failure)
            }
        }
        if let e = error as? SyncError {
            Console.error("journey: \(e.message)")
            return ExitCode(status(of: e))
        }
        if let e = error as? IngestError {
            Console.error("journey: \(e)")
            return ExitCode(badInput)
        }
        if let e = error as? ModelError {
            Console.error("journey: \(e)")
            return ExitCode(badInput)
        }
        if let e = error as? CLIError {
            Console.error("journey: \(e.message)")
            return ExitCode(e.status)
        }
        Console.error("journey: \(error)")
        return ExitCode(failure)
    }
}

extension ExitStatus {
    /// The exit status of a replication failure: data a peer sent that was
    /// refused (bad frames, bad blocks, a malformed answer) is 4, like a
    /// damaged store; a bad config is 3; the network or the peer's refusal to
    /// talk is 1.
    static func status(of e: SyncError) -> Int32 {
        switch e.code {
        case .rejected, .protocolViolation: return damaged
        case .config: return badInput
        case .transport, .unauthorized, .forbidden: return failure
        }
    }
}

/// A command-level failure with its exit status.
struct CLIError: Error {
    var status: Int32
    var message: String
    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }
}
