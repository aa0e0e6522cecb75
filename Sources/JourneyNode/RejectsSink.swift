import Foundation

/// The file `--rejects` names: created (or emptied) when the run starts, so
/// it holds exactly this run's rejects; appended to while following.
public final class RejectsSink {
    /// The file's path.
    public let path: String
    private let handle: FileHandle

    /// Creates (or empties) the file at `path` for the rejects of `input`
    /// (a path, or `-` for standard input) appended to the store in
    /// `storeDirectory`, after checking that emptying it destroys nothing:
    /// it must not be the input itself (by any spelling or link) nor lie
    /// inside the store's directory (its logs, keys and manifest).
    public convenience init(path: String, input: String, storeDirectory: String) throws {
        try FileIdentity.checkSafeToEmpty(path, option: "--rejects", input: input, storeDirectory: storeDirectory)
        try self.init(path: path)
    }

    /// Creates (or empties) the file at `path`, checking nothing (see
    /// ``init(path:input:storeDirectory:)`` for what a command line gives).
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
