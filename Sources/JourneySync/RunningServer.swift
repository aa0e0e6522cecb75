import Foundation
import Hummingbird
import Synchronization
import Logging

/// A ``SyncServer`` running in this process on a loopback or given port,
/// until ``stop()`` (used by `journey demo` and the sync benchmark).
///
/// ```swift
/// let running = try await RunningServer.start(SyncServer(store: store, config: config))
/// print(running.url)          // http://127.0.0.1:54321
/// running.stop()
/// ```
public final class RunningServer: Sendable {
    /// The port the server is bound to (the one asked for, or the one the system chose for 0).
    public let port: Int
    /// The address the server listens on.
    public let host: String
    let task: Task<Void, any Error>

    init(host: String, port: Int, task: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.task = task
    }

    /// `http://HOST:PORT`.
    public var url: String { "http://\(host):\(port)" }

    /// Starts `server` on `host`:`port` (0: a free port), with the routes of `extra` beside it, and returns once it listens.
    public static func start(_ server: SyncServer, host: String = "127.0.0.1", port: Int = 0,
                             extra: [any RouteProvider] = []) async throws -> RunningServer {
        let bound = BoundPort()
        let task = Task {
            do {
                let app = try server.application(host: host, port: port, extra: extra) { bound.set(.success($0)) }
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                bound.set(.failure(error))
                throw error
            }
        }
        while true {
            if let result = bound.value {
                switch result {
                case .success(let p): return RunningServer(host: host, port: p, task: task)
                case .failure(let e): throw e
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops serving.
    public func stop() { task.cancel() }
}

/// The port the server bound, or why it could not start; set once.
final class BoundPort: Sendable {
    private let result = Mutex<Result<Int, any Error>?>(nil)
    var value: Result<Int, any Error>? { result.withLock { $0 } }
    func set(_ r: Result<Int, any Error>) { result.withLock { if $0 == nil { $0 = r } } }
}
