/// One immutable fact about a contact, an agent or an action.
///
/// The envelope fields are typed; kind-specific fields live in ``data``, and
/// envelope fields this version does not know are kept in ``extra`` so that
/// the canonical JSONL round trip is lossless.
///
/// ```swift
/// var e = Event(site: "north", id: "c1-start", at: Timestamp(ms: 0), kind: .contactStarted)
/// e.contact = "c1"; e.channel = .voice
/// e.data["direction"] = "inbound"
/// ```
public struct Event: Sendable, Hashable {
    /// Origin site: the centre whose log owns the event.
    public var site: String
    /// Position in the origin's log, 1-based and gap-free; 0 until appended.
    public var seq: UInt64
    /// Idempotency key, unique per origin.
    public var id: String
    /// When it happened.
    public var at: Timestamp
    /// What happened (`contact.started`, `queue.entered`, …).
    public var kind: EventKind
    /// Contact id: one customer interaction on one channel.
    public var contact: String?
    /// Stable customer key (hashed ANI or account): the journey key.
    public var customer: String?
    /// The channel of the contact.
    public var channel: Channel?
    /// The queue (skill) the contact waited in or was handled for.
    public var queue: String?
    /// The agent concerned.
    public var agent: String?
    /// Kind-specific fields, in their original order.
    public var data: JSONObject
    /// Envelope fields unknown to this version, kept for a lossless round trip.
    public var extra: JSONObject

    /// An event; `seq` stays 0 until the log assigns it.
    ///
    /// Inlinable: called from another module, the init built the event in a
    /// temporary and copied it out (a retain and a release of every field),
    /// which was a fifth of decoding a block.
    @inlinable
    public init(
        site: String, seq: UInt64 = 0, id: String, at: Timestamp, kind: EventKind,
        contact: String? = nil, customer: String? = nil, channel: Channel? = nil,
        queue: String? = nil, agent: String? = nil, data: JSONObject = JSONObject(), extra: JSONObject = JSONObject()
    ) {
        self.site = site
        self.seq = seq
        self.id = id
        self.at = at
        self.kind = kind
        self.contact = contact
        self.customer = customer
        self.channel = channel
        self.queue = queue
        self.agent = agent
        self.data = data
        self.extra = extra
    }

    /// Largest canonical encoding of one event accepted, in bytes.
    public static let encodedBytesMax = 64 * 1024
    /// Longest `id`, `contact`, `customer`, `queue` or `agent` accepted, in bytes.
    public static let keyBytesMax = 256
}
