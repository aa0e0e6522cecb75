/// Contacts at a site on a local day in one category of one dimension of
/// the contact mix: `queue`, `reason`, `channel`, or `route` (the route of
/// the answering agent; `transfer` for transferred contacts without one,
/// `direct` otherwise).
public struct MixCount: Sendable, Equatable, Hashable {
    /// The site.
    public var site: String
    /// The site-local day (days since 1970-01-01).
    public var day: Int64
    /// `queue`, `reason`, `channel` or `route`.
    public var dimension: String
    /// The category counted (channel, queue or reason).
    public var category: String
    /// Contacts of that category that day.
    public var contacts: Int64
}
