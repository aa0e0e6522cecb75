import Hummingbird
import JourneyModel
import ServiceLifecycle
import Synchronization

/// `GET /v1/live`: server-sent events. One `update` event (data: the
/// projection's positions) at once, and another after every catch-up that
/// applied events, so an open page shows an append or a replication within
/// a second. A comment keeps the stream open every
/// ``ConsoleLimits/keepAliveSeconds``; the stream ends after
/// ``ConsoleLimits/liveStreamSeconds`` (browsers reconnect by themselves) and
/// when the server shuts down.
extension ConsoleServer {
    func liveResponse() -> Response {
        let host = self.host
        var headers = Self.securityHeaders(contentType: "text/event-stream; charset=utf-8")
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            // A graceful shutdown ends the stream (else the server would wait for it forever).
            let stopping = ShutdownFlag()
            try await withGracefulShutdownHandler {
                let started = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                var generation = UInt64.max
                while ContinuousClock.now - started < .seconds(ConsoleLimits.liveStreamSeconds), !stopping.isSet {
                    try Task.checkCancellation()
                    let now = host.changes.generation
                    if now != generation {
                        generation = now
                        let positions = JSONWriter.string(Self.positionsJSON(await host.positions))
                        try await writer.write(ByteBuffer(string: "event: update\ndata: {\"positions\":\(positions)}\n\n"))
                    } else {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                    await host.changes.wait(after: generation, timeout: .seconds(ConsoleLimits.keepAliveSeconds))
                }
            } onGracefulShutdown: {
                stopping.set()
                host.changes.wakeAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// Set once when the server starts shutting down.
final class ShutdownFlag: Sendable {
    private let value = Mutex(false)
    /// True once ``set()`` was called.
    var isSet: Bool { value.withLock { $0 } }
    /// Marks the shutdown.
    func set() { value.withLock { $0 = true } }
}
