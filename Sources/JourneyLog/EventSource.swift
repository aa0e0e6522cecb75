import JourneyModel

/// What a projection reads: each origin's events in seq order. A
/// ``LogStore`` is one; a test wraps one to stop part way, as a crash would,
/// so the projection engine carries no test hook of its own.
public protocol EventSource {
    /// The origins held.
    var origins: [String] { get }
    /// The last seq held of `origin`; 0 when none.
    func lastSeq(of origin: String) -> UInt64
    /// Calls `body` with each event of `origin` after `afterSeq`, in seq
    /// order, until it returns false or the events run out.
    func scan(origin: String, afterSeq: UInt64, _ body: (Event) throws -> Bool) throws
}

extension LogStore: EventSource {
    public func lastSeq(of origin: String) -> UInt64 { snapshot(origin: origin)?.lastSeq ?? 0 }

    public func scan(origin: String, afterSeq: UInt64, _ body: (Event) throws -> Bool) throws {
        try forEachEvent(origin: origin, afterSeq: afterSeq, body)
    }
}
