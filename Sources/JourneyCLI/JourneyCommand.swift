import ArgumentParser
import JourneyModel

/// The `journey` command tree.
public struct JourneyCommand: AsyncParsableCommand {
    /// The command tree.
    public static let configuration = CommandConfiguration(
        commandName: "journey",
        abstract: "JourneyStore: the event store of a multi-site contact centre.",
        subcommands: [DemoCommand.self, InitCommand.self, SiteCommand.self, AppendCommand.self, ImportCommand.self, SimulateCommand.self, CatCommand.self, RebuildCommand.self, QueryCommand.self, ProjectCommand.self, ReplayCommand.self, KeysCommand.self, ServeCommand.self, SyncCommand.self, StatusCommand.self, StaffingCommand.self, AuditCommand.self, InsightsCommand.self, CoachCommand.self, VerifyCommand.self, RepairCommand.self, StatsCommand.self, BenchCommand.self])

    /// The root command (ArgumentParser makes it).
    public init() {}
}

/// What commands take from their caller instead of the system: tests set it
/// through ``JourneyCLI/run(_:clock:)``.
enum CommandEnvironment {
    /// The clock recorded actions are stamped by.
    @TaskLocal static var clock: any NodeClock = SystemClock()
}

/// Runs `journey` with `arguments` in-process, capturing what it prints:
/// how tests drive the command line.
public enum JourneyCLI {
    /// What an in-process run gave.
    public struct Outcome: Sendable {
        /// The exit status.
        public var status: Int32
        /// What it printed on standard output.
        public var stdout: String
        /// What it printed on standard error.
        public var stderr: String
    }

    /// Runs `journey ARGS` in this task, capturing what it prints; recorded
    /// actions are stamped by `clock`.
    public static func run(_ arguments: [String], clock: any NodeClock = SystemClock()) async -> Outcome {
        let console = Console.capturing()
        let status = await Console.$current.withValue(console) {
            await CommandEnvironment.$clock.withValue(clock) { await execute(arguments) }
        }
        let captured = console.capture ?? ([], [])
        return Outcome(status: status, stdout: String(decoding: captured.out, as: UTF8.self),
                       stderr: String(decoding: captured.err, as: UTF8.self))
    }

    /// Parses `arguments` and runs the command; failures are printed to the
    /// current console and give the exit status.
    static func execute(_ arguments: [String]) async -> Int32 {
        do {
            var command = try JourneyCommand.parseAsRoot(arguments)
            try await runParsed(&command)
            return 0
        } catch {
            let code = JourneyCommand.exitCode(for: error)
            if code.rawValue != 0, !(error is ExitCode) { Console.error(JourneyCommand.fullMessage(for: error)) }
            if code.rawValue == 0 { Console.line(JourneyCommand.fullMessage(for: error)) }  // help
            return code.rawValue
        }
    }

    /// Runs a parsed command, async or not; a failure comes back as the error
    /// ArgumentParser exits with (``ExitStatus/exitError(for:)``).
    public static func runParsed(_ command: inout any ParsableCommand) async throws {
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Console.flush()
        } catch {
            Console.flush()
            throw ExitStatus.exitError(for: error)
        }
    }

    /// Entry point of the executable.
    public static func main() async {
        do {
            var command = try JourneyCommand.parseAsRoot(nil)
            try await runParsed(&command)
        } catch {
            JourneyCommand.exit(withError: error)
        }
    }
}
