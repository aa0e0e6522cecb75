import JourneyModel
import JourneyProjections

/// What an insight command found: headline findings in words, the rows
/// behind them, and the position vector and horizon they were computed at.
public struct InsightReport: Sendable {
    /// The report's title.
    public var title: String
    /// One sentence per finding, most important first (empty: nothing to report).
    public var findings: [String]
    /// The rows behind the findings.
    public var result: QueryResult

    /// A report of `findings` over `result`.
    public init(title: String, findings: [String], result: QueryResult) {
        self.title = title
        self.findings = findings
        self.result = result
    }

    /// `{"title", "findings": [...], "positions", "horizon", "rows"}`.
    public var json: JSONValue {
        guard case .object(var o) = result.json else { return result.json }
        o.members.insert(.init("findings", .array(findings.map { .string($0) })), at: 0)
        o.members.insert(.init("title", .string(title)), at: 0)
        return .object(o)
    }
}

/// JSON helpers shared by the insights.
enum Value {
    static func number(_ x: Double?, _ digits: Int = 4) -> JSONValue { .rounded(x, digits: digits) }
    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func percent(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 10
        return (r == r.rounded() ? String(Int(r)) : String(r)) + " %"
    }
}
