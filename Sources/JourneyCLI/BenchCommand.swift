import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `journey bench ARGS`: runs `journey-bench ARGS`. The benchmarks are their own
/// executable so that `journey` does not ship them; `swift build -c release`
/// builds it beside `journey`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the benchmarks: `journey-bench` built beside this executable (`swift build -c release`).",
        discussion: "`journey bench all` is `journey-bench all`; see `journey-bench --help` for the benchmarks.")

    @Argument(parsing: .captureForPassthrough, help: "The benchmark and its options, e.g. `all --events 2000000`.")
    var arguments: [String] = []

    func run() throws {
        let path = Self.benchExecutable()
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIError(.failure, "no journey-bench beside this journey (\(path)): build it with `swift build -c release` (it builds both)")
        }
        Console.flush()
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        throw CLIError(.failure, "cannot run \(path): \(String(cString: strerror(errno)))")
    }

    /// `journey-bench` in the directory of the running executable.
    static func benchExecutable() -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("journey-bench").path
    }
}
