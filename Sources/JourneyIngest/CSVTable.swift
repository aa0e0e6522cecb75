/// An RFC 4180 CSV reader: quoted fields, doubled quotes, separators and
/// line breaks inside quotes, CRLF or LF. Returns rows with the 1-based line
/// number each starts on, so errors can name it.
public enum CSVTable {
    /// The rows of CSV `bytes` (RFC 4180 quoting) split at `separator`.
    public static func rows(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ",")) throws -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var i = 0
        var fieldWasQuoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 0x22:
                guard field.isEmpty, !fieldWasQuoted else {
                    throw IngestError(line: line, "a quote inside an unquoted field; quote the whole field and double inner quotes")
                }
                inQuotes = true
                fieldWasQuoted = true
            case separator:
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                if !(fields.count == 1 && fields[0].isEmpty) { rows.append((rowLine, fields)) }
                fields.removeAll(keepingCapacity: true)
                line += 1
                rowLine = line
            default:
                field.append(c)
            }
            i += 1
        }
        if inQuotes { throw IngestError(line: rowLine, "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            rows.append((rowLine, fields))
        }
        return rows
    }
}
