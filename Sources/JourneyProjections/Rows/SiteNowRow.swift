/// A site as it stands at the data horizon: contacts waiting in its queues
/// and its agents' current states (the console's "now" tiles).
public struct SiteNowRow: Sendable, Equatable {
    /// The site.
    public var site: String
    /// Contacts waiting in a queue: entered, not yet answered, abandoned,
    /// refused or ended, and entered no longer than ``ProjectionReads/waitingAgeMaxMs`` before the horizon.
    public var waiting: Int64
    /// How long the longest of them has waited at the horizon, ms (nil when none waits).
    public var longestWaitMs: Int64?
    /// Agents ready for a contact.
    public var ready: Int64
    /// Agents busy with a contact.
    public var busy: Int64
    /// Agents logged in but not ready.
    public var notReady: Int64

    /// A site's state.
    public init(site: String, waiting: Int64, longestWaitMs: Int64?, ready: Int64, busy: Int64, notReady: Int64) {
        self.site = site
        self.waiting = waiting
        self.longestWaitMs = longestWaitMs
        self.ready = ready
        self.busy = busy
        self.notReady = notReady
    }
}
