import JourneyModel

/// The rejects file of an import run with `--rejects`: every malformed
/// line or record as it was, with the reason it was set aside, so it can be
/// fixed and imported again.
///
/// - CSV: the header with a `reason` column added, then each rejected row's
///   fields (quoted where needed) and its reason.
/// - Line formats (JSONL, Asterisk `queue_log`) and Connect records: one
///   JSON object per line, `{"line": N, "code": "...", "reason": "...", "input": ...}`,
///   `input` being the line's text, or the record itself for a Connect array.
public enum Rejects {
    /// The rejects of a CSV input read with `separator`.
    public static func csv(_ input: [UInt8], separator: UInt8, rejected: [IngestError]) -> [UInt8] {
        guard let rows = try? CSVTable.rows(input, separator: separator), let header = rows.first else {
            return lines(input, firstLine: 1, rejected: rejected)
        }
        let reasons = Dictionary(rejected.compactMap { e in e.line.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
        var out: [UInt8] = []
        func put(_ fields: [String]) {
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(separator) }
                let needsQuotes = f.utf8.contains { $0 == separator || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                if needsQuotes {
                    out.append(0x22)
                    for b in f.utf8 { if b == 0x22 { out.append(0x22) }; out.append(b) }
                    out.append(0x22)
                } else {
                    out.append(contentsOf: f.utf8)
                }
            }
            out.append(0x0A)
        }
        put(header.fields + ["reason"])
        for row in rows.dropFirst() {
            guard let e = reasons[row.line] else { continue }
            put(row.fields + ["\(e.code.rawValue): \(e.message)"])
        }
        return out
    }

    /// The rejects of a line-per-record input whose first line is `firstLine`.
    public static func lines(_ input: [UInt8], firstLine: Int, rejected: [IngestError]) -> [UInt8] {
        let reasons = Dictionary(rejected.compactMap { e in e.line.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
        var out: [UInt8] = []
        var n = firstLine - 1
        for raw in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            n += 1
            guard let e = reasons[n] else { continue }
            var text = String(decoding: raw, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            write(line: n, e, input: .string(text), into: &out)
        }
        return out
    }

    /// The rejects of an Amazon Connect input: lines, or the records of one JSON array (numbered from 1).
    public static func records(_ input: [UInt8], rejected: [IngestError]) -> [UInt8] {
        let trimmed = input.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard trimmed.first == UInt8(ascii: "["),
              case .array(let items)? = try? Array(trimmed).withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
            return lines(input, firstLine: 1, rejected: rejected)
        }
        var out: [UInt8] = []
        for e in rejected {
            guard let n = e.line, n >= 1, n <= items.count else { continue }
            write(line: n, e, input: items[n - 1], into: &out)
        }
        return out
    }

    static func write(line: Int, _ e: IngestError, input: JSONValue, into out: inout [UInt8]) {
        let o: JSONObject = ["line": .integer(Int64(line)), "code": .string(e.code.rawValue), "reason": .string(e.message), "input": input]
        JSONWriter.writeObject(o, into: &out)
        out.append(0x0A)
    }

    /// Rejected lines per reason code, for an import's summary.
    public static func counts(_ rejected: [IngestError]) -> [(IngestError.Code, Int)] {
        var counts: [IngestError.Code: Int] = [:]
        for e in rejected { counts[e.code, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }
    }
}
