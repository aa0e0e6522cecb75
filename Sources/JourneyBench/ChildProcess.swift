import Foundation

/// A child process of a benchmark, run to its end with its own peak memory.
enum ChildProcess {
    /// What a finished child reported.
    struct Outcome {
        /// Its exit status.
        var status: Int32
        /// Its own high-water mark of resident memory (VmHWM), in bytes.
        var peakRSSBytes: Int
    }

    /// Runs `executable ARGS` with stdout discarded (stderr passes through, so
    /// its messages reach the user) and returns its exit status and peak RSS.
    /// The peak is the child's own VmHWM, read from /proc while it runs:
    /// `getrusage` of children would report this process's size, which a
    /// spawned child carries until its exec.
    static func run(_ executable: String, _ args: [String]) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        var peak = 0
        while p.isRunning {
            peak = max(peak, highWaterMark(of: p.processIdentifier))
            usleep(20_000)
        }
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, peakRSSBytes: peak)
    }

    /// The path of `tool` on `PATH`, or nil.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable ARGS` to its end on a thread of its own (not Swift's
    /// cooperative pool, which the server being measured needs) and returns
    /// its standard output; a failed run throws with its standard error.
    static func output(_ executable: String, _ args: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: executable)
                p.arguments = args
                let out = Pipe(), err = Pipe()
                p.standardOutput = out
                p.standardError = err
                do {
                    try p.run()
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    let errors = err.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    guard p.terminationStatus == 0 else {
                        throw BenchError(.childFailed, "\(executable) exited with \(p.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
                    }
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// VmHWM of a running process in bytes (0 when it cannot be read).
    static func highWaterMark(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }
}
