/// The console's time and size limits, in one place.
public enum ConsoleLimits {
    /// A browser session lasts this long after sign-in (a shift and a half), then asks again.
    public static let sessionSeconds: Double = 12 * 3600
    /// Most sessions held at once; signing in beyond it ends the oldest.
    public static let sessionsMax = 10_000
    /// Largest form body read (sign-in, actions); a larger one is refused unread.
    public static let formBytesMax = 16 * 1024
    /// A live stream sends a comment this often when nothing changes, so proxies keep it open.
    public static let keepAliveSeconds = 15
    /// A live stream ends after this long; the browser reconnects by itself.
    public static let liveStreamSeconds = 3600
    /// How often the projection looks for events another process appended
    /// (a read-only node; the node's own appends and replications wake it at once).
    public static let pollMilliseconds = 200
    /// Most rows a page or an API call returns (a larger `limit` is refused).
    public static let rowsMax = 10_000
    /// Contacts the screen-pop returns when the request names no `limit`.
    public static let screenPopContacts = 50
    /// Most contacts the journey page shows.
    public static let journeyPageContacts = 500
}
