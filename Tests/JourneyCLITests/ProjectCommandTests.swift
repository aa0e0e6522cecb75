#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyCLI
import JourneyPostgres
import JourneyProjections
import JourneyTestSupport
import XCTest

/// `journey project` as an operator runs it, against a real PostgreSQL:
/// killed with SIGKILL at any point, the next run resumes and the database
/// equals a projection rebuilt from scratch; the password never from the
/// command line.
final class ProjectCommandTests: PostgresTestCase {

    /// The environment a `journey project` subprocess gets: the URL and password, never on its command line.
    func environment(_ target: PostgresTarget) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["JOURNEY_POSTGRES_URL"] = "postgres://\(target.user)@\(target.host):\(target.port)/\(target.database)?sslmode=disable"
        env["PGPASSWORD"] = target.password ?? ""
        return env
    }

    func testKilledAtAnyPointTheNextRunResumesAndEqualsARebuild() async throws {
        let binary = try Subprocess.binary()
        let initOutcome = await JourneyCLI.run(["init", "--data", dir, "--site", "north"])
        XCTAssertEqual(initOutcome.status, 0, initOutcome.stderr)
        let sim = await JourneyCLI.run(["simulate", "--data", dir, "--days", "4", "--seed", "8", "--agents", "20", "--contacts-per-day", "500"])
        XCTAssertEqual(sim.status, 0, sim.stderr)
        let target = try await database()
        let env = environment(target)
        var interrupted = 0
        // The first run: killed during the catch-up, the full copy, or between them.
        for afterMs in [150, 400, 900, 1600, 2500] {
            if try Subprocess.runKilled(binary, ["project", "--data", dir], afterMs: afterMs, environment: env) { interrupted += 1 }
        }
        // More events (the next days), then runs killed during their incremental copy.
        let more = await JourneyCLI.run(["simulate", "--data", dir, "--days", "2", "--seed", "9", "--agents", "20", "--contacts-per-day", "500",
                                         "--start", "2026-03-06"])
        XCTAssertEqual(more.status, 0, more.stderr)
        for afterMs in [100, 300, 700] {
            if try Subprocess.runKilled(binary, ["project", "--data", dir], afterMs: afterMs, environment: env) { interrupted += 1 }
        }
        XCTAssertGreaterThan(interrupted, 2, "the kills must land while journey project runs")
        let done = try Subprocess.journey(["project", "--data", dir, "--check"], deadlineSeconds: 600, environment: env)
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stdout.contains("equals this node's projection"), done.stdout)

        // And equal to a projection built from scratch, beside the node's.
        let fresh = dir + "/fresh.sqlite"
        let replay = await JourneyCLI.run(["replay", "--data", dir, "--out", fresh, "--positions", try positions()])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let differences = try await PostgresProjection(target: target).differences(from: try ProjectionEngine(path: fresh))
        XCTAssertEqual(differences, [])
    }

    /// The node's positions, as `--positions` takes them.
    func positions() throws -> String {
        let engine = try ProjectionEngine(path: dir + "/projections.sqlite")
        return engine.positions.keys.sorted().map { "\($0)=\(engine.positions[$0] ?? 0)" }.joined(separator: ",")
    }

    func testAPasswordOnTheCommandLineIsRefused() async throws {
        let outcome = await JourneyCLI.run(["project", "--data", dir, "--to", "postgres://journey:secret@127.0.0.1:1/x"])
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("ps"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("secret"), "the password is not echoed: \(outcome.stderr)")
    }
}
