import JourneyModel

/// How a call-record CSV maps to events: which column holds what, how its
/// dates and times are written, and what its outcome codes mean. Read from a
/// small JSON file (see `config/csv-maps/` and docs/importers.md):
///
/// ```json
/// {"format": "journeystore-csv-map", "version": 1,
///  "separator": ",", "channel": "voice", "utcOffset": "+00:00",
///  "date": {"column": "date", "format": "yyMMdd"},
///  "columns": {"contact": "call_id", "customer": "customer_id", "queue": "type",
///              "agent": "server", "priority": "priority",
///              "ivrStart": "vru_entry", "ivrEnd": "vru_exit",
///              "queueStart": "q_start", "queueEnd": "q_exit",
///              "serviceStart": "ser_start", "serviceEnd": "ser_exit", "outcome": "outcome"},
///  "outcomes": {"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "skip"}}
/// ```
///
/// With a `date` entry, time columns hold a time of day (`H:mm:ss`) on that
/// date; without one they hold full RFC 3339 times. A time of `0:00:00` (or an
/// empty cell) means the call never reached that stage.
public struct CSVColumnMap: Sendable {
    public enum Outcome: String, Sendable { case answered, abandoned, selfserved, skip }

    public var separator: UInt8
    public var channel: Channel
    public var utcOffsetMinutes: Int
    public var dateColumn: String?
    public var dateFormat: String?
    /// Role → column name. Roles: contact, customer, queue, agent, priority,
    /// ivrStart, ivrEnd, queueStart, queueEnd, serviceStart, serviceEnd, outcome.
    public var columns: [String: String]
    public var outcomes: [String: Outcome]

    static let roles = ["contact", "customer", "queue", "agent", "priority", "ivrStart", "ivrEnd",
                        "queueStart", "queueEnd", "serviceStart", "serviceEnd", "outcome"]
    static let requiredRoles = ["contact", "outcome"]

    /// Parses a map file; every problem names the key at fault.
    public static func parse(_ bytes: [UInt8]) throws -> CSVColumnMap {
        let value: JSONValue
        do { value = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) } } catch let e as JSONParser.Failure {
            throw IngestError("the column map is not valid JSON at byte \(e.offset + 1): \(e.reason)")
        }
        guard case .object(let o) = value, o["format"]?.stringValue == "journeystore-csv-map" else {
            throw IngestError("the column map must be a JSON object with \"format\": \"journeystore-csv-map\"")
        }
        guard o["version"]?.intValue == 1 else { throw IngestError("column map 'version' must be 1") }
        let separatorText = o["separator"]?.stringValue ?? ","
        guard separatorText.utf8.count == 1, let separator = separatorText.utf8.first else {
            throw IngestError("column map 'separator' must be one character")
        }
        let channelText = o["channel"]?.stringValue ?? "voice"
        guard let channel = Channel(rawValue: channelText) else { throw IngestError("column map 'channel': unknown channel '\(channelText)'") }
        var offset = 0
        if let text = o["utcOffset"]?.stringValue {
            guard let t = Timestamp(rfc3339: "2000-01-01T00:00:00" + text) else {
                throw IngestError("column map 'utcOffset' must look like +02:00 or -05:00")
            }
            offset = Int((Timestamp(rfc3339: "2000-01-01T00:00:00Z")?.ms ?? 0) - t.ms) / 60_000
        }
        guard case .object(let cols)? = o["columns"] else { throw IngestError("column map needs a 'columns' object") }
        var columns: [String: String] = [:]
        for m in cols.members {
            guard roles.contains(m.key) else {
                throw IngestError("column map 'columns': unknown role '\(m.key)'; roles are \(roles.joined(separator: ", "))")
            }
            guard let name = m.value.stringValue, !name.isEmpty else { throw IngestError("column map 'columns.\(m.key)' must be a column name") }
            columns[m.key] = name
        }
        for r in requiredRoles where columns[r] == nil { throw IngestError("column map 'columns' needs the role '\(r)'") }
        var outcomes: [String: Outcome] = [:]
        if case .object(let outs)? = o["outcomes"] {
            for m in outs.members {
                guard let v = m.value.stringValue, let oc = Outcome(rawValue: v) else {
                    throw IngestError("column map 'outcomes.\(m.key)' must be answered, abandoned, selfserved or skip")
                }
                outcomes[m.key] = oc
            }
        }
        var dateColumn: String?, dateFormat: String?
        if case .object(let d)? = o["date"] {
            dateColumn = d["column"]?.stringValue
            dateFormat = d["format"]?.stringValue ?? "yyyy-MM-dd"
            guard dateColumn != nil, ["yyMMdd", "yyyyMMdd", "yyyy-MM-dd", "dd/MM/yyyy"].contains(dateFormat ?? "") else {
                throw IngestError("column map 'date' needs a 'column' and a 'format' of yyMMdd, yyyyMMdd, yyyy-MM-dd or dd/MM/yyyy")
            }
        }
        return CSVColumnMap(separator: separator, channel: channel, utcOffsetMinutes: offset, dateColumn: dateColumn,
                            dateFormat: dateFormat, columns: columns, outcomes: outcomes)
    }

    /// Day number (days since 1970-01-01) of a date cell.
    func day(_ text: String) -> Int? {
        let digits = text.filter(\.isNumber)
        func n(_ s: Substring) -> Int? { Int(s) }
        let (y, m, d): (Int?, Int?, Int?)
        switch dateFormat {
        case "yyMMdd":
            guard digits.count == 6 else { return nil }
            let yy = n(digits.prefix(2)) ?? 0
            (y, m, d) = (yy < 70 ? 2000 + yy : 1900 + yy, n(digits.dropFirst(2).prefix(2)), n(digits.suffix(2)))
        case "yyyyMMdd", "yyyy-MM-dd":
            guard digits.count == 8 else { return nil }
            (y, m, d) = (n(digits.prefix(4)), n(digits.dropFirst(4).prefix(2)), n(digits.suffix(2)))
        case "dd/MM/yyyy":
            guard digits.count == 8 else { return nil }
            (y, m, d) = (n(digits.suffix(4)), n(digits.dropFirst(2).prefix(2)), n(digits.prefix(2)))
        default: return nil
        }
        guard let y, let m, let d, (1...12).contains(m), (1...31).contains(d) else { return nil }
        return Timestamp.daysFromCivil(year: y, month: m, day: d)
    }

    /// A time cell on `day` (or a full RFC 3339 time when there is no date column); nil for an empty or zero time.
    func time(_ text: String, day: Int?) -> Timestamp?? {
        let t = text.trimmingCharacters(in: " ")
        if t.isEmpty || t == "0:00:00" || t == "00:00:00" { return .some(nil) }
        guard let day else { return Timestamp(rfc3339: t).map { .some($0) } }
        let parts = t.split(separator: ":")
        guard parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]), let s = Double(parts[2]),
              (0..<48).contains(h), (0..<60).contains(m), s.isFinite, s >= 0, s < 61 else { return nil }
        let ms = Int64(day) * 86_400_000 + Int64(h * 3600 + m * 60) * 1000 + Int64(s * 1000) - Int64(utcOffsetMinutes) * 60_000
        return .some(Timestamp(ms: ms))
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
