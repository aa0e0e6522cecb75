import Foundation

/// Reads a whole input file, or standard input for `-`.
public enum InputFile {
    /// The bytes of `path`, or of standard input for `-`.
    public static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NodeError(.unreadable, "cannot read \(path): check the path and its permissions")
        }
        return Array(data)
    }
}
