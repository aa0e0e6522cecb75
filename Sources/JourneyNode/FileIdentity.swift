import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file as the file system knows it (device and inode), whatever path or
/// link names it; and paths with every link and `.`/`..` resolved.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    /// The identity of the file at `path`, or nil when there is none.
    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// Throws ``NodeError`` (`refused`) when emptying the file at `path`,
    /// which the command's `option` names, would destroy something: the
    /// `input` being read (any spelling or link of it; `-` is standard
    /// input), or a file inside the store's directory (its logs, keys and
    /// manifest).
    static func checkSafeToEmpty(_ path: String, option: String, input: String?, storeDirectory: String?) throws {
        if let input, input != "-", let target = FileIdentity(path), FileIdentity(input) == target {
            throw NodeError(.refused, "\(option) \(path) is the input file itself: writing it would empty the input before it is read; name another file")
        }
        if let storeDirectory, let store = resolved(storeDirectory), let target = resolvedForCreation(path),
           target == store || target.hasPrefix(store.hasSuffix("/") ? store : store + "/") {
            throw NodeError(.refused, "\(option) \(path) is inside the store's data directory \(storeDirectory): writing it could empty one of the store's own files; name a file outside it")
        }
    }

    /// `path` with every link resolved, or nil when it does not exist.
    static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Where a file created at `path` would be: the path itself resolved
    /// when it exists, else its resolved directory and its name.
    static func resolvedForCreation(_ path: String) -> String? {
        if let existing = resolved(path) { return existing }
        let url = URL(fileURLWithPath: path)
        guard let directory = resolved(url.deletingLastPathComponent().path) else { return nil }
        return directory + "/" + url.lastPathComponent
    }
}
