import Foundation

/// `application/x-www-form-urlencoded` text (a URL's query, a form's body):
/// `name=value&…`, `+` for a space, `%XX` for a byte.
public enum URLForm {
    /// The fields of `text` in order. A field whose name or value is not valid
    /// percent-encoded UTF-8 is refused, naming it.
    public static func parse(_ text: Substring) throws -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(kv[0]), let value = decode(kv.count > 1 ? kv[1] : "") else {
                throw ConsoleError(.invalid, "the field '\(String(kv[0].prefix(40)))' is not valid percent-encoded UTF-8")
            }
            out.append((name, value))
        }
        return out
    }

    /// The fields of `text` by name; a name given twice is refused.
    public static func fields(_ text: Substring) throws -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in try parse(text) {
            guard out[name] == nil else { throw ConsoleError(.invalid, "the field '\(name)' is given twice; give it once") }
            out[name] = value
        }
        return out
    }

    /// `fields` as form text, each name and value percent-encoded.
    public static func encode(_ fields: [(name: String, value: String?)]) -> String {
        fields.map { f in f.value.map { encode(f.name) + "=" + encode($0) } ?? encode(f.name) }.joined(separator: "&")
    }

    /// `s` percent-encoded: unreserved characters as they are, every other byte as `%XX`.
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(UnicodeScalar(hex[Int(b >> 4)])) + String(UnicodeScalar(hex[Int(b & 15)]))
            }
        }
        return out
    }

    static func decode(_ s: Substring) -> String? {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
