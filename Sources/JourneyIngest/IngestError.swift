/// Errors of the importers: malformed input, with the line (or record) and
/// what to fix. An import with any of these stores nothing.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int? = nil, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { (line.map { "line \($0): " } ?? "") + message }
}
