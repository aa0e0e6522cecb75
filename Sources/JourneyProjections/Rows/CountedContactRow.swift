/// A contact whose repeat outcome is known: ended, with a customer, and its
/// repeat window closed by the data horizon. What `insights repeats` ranks.
public struct CountedContactRow: Sendable, Equatable {
    public var site: String
    public var contact: String
    public var queue: String?
    public var reason: String?
    /// The agent who answered it last.
    public var agent: String?
    public var route: String?
    public var transfers: Int64
    public var channel: String?
    /// The customer came back within the window (``RepeatRule``).
    public var repeated: Bool
    /// The site of the repeat (the customer's contact that started first after this one ended).
    public var nextSite: String?
    /// The channel of the repeat.
    public var nextChannel: String?
}
