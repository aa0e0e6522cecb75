/// Errors of the event model: a bad event or line, with where and what to do.
public struct ModelError: CodedError, Equatable {
    public static var domain: String { "model" }
    public var codeName: String { code.rawValue }
    /// Every model error is about input.
    public var kind: FailureKind { .badInput }

    /// What kind of problem this is; stable for scripts and tests.
    public enum Code: String, Sendable {
        case invalidJSON = "invalid-json"
        case missingField = "missing-field"
        case invalidField = "invalid-field"
        case tooLarge = "too-large"
    }

    /// What kind of problem this is.
    public var code: Code
    /// The envelope field at fault, when there is one.
    public var field: String?
    /// 1-based line number in the input, when known.
    public var line: Int?
    /// What is wrong and how to fix it.
    public var message: String

    /// An error of `code` at `field` and `line` (when known), with what to do.
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

    /// Longest piece of input quoted in a message, in characters: a message
    /// must stay readable when the input is a 10 MB line.
    public static let excerptCharactersMax = 80

    /// `text` cut to ``excerptCharactersMax`` characters, with how much was left out.
    public static func excerpt(_ text: String) -> String {
        guard text.count > excerptCharactersMax else { return text }
        return String(text.prefix(excerptCharactersMax)) + "… (\(text.utf8.count) bytes in all)"
    }

    /// The JSON text of `value`, cut like ``excerpt(_:)-(String)``.
    public static func excerpt(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        JSONWriter.write(value, into: &out)
        return excerpt(String(decoding: out, as: UTF8.self))
    }
}
