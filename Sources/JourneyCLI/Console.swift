import Foundation
import Synchronization

/// Where commands write. The executable writes to stdout/stderr; tests bind
/// a capturing console to their task through ``JourneyCLI/run(_:clock:)`` to
/// drive commands in-process.
///
/// The static functions write to the console of the running task. Work that
/// runs on other threads (a scan's read-ahead, a server's callbacks) sees no
/// task: it must write to the console its command captured (`Console.current`
/// read on the command's task), which is what ``StoreOptions/node()`` does.
public final class Console: Sendable {
    /// The console of the running command: the process's own by default, or a test's.
    @TaskLocal static var current = Console()

    private struct State {
        var outBuffer: [UInt8] = []
        var captured: (out: [UInt8], err: [UInt8])?
        var eachLine = false
    }
    // A command's worker threads may write beside it.
    private let state = Mutex(State())

    /// A console writing to the process's standard output and error.
    init() {}

    /// A console that keeps what is written, for ``JourneyCLI/run(_:clock:)``.
    static func capturing() -> Console {
        let c = Console()
        c.state.withLock { $0.captured = ([], []) }
        return c
    }

    /// What a capturing console kept.
    var capture: (out: [UInt8], err: [UInt8])? { state.withLock { $0.captured } }

    /// Flush standard output at every line, not only when large: for commands
    /// whose lines report progress (the demo), so `journey demo > log` shows
    /// each step as it happens.
    var flushesEachLine: Bool {
        get { state.withLock { $0.eachLine } }
        set { state.withLock { $0.eachLine = newValue } }
    }

    /// Writes bytes to standard output (buffered; flushed at exit and when large).
    func out(_ bytes: [UInt8]) {
        let full: Bool = state.withLock { s in
            if s.captured != nil { s.captured?.out.append(contentsOf: bytes); return false }
            s.outBuffer.append(contentsOf: bytes)
            return s.outBuffer.count >= 1 << 20 || s.eachLine
        }
        if full { flushOut() }
    }

    /// Writes a line to standard error (unbuffered: progress and errors show at once).
    func err(_ text: String) {
        let capturedHere: Bool = state.withLock { s in
            guard s.captured != nil else { return false }
            s.captured?.err.append(contentsOf: Array((text + "\n").utf8))
            return true
        }
        guard !capturedHere else { return }
        flushOut()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes buffered standard output.
    func flushOut() {
        state.withLock { s in
            guard !s.outBuffer.isEmpty else { return }
            s.outBuffer.withUnsafeBytes { buf in
                guard let base = buf.baseAddress else { return }
                var done = 0
                while done < buf.count {
                    let n = Foundation.write(1, base + done, buf.count - done)
                    if n <= 0 { break }
                    done += n
                }
            }
            s.outBuffer.removeAll(keepingCapacity: true)
        }
    }

    /// Writes bytes to the running command's standard output.
    public static func write(_ bytes: [UInt8]) { current.out(bytes) }

    /// Writes a line to the running command's standard output.
    public static func line(_ text: String = "") { current.out(Array((text + "\n").utf8)) }

    /// Writes a line to the running command's standard error.
    public static func error(_ text: String) { current.err(text) }

    /// Writes the running command's buffered standard output.
    public static func flush() { current.flushOut() }
}
