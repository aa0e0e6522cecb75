/// Contacts at a site on a local day in one category of one dimension of
/// the contact mix: `queue`, `reason`, `channel`, or `route` (the route of
/// the answering agent; `transfer` for transferred contacts without one,
/// `direct` otherwise).
public struct MixCount: Sendable, Equatable, Hashable {
    public var site: String
    public var day: Int64
    /// `queue`, `reason`, `channel` or `route`.
    public var dimension: String
    public var category: String
    public var contacts: Int64
}
