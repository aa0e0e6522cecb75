import Foundation

/// A plain-text table with aligned columns, for human output.
public struct Table {
    /// The column headers.
    public var headers: [String]
    /// The rows, each a cell per header.
    public var rows: [[String]] = []
    /// Columns to right-align (numbers).
    public var numeric: Set<Int> = []

    /// A table with `headers`, right-aligning the `numeric` columns.
    public init(_ headers: [String], numeric: Set<Int> = []) {
        self.headers = headers
        self.numeric = numeric
    }

    /// Adds a row.
    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as lines of aligned columns under a rule.
    public func render() -> String {
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let padding = String(repeating: " ", count: max(0, widths[i] - c.count))
                return numeric.contains(i) ? padding + c : c + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}
