/// Where one block lives, plus the header fields readers filter on: the
/// sparse in-memory index of a log (one entry per block, not per event).
public struct BlockLocation: Sendable, Hashable {
    /// Seq of the block's first event.
    public var firstSeq: UInt64
    /// Events in the block.
    public var count: UInt32
    /// Earliest event time in the block.
    public var minAt: Int64
    /// Latest event time in the block.
    public var maxAt: Int64
    /// Index into the origin's segment list.
    public var segment: Int
    /// Byte offset of the block in its segment file.
    public var offset: UInt64
    /// Stored bytes of the block.
    public var totalBytes: Int
    /// Uncompressed payload bytes.
    public var rawBytes: UInt32

    /// Seq of the block's last event.
    public var lastSeq: UInt64 { firstSeq + UInt64(count) - 1 }
}
