/// A contact whose repeat outcome is known: ended, with a customer, and its
/// repeat window closed by the data horizon. What `insights repeats` ranks.
public struct CountedContactRow: Sendable, Equatable {
    /// The site.
    public var site: String
    /// The contact id.
    public var contact: String
    /// The queue.
    public var queue: String?
    /// The contact reason given at its start.
    public var reason: String?
    /// The agent who answered it last.
    public var agent: String?
    /// The answering agent's route (e.g. `overflow`).
    public var route: String?
    /// Times it was transferred.
    public var transfers: Int64
    /// Its channel.
    public var channel: String?
    /// The customer came back within the window (``RepeatRule``).
    public var repeated: Bool
    /// The site of the repeat (the customer's contact that started first after this one ended).
    public var nextSite: String?
    /// The channel of the repeat.
    public var nextChannel: String?
}
