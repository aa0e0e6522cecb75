/// A queue visit an agent answered and did not transfer (so the agent is
/// the one FCR and CSAT credit), with what FCR and CSAT read of its
/// contact: the input of the coaching list's adjusted rates.
public struct ClosedVisitRow: Sendable, Equatable {
    /// The agent who answered the visit.
    public var agent: String
    /// The queue of the visit.
    public var queue: String
    /// The local day the visit entered its queue.
    public var day: Int64
    /// The contact's repeat window had closed by the data horizon.
    public var windowClosed: Bool
    /// The customer came back within the window (``RepeatRule``).
    public var repeated: Bool
    /// The contact's survey score (1–5), if it was surveyed.
    public var csat: Int64?
}
