import Foundation

/// The file `--rejects` names: created (or emptied) when the run starts, so
/// it holds exactly this run's rejects; appended to while following.
public final class RejectsSink {
    /// The file's path.
    public let path: String
    private let handle: FileHandle

    /// Creates (or empties) the file at `path`.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw NodeError(.unwritable, "cannot create the rejects file \(path): check the directory exists and is writable")
        }
        handle = h
    }

    /// Appends `bytes` durably.
    public func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
        } catch {
            throw NodeError(.io, "cannot write the rejects file \(path): \(error)")
        }
    }

    deinit { try? handle.close() }
}
