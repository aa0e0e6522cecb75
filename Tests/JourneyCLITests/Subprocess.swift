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

    /// Runs `binary args` and kills it with SIGKILL after `afterMs`; true when it was still running then.
    static func runKilled(_ binary: String, _ args: [String], afterMs: Int, environment: [String: String]? = nil) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if let environment { p.environment = environment }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(UInt32(afterMs * 1000))
        let running = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return running
    }

    /// Runs `journey args…`, killing it after `deadlineSeconds` (a hang
    /// detector, not a timing: the commands given take well under a second).
    static func journey(_ args: [String], deadlineSeconds: Double = 120, environment: [String: String]? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try binary())
        p.arguments = args
        if let environment { p.environment = environment }
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

    /// Starts `journey args…` in the background (output to `log`), for a
    /// server the test talks to; the caller terminates it.
    static func start(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try binary())
        p.arguments = args
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// A loopback port nothing listens on now, followed by `count - 1` more
    /// such ports (a probe: another process may still take one before use).
    static func freePorts(_ count: Int) -> Int? {
        func free(_ port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let base = Int.random(in: 20_000...60_000, using: &g)
            if (0..<count).allSatisfy({ free(base + $0) }) { return base }
        }
        return nil
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
