import Dispatch

/// Runs work in order on a thread of its own while the caller prepares the
/// next piece: the demo's simulation computes a day of traffic on one core
/// while the previous day is compressed, signed and synced to disk on the
/// other. At most `depth` pieces wait, which bounds the memory they hold.
/// After the first error nothing more runs; ``submit(_:)`` and ``finish()``
/// throw it.
///
/// ```swift
/// let behind = AppendBehind(depth: 2)
/// try simulator.run { site, events in try behind.submit { try store(site).append(events) } }
/// try behind.finish()
/// ```
final class AppendBehind: Sendable {
    /// A serial queue of its own: not one of the global pool's threads, which
    /// the work's own `concurrentPerform` (decoding, checking) may want.
    private let queue = DispatchQueue(label: "journey.demo.append-behind")
    private let slots: DispatchSemaphore
    private let failure = FailureBox()

    /// At most `depth` pieces submitted and not yet done.
    init(depth: Int) {
        precondition(depth >= 1, "AppendBehind needs room for one piece")
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues `work` behind the pieces before it, waiting while `depth` are
    /// pending. Throws the error of an earlier piece instead of queueing.
    func submit(_ work: @escaping () throws -> Void) throws {
        if let e = failure.first { throw e }
        slots.wait()
        // Only this queue runs `work`, one piece at a time, after the caller handed it over.
        let piece = Unchecked(work)
        queue.async { [slots, failure] in
            defer { slots.signal() }
            guard failure.first == nil else { return }
            do { try piece.value() } catch { failure.add(error) }
        }
    }

    /// Waits for every submitted piece; throws the first error any of them threw.
    func finish() throws {
        queue.sync {}
        if let e = failure.first { throw e }
    }
}
