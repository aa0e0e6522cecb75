#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// The built `journey` executable run as a real process: what a signal, a
/// hang or an exit code looks like from outside, as an operator sees it.
enum Subprocess {
    struct Outcome {
        /// Exit status, or the signal number when `signaled`.
        var status: Int32
        /// True when the process was ended by a signal (a trap is SIGILL or SIGTRAP).
        var signaled: Bool
        /// True when it ran past the deadline and was killed.
        var timedOut: Bool
        var stdout: String
        var stderr: String
    }

    /// The path of the built `journey` executable (`JOURNEY_BINARY` overrides
    /// it, e.g. to run these tests against an older release).
    static func binary() throws -> String {
        if let given = ProcessInfo.processInfo.environment["JOURNEY_BINARY"], !given.isEmpty { return given }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("journey").path,
                          repo.appendingPathComponent(".build/debug/journey").path]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw XCTSkip("the journey executable was not built next to the tests")
    }

    /// Runs `journey args…`, killing it after `deadlineSeconds` (a hang
    /// detector, not a timing: the commands given take well under a second).
    static func journey(_ args: [String], deadlineSeconds: Double = 120) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try binary())
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Drain both pipes while waiting, so a chatty process cannot block on a full pipe.
        let stderrBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let killed = Box()
        let timer = DispatchWorkItem { if p.isRunning { killed.flag = true; kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadlineSeconds, execute: timer)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        group.wait()
        let stderr = stderrBox.data
        return Outcome(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, timedOut: killed.flag,
                       stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A value handed between threads under a lock.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var _data = Data()
        private var _flag = false
        var data: Data {
            get { lock.withLock { _data } }
            set { lock.withLock { _data = newValue } }
        }
        var flag: Bool {
            get { lock.withLock { _flag } }
            set { lock.withLock { _flag = newValue } }
        }
    }
}
