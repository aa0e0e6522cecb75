import Foundation
import JourneyModel

/// A piece of HTML whose interpolations are escaped unless they are HTML
/// themselves: `"<td>\(agent)</td>" as HTML` escapes the agent's name, so a
/// value from data (`<script>`, quotes) can never become markup. Only
/// ``HTML`` values, numbers and ``raw(_:)`` go in unescaped.
public struct HTML: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// The markup.
    public private(set) var text: String

    /// Markup written in the source.
    public init(stringLiteral value: String) { text = value }
    /// Markup built by interpolation (see ``StringInterpolation``).
    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }
    /// Trusted markup built by code (never data).
    public static func raw(_ text: String) -> HTML { HTML(stringLiteral: text) }

    /// Interpolation that escapes text and inserts markup as is.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        /// Room for the literal parts.
        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }
        /// A literal part: markup.
        public mutating func appendLiteral(_ literal: String) { text += literal }
        /// Text: escaped.
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        /// Optional text: escaped, nothing when nil.
        public mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        /// Markup: as is.
        public mutating func appendInterpolation(_ value: HTML) { text += value.text }
        /// Markup pieces: as is, one after the other.
        public mutating func appendInterpolation(_ values: [HTML]) { for v in values { text += v.text } }
        /// A whole number.
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        /// A whole number.
        public mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        /// A number with `digits` decimals (SVG coordinates, shares).
        public mutating func appendInterpolation(_ value: Double, digits: Int = 1) { text += HTML.decimal(value, digits: digits) }
    }

    /// `s` with `& < > " '` written as character references: safe in text and in quoted attributes.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `x` with `digits` decimals, without a locale ("12.5"); "—" when not finite.
    public static func decimal(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return "—" }
        return String(format: "%.\(min(max(0, digits), 6))f", x)
    }

    /// A query value as a page shows it: rounded numbers, "—" for none, yes/no.
    public static func display(_ v: JSONValue) -> String {
        switch v {
        case .null: return "—"
        case .string(let s): return s
        case .bool(let b): return b ? "yes" : "no"
        case .integer(let i): return String(i)
        case .number(let n):
            guard let d = Double(n) else { return n }
            return decimal(d, digits: abs(d) < 10 ? 3 : 1)
        default: return JSONWriter.string(v)
        }
    }

    /// `parts` joined by `separator`.
    public static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        raw(parts.map(\.text).joined(separator: separator.text))
    }
}
