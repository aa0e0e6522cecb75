/// Errors of the event model: a bad event or line, with where and what to do.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is; stable for scripts and tests.
    public enum Code: String, Sendable {
        case invalidJSON = "invalid-json"
        case missingField = "missing-field"
        case invalidField = "invalid-field"
        case tooLarge = "too-large"
    }

    public var code: Code
    /// The envelope field at fault, when there is one.
    public var field: String?
    /// 1-based line number in the input, when known.
    public var line: Int?
    /// What is wrong and how to fix it.
    public var message: String

    public init(_ code: Code, field: String? = nil, line: Int? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.line = line
        self.message = message
    }

    public var description: String {
        var s = ""
        if let line { s += "line \(line): " }
        if let field { s += "field '\(field)': " }
        return s + message
    }

    /// The same error attributed to an input line.
    public func at(line: Int) -> ModelError {
        var e = self
        e.line = line
        return e
    }
}
