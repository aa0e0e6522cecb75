import JourneyLog

/// The body of a `/v1/blocks` response: stored blocks back to back, exactly
/// as they are on disk. Each block says its own length in its header and ends
/// with its CRC, so the stream needs no other framing.
public enum BlockFrames {
    /// Most bytes one response carries; the client asks again for more.
    public static let responseBytesMax = 16 << 20
    /// Most bytes a client takes in one response body. The server stops
    /// before a block that would take a response past its limit, but sends
    /// the first block whole whatever its size (a block may be larger than a
    /// response), so a body is at most the larger of the two.
    public static let bodyBytesMax = max(responseBytesMax, BlockHeader.totalBytesMax)

    /// Splits a body into blocks, checking each one's lengths and CRC.
    /// A body that ends inside a block is an error (a cut connection).
    public static func parse(_ bytes: [UInt8]) throws -> [Block] {
        var blocks: [Block] = []
        var offset = 0
        while offset < bytes.count {
            let head = Array(bytes[offset..<min(bytes.count, offset + BlockHeader.fixedBytes + 32)])
            let header: BlockHeader
            do { header = try head.withUnsafeBytes { try BlockHeader.parse($0) } } catch {
                throw SyncError(.protocolViolation, "response byte \(offset): not a block header (\(error))")
            }
            guard offset + header.totalBytes <= bytes.count else {
                throw SyncError(.protocolViolation, "response ends inside a block at byte \(offset) (\(bytes.count - offset) of \(header.totalBytes) bytes)")
            }
            do {
                blocks.append(try Block(parsing: Array(bytes[offset..<(offset + header.totalBytes)])))
            } catch {
                throw SyncError(.rejected, "block of '\(header.origin)' at seq \(header.firstSeq): \(error)")
            }
            offset += header.totalBytes
        }
        return blocks
    }
}
