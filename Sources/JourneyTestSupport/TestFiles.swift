import Foundation

/// Removes `path` and every file or directory beside it whose name begins
/// with its name (`path-rejects.csv`, `path-replay.sqlite.lock`…): what a
/// test put next to its store, where a store may not hold it. Without this,
/// every run left such files in the temporary directory.
public func removeTestFiles(prefixedBy path: String) {
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
    guard !name.isEmpty else { return }
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(name) {
        try? FileManager.default.removeItem(atPath: parent + "/" + entry)
    }
}
