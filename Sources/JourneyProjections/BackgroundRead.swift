import Dispatch
import Synchronization

/// Work run on a thread of its own, whose result is waited for.
final class BackgroundRead<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` on another thread.
    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// Waits for the work to end and gives its result.
    func wait() -> Result<Value, any Error> {
        done.wait()
        done.signal()
        return result.withLock { $0 } ?? .failure(ProjectionError(.io, "a background read ended without a result"))
    }
}
