import Synchronization

/// Wakes, in this process, whoever waits for a store's next append (and, as
/// the console's change signal, for a projection's next catch-up): the sync
/// server's long polls answer a pull the moment a block is stored instead of
/// looking again every few milliseconds. Appends by another process (a
/// separate writer beside a read-only server) are not seen here; their
/// readers still poll.
///
/// A waiter reads ``generation`` before it looks for data, then waits for a
/// later generation: an append between the look and the wait is never missed.
public final class AppendSignal: Sendable {
    private struct State {
        var count: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    /// A signal no append has raised yet.
    public init() {}

    /// How many appends have been signalled so far.
    public var generation: UInt64 { state.withLock { $0.count } }

    /// Wakes every waiter without counting an append (for shutting a waiter
    /// down: it then looks, finds nothing new, and checks whether to stop).
    public func wakeAll() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            defer { s.waiters.removeAll(keepingCapacity: true) }
            return Array(s.waiters.values)
        }
        for w in woken { w.resume() }
    }

    /// Called after new data became readable (a store's appends; a console's
    /// caught-up projection): counts a generation and wakes every waiter.
    public func signal() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.count &+= 1
            defer { s.waiters.removeAll(keepingCapacity: true) }
            return Array(s.waiters.values)
        }
        for w in woken { w.resume() }
    }

    /// Returns when an append after `generation` is signalled, when `timeout`
    /// has passed, or when the task is cancelled — whichever comes first.
    public func wait(after generation: UInt64, timeout: Duration) async {
        let id = state.withLock { s -> UInt64 in
            s.nextWaiter &+= 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let already = state.withLock { s -> Bool in
                    if s.count != generation || Task.isCancelled { return true }
                    s.waiters[id] = c
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
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
