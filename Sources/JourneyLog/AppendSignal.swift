/// Wakes, in this process, whoever waits for a store's next append: the sync
/// server's long polls answer a pull the moment a block is stored instead of
/// looking again every few milliseconds. Appends by another process (a
/// separate writer beside a read-only server) are not seen here; their
/// readers still poll.
///
/// A waiter reads ``generation`` before it looks for data, then waits for a
/// later generation: an append between the look and the wait is never missed.
public final class AppendSignal: @unchecked Sendable {
    // All state below is guarded by `monitor`.
    private let monitor = Monitor()
    private var count: UInt64 = 0
    private var nextWaiter: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]

    /// A signal no append has raised yet.
    public init() {}

    /// How many appends have been signalled so far.
    public var generation: UInt64 { monitor.withLock { count } }

    /// Wakes every waiter without counting an append (for shutting a waiter
    /// down: it then looks, finds nothing new, and checks whether to stop).
    public func wakeAll() {
        let woken = monitor.withLock { () -> [CheckedContinuation<Void, Never>] in
            defer { waiters.removeAll(keepingCapacity: true) }
            return Array(waiters.values)
        }
        for w in woken { w.resume() }
    }

    /// Called after new events or blocks became readable: wakes every waiter.
    func signal() {
        let woken = monitor.withLock { () -> [CheckedContinuation<Void, Never>] in
            count &+= 1
            defer { waiters.removeAll(keepingCapacity: true) }
            return Array(waiters.values)
        }
        for w in woken { w.resume() }
    }

    /// Returns when an append after `generation` is signalled, when `timeout`
    /// has passed, or when the task is cancelled — whichever comes first.
    public func wait(after generation: UInt64, timeout: Duration) async {
        let id = monitor.withLock { () -> UInt64 in
            nextWaiter &+= 1
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let already = monitor.withLock { () -> Bool in
                    if count != generation || Task.isCancelled { return true }
                    waiters[id] = c
                    return false
                }
                if already { c.resume(); return }
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.resume(id)
                }
            }
        } onCancel: {
            resume(id)
        }
    }

    /// Resumes waiter `id` if it is still waiting (each is resumed exactly once).
    private func resume(_ id: UInt64) {
        let waiter = monitor.withLock { waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
