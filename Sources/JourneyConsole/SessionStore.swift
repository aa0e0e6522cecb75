import JourneyModel
import JourneySync
import Synchronization

/// Browser sessions of signed-in viewers, in memory: a node restart signs
/// everyone out. Each session has its own CSRF token, which every form that
/// changes state must carry back.
public final class SessionStore: Sendable {
    /// A signed-in viewer's session.
    public struct Session: Sendable, Equatable {
        /// The cookie value: 32 random bytes, hex.
        public var id: String
        /// The token forms carry in the field `csrf`: 32 random bytes, hex.
        public var csrf: String
        /// Who signed in.
        public var viewer: SyncConfig.Viewer
        /// When it ends (the clock's monotonic seconds).
        public var expires: Double
    }

    private let sessions = Mutex<[String: Session]>([:])
    private let clock: any NodeClock

    /// Sessions timed by `clock`.
    public init(clock: any NodeClock) { self.clock = clock }

    /// A new session for `viewer`.
    public func open(for viewer: SyncConfig.Viewer) -> Session {
        let now = clock.monotonicSeconds()
        let session = Session(id: Self.randomHex(), csrf: Self.randomHex(), viewer: viewer, expires: now + ConsoleLimits.sessionSeconds)
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            if all.count >= ConsoleLimits.sessionsMax, let oldest = all.min(by: { $0.value.expires < $1.value.expires })?.key {
                all.removeValue(forKey: oldest)
            }
            all[session.id] = session
        }
        return session
    }

    /// The live session with cookie value `id`, or nil (unknown or expired).
    public func session(_ id: String) -> Session? {
        let now = clock.monotonicSeconds()
        return sessions.withLock { all in
            guard let s = all[id] else { return nil }
            guard s.expires > now else { all.removeValue(forKey: id); return nil }
            return s
        }
    }

    /// Ends the session `id` (sign-out).
    public func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    /// 32 bytes from the system's cryptographic generator, as hex.
    static func randomHex() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let v = g.next() as UInt64
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
