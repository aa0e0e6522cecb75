/// When an append is acknowledged relative to `fsync`.
public enum Durability: String, Sendable, CaseIterable {
    /// Every append is synced on its own before it is acknowledged.
    case always
    /// Group commit: appends waiting at the same moment share one sync; each is
    /// acknowledged only after the sync that covers it. The default.
    case batch
    /// No sync: acknowledged once written to the operating system. A power
    /// loss can lose acknowledged events (and leave a damaged tail larger than
    /// recovery truncates on its own).
    case none
}

/// Tunables of a log. The defaults are what `journey` uses.
public struct LogOptions: Sendable {
    /// When appends are acknowledged.
    public var durability: Durability = .batch
    /// A segment is sealed and a new one started once it reaches this size.
    public var segmentBytesMax: UInt64 = 64 << 20
    /// Most events in one block; more per block compresses better.
    public var eventsPerBlock = 8192
    /// zlib level for block payloads. On synthetic traffic level 1 measured
    /// about 10 % less CPU per appended event than level 4 and 2.5× less
    /// deflate time than 6, for 5 % more bytes than 4 (docs/benchmarks.md).
    public var compressionLevel: Int32 = 1
    /// Most bytes written between two syncs of one commit. Bounds how much of
    /// a segment's tail a crash can leave half-written.
    public var writeBytesMax: UInt64 = 8 << 20
    /// Open without writing anything: no lock, no torn-tail cut (an
    /// incomplete tail may be a block another process is writing), no
    /// appends, files opened read-only (so a store on a read-only file system
    /// or owned by another user can be read). The store re-reads what other processes added when read.
    public var readOnly = false
    /// Pinned public signing keys of other origins (from the sync config):
    /// their blocks are checked against them when the store is opened, and
    /// an origin whose blocks fail is refused. The own site's key is always used.
    public var publicKeys: [String: [UInt8]] = [:]
    /// Where files live; tests put a fault-injecting one here.
    public var fileSystem: any FileSystem = POSIXFileSystem()
    /// Most ids of the own log the id index holds in memory (16 bytes a
    /// slot); beyond it they go to sorted runs in a scratch file in the
    /// log's directory (``SpillingIDIndex``), so appending to a log of any
    /// size needs the same memory.
    public var idsInMemoryMax = SpillingIDIndex.defaultMemoryEntries

    /// The defaults: batch durability, read-write, no pinned keys.
    public init() {}
}
