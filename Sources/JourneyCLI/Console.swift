import Foundation

/// Where commands write. The executable writes to stdout/stderr; tests swap
/// in buffers through ``JourneyCLI/run(_:)`` to drive commands in-process.
public final class Console: @unchecked Sendable {
    // Swapped only by JourneyCLI.run, which tests call one at a time.
    nonisolated(unsafe) static var current = Console()

    private var outBuffer: [UInt8] = []
    var capture: (out: [UInt8], err: [UInt8])?
    /// Flush standard output at every line, not only when large: for commands
    /// whose lines report progress (the demo), so `journey demo > log` shows
    /// each step as it happens.
    var flushesEachLine = false

    /// Writes bytes to standard output (buffered; flushed at exit and when large).
    static func write(_ bytes: [UInt8]) {
        let c = current
        if c.capture != nil { c.capture?.out.append(contentsOf: bytes); return }
        c.outBuffer.append(contentsOf: bytes)
        if c.outBuffer.count >= 1 << 20 || c.flushesEachLine { flush() }
    }

    /// Writes a line to standard output.
    static func line(_ text: String = "") { write(Array((text + "\n").utf8)) }

    /// Writes a line to standard error (unbuffered: progress and errors show at once).
    static func error(_ text: String) {
        let c = current
        if c.capture != nil { c.capture?.err.append(contentsOf: Array((text + "\n").utf8)); return }
        flush()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func flush() {
        let c = current
        guard !c.outBuffer.isEmpty else { return }
        c.outBuffer.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = Foundation.write(1, buf.baseAddress! + done, buf.count - done)  // non-empty buffer: base address exists
                if n <= 0 { break }
                done += n
            }
        }
        c.outBuffer.removeAll(keepingCapacity: true)
    }
}
