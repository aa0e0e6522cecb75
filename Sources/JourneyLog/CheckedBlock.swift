/// A replicated block that passed every check that needs no store state
/// (``LogStore/checkReplicated(_:publicKey:)``): its chain hash recomputes,
/// it is signed by its origin's pinned key when one was given, and its
/// payload decodes to valid events. Only such a block can be stored, so a
/// block cannot skip the checks by being stored directly; the checks can run
/// on another thread before the block is stored in order.
public struct CheckedBlock: Sendable {
    /// The block, as received.
    public let block: Block

    init(block: Block) { self.block = block }
}
