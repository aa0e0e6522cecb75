import Dispatch

/// Produces the next value on a background thread while the caller works on
/// the current one: one value ahead, in order, with the producer's errors
/// handed to the caller in its place.
///
/// Unlike ``JourneyLog/BothAtOnce``, the producer does not run inside a
/// `concurrentPerform`, so work the consumer or the producer splits over both
/// cores with `BothAtOnce` (the store's compression, decoding a chunk's
/// halves) still gets both. A `concurrentPerform` nested in another gets only
/// the width its parent leaves: with the store pass's read-ahead inside
/// `BothAtOnce`, that pass used 1.27 cores; on a queue of its own, 1.45–1.52.
final class ReadAhead<Value>: @unchecked Sendable {
    // `pending` is written by the producer before `ready` is signalled and
    // read by the consumer after waiting on it, so the two never overlap.
    private let produce: () throws -> Value?
    private let ready = DispatchSemaphore(value: 0)
    /// A serial queue of its own: its thread is not one of the global pool's (as many as there are
    /// cores), which the `concurrentPerform` of a producer or consumer needs.
    private let queue = DispatchQueue(label: "journey.read-ahead")
    private var pending: Result<Value?, Error> = .success(nil)
    private var running = false

    /// Starts producing the first value at once.
    init(_ produce: @escaping () throws -> Value?) {
        self.produce = produce
        start()
    }

    deinit {
        // Never leave the producer running on state the caller is about to free.
        if running { ready.wait() }
    }

    private func start() {
        running = true
        queue.async {
            self.pending = Result { try self.produce() }
            self.ready.signal()
        }
    }

    /// The next value (nil at the end), starting the one after it.
    func next() throws -> Value? {
        guard running else { return nil }
        ready.wait()
        running = false
        let value = try pending.get()
        if value != nil { start() }
        return value
    }
}
