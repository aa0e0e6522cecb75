import ArgumentParser
import Foundation
import JourneyNode
import JourneyPostgres

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Keep the projections of every origin this store holds in a PostgreSQL database.",
        discussion: """
        Brings the node's projections up to date, then copies what changed to PostgreSQL with the positions it \
        reflects, in one transaction (all of it by bulk COPY the first time and after a rebuild). With --follow, \
        keeps doing so as events are appended or replicated, until interrupted. The password comes from \
        --password-file, JOURNEY_POSTGRES_PASSWORD_FILE or PGPASSWORD — never from the command line, which \
        every user of the machine can read. Schema and BI views: docs/postgresql.md.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The database: postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require|verify-full] (default: $JOURNEY_POSTGRES_URL).",
                               valueName: "url"))
    var to: String?

    @Option(help: ArgumentHelp("A file whose first line is the role's password.", valueName: "file"))
    var passwordFile: String?

    @Flag(help: "Keep the database current as events arrive, until interrupted.")
    var follow = false

    @Flag(help: "Copy every row again (after the database was changed by hand or restored from an older backup).")
    var full = false

    @Flag(help: "After bringing it up to date, compare every row of the database with the node's projection (exit 4 on a difference).")
    var check = false

    func validate() throws {
        if follow && check { throw ValidationError("--check compares once; it cannot be combined with --follow") }
    }

    func run() async throws {
        let target = try PostgresTarget.resolve(url: to, passwordFile: passwordFile, environment: ProcessInfo.processInfo.environment)
        let projection = PostgresProjection(target: target)
        let console = Console.current
        let node = store.node()
        try await node.project(to: projection, follow: follow, full: full) { round in
            console.out(Array((Self.describe(round, target: target) + "\n").utf8))
        }
        if check {
            let differences = try await node.checkProjection(projection)
            guard differences.isEmpty else {
                for d in differences { Console.error("project: differs: \(d)") }
                throw PostgresError(.diverged, "\(target.redacted) differs from this node's projection in \(differences.count) table(s); run journey project --full to copy every row again")
            }
            Console.line("project: every row of \(target.redacted) equals this node's projection")
        }
    }

    static func describe(_ round: Node.ProjectRound, target: PostgresTarget) -> String {
        guard let r = round.report else {
            return "project: \(target.redacted) is current (\(round.applied) events applied)"
        }
        let positions = r.positions.keys.sorted().map { "\($0)=\(r.positions[$0] ?? 0)" }.joined(separator: ",")
        return String(format: "project: applied %d events; copied %d rows (%@) to %@ in %.1f s; positions %@",
                      round.applied, r.totalRows, r.full ? "full copy" : "changes", target.redacted, round.seconds, positions)
    }
}
