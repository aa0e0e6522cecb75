import ArgumentParser

/// The `journey` command tree.
public struct JourneyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "journey",
        abstract: "JourneyStore: the event store of a multi-site contact centre.",
        subcommands: [DemoCommand.self, InitCommand.self, SiteCommand.self, AppendCommand.self, ImportCommand.self, SimulateCommand.self, CatCommand.self, RebuildCommand.self, QueryCommand.self, ReplayCommand.self, KeysCommand.self, ServeCommand.self, SyncCommand.self, StatusCommand.self, StaffingCommand.self, AuditCommand.self, InsightsCommand.self, CoachCommand.self, VerifyCommand.self, RepairCommand.self, StatsCommand.self, BenchCommand.self])

    public init() {}
}

/// Runs `journey` with `arguments` in-process, capturing what it prints:
/// how tests drive the command line.
public enum JourneyCLI {
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func run(_ arguments: [String]) -> Outcome {
        let saved = Console.current
        let console = Console()
        console.capture = ([], [])
        Console.current = console
        defer { Console.current = saved }
        var status: Int32 = 0
        do {
            var command = try JourneyCommand.parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = JourneyCommand.exitCode(for: error)
            status = code.rawValue
            if code.rawValue != 0, !(error is ExitCode) {
                console.capture?.err.append(contentsOf: Array((JourneyCommand.fullMessage(for: error) + "\n").utf8))
            }
        }
        let captured = console.capture ?? ([], [])
        return Outcome(status: status, stdout: String(decoding: captured.out, as: UTF8.self),
                       stderr: String(decoding: captured.err, as: UTF8.self))
    }

    /// Entry point of the executable.
    public static func main() {
        do {
            var command = try JourneyCommand.parseAsRoot(nil)
            try command.run()
            Console.flush()
        } catch {
            Console.flush()
            JourneyCommand.exit(withError: error)
        }
    }
}
