import JourneyLog
import JourneyModel

/// How a call-record CSV maps to events: which column holds what, how its
/// dates and times are written, which values mean "none", and what its
/// outcome codes mean. Read from a small JSON file (see `config/csv-maps/`
/// and docs/importers.md):
///
/// ```json
/// {"format": "journeystore-csv-map", "version": 2,
///  "separator": "auto", "channel": "voice",
///  "date": {"column": "date", "format": "yyMMdd"},
///  "columns": {"contact": ["date", "vru+line", "call_id"], "customer": "customer_id",
///              "queue": "type", "agent": "server", "priority": "priority",
///              "ivrStart": "vru_entry", "ivrEnd": "vru_exit",
///              "queueStart": "q_start", "queueEnd": "q_exit",
///              "serviceStart": "ser_start", "serviceEnd": "ser_exit", "outcome": "outcome"},
///  "none": {"server": ["NO_SERVER"], "customer_id": ["0"]},
///  "outcomes": {"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "skip"}}
/// ```
///
/// With a `date` entry, time columns hold a time of day (`H:mm:ss`) on that
/// date, in the site's time zone (or the map's `timeZone`); without one they
/// hold full RFC 3339 times. A time of `0:00:00` (or an empty cell) means
/// the call never reached that stage. Version 1 maps (one contact column,
/// `utcOffset`, customer `0` meaning none) are still read.
public struct CSVColumnMap: Sendable {
    /// What a source outcome code means.
    public enum Outcome: String, Sendable { case answered, abandoned, selfserved, skip }

    /// The map format version (1 or 2).
    public var version: Int
    /// The separator byte; nil means "detect from the header" (`"auto"`).
    public var separator: UInt8?
    /// The channel of every row.
    public var channel: Channel
    /// The zone the map's local times are in; nil means the site's zone.
    public var timeZone: SiteTimeZone?
    /// The column holding the calendar date, when times are times of day.
    public var dateColumn: String?
    /// How that date is written.
    public var dateFormat: String?
    /// Role → column name, for every role but `contact`. Roles: customer,
    /// queue, agent, priority, ivrStart, ivrEnd, queueStart, queueEnd,
    /// serviceStart, serviceEnd, outcome.
    public var columns: [String: String]
    /// The columns whose values together name one contact.
    public var contactColumns: [String]
    /// Column → values that mean "none" in it.
    public var none: [String: Set<String>]
    /// Source outcome code → meaning.
    public var outcomes: [String: Outcome]

    static let roles = ["contact", "customer", "queue", "agent", "priority", "ivrStart", "ivrEnd",
                        "queueStart", "queueEnd", "serviceStart", "serviceEnd", "outcome"]
    /// Time roles in the order a call passes them.
    static let timeRoles = ["ivrStart", "ivrEnd", "queueStart", "queueEnd", "serviceStart", "serviceEnd"]
    static let dateFormats = ["yyMMdd", "yyyyMMdd", "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy"]

    /// Every column the map names.
    var namedColumns: [String] {
        var all = Array(columns.values) + contactColumns
        if let dateColumn { all.append(dateColumn) }
        return Array(Set(all)).sorted()
    }

    /// Parses a map file; every problem names the key at fault. Keys a map
    /// does not know are refused (a misspelt `timezone` would otherwise be
    /// ignored and the times read in the wrong zone); `comment` is free text.
    public static func parse(_ bytes: [UInt8]) throws -> CSVColumnMap {
        let file: MapFile
        do {
            file = try ConfigDecoder.decode(MapFile.self, from: String(decoding: bytes, as: UTF8.self))
        } catch let e as ConfigDecoder.Failure {
            throw IngestError("column map \(e)")
        }
        guard file.format == "journeystore-csv-map" else {
            throw IngestError("the column map must be a JSON object with \"format\": \"journeystore-csv-map\"")
        }
        let version = file.version
        guard version == 1 || version == 2 else { throw IngestError("column map 'version' must be 1 or 2") }
        let separatorText = file.separator ?? ","
        var separator: UInt8?
        if separatorText == "auto" && version >= 2 {
            separator = nil
        } else {
            guard separatorText.utf8.count == 1, let s = separatorText.utf8.first, s != 0x22, s != 0x0A, s != 0x0D else {
                throw IngestError("column map 'separator' must be one character other than a quote or line break\(version >= 2 ? ", or \"auto\"" : "")")
            }
            separator = s
        }
        let channelText = file.channel ?? "voice"
        guard let channel = Channel(rawValue: channelText) else { throw IngestError("column map 'channel': unknown channel '\(ModelError.excerpt(channelText))'") }
        let timeZone = try zone(utcOffset: file.utcOffset, timeZone: file.timeZone)
        let (columns, contactColumns) = try roles(file.columns, version: version)
        var none: [String: Set<String>] = [:]
        if version == 1, let c = columns["customer"] { none[c] = ["0"] }
        if let given = file.none {
            guard version >= 2 else { throw IngestError("column map 'none' must be an object of column → list of values (version 2)") }
            for (column, values) in given { none[column, default: []].formUnion(values) }
        }
        var outcomes: [String: Outcome] = [:]
        for code in (file.outcomes ?? [:]).keys.sorted() {
            guard let oc = file.outcomes?[code].flatMap(Outcome.init(rawValue:)) else {
                throw IngestError("column map 'outcomes.\(ModelError.excerpt(code))' must be answered, abandoned, selfserved or skip")
            }
            outcomes[code] = oc
        }
        var dateColumn: String?, dateFormat: String?
        if let d = file.date {
            dateColumn = d.column
            dateFormat = d.format ?? "yyyy-MM-dd"
            guard dateColumn != nil, dateFormats.contains(dateFormat ?? "") else {
                throw IngestError("column map 'date' needs a 'column' and a 'format' of \(dateFormats.joined(separator: ", "))")
            }
        }
        return CSVColumnMap(version: version, separator: separator, channel: channel, timeZone: timeZone, dateColumn: dateColumn,
                            dateFormat: dateFormat, columns: columns, contactColumns: contactColumns, none: none, outcomes: outcomes)
    }

    /// The zone of `utcOffset` (version 1: `+02:00`) or `timeZone` (an IANA name); nil: the site's.
    static func zone(utcOffset: String?, timeZone name: String?) throws -> SiteTimeZone? {
        var zone: SiteTimeZone?
        if let text = utcOffset {
            guard let t = Timestamp(rfc3339: "2000-01-01T00:00:00" + text), let base = Timestamp(rfc3339: "2000-01-01T00:00:00Z"),
                  let fixed = SiteTimeZone(fixedMinutes: Int((base.ms - t.ms) / LocalDay.minuteMs)) else {
                throw IngestError("column map 'utcOffset' must look like +02:00 or -05:00 (better: name the zone with 'timeZone', e.g. \"Asia/Jerusalem\")")
            }
            zone = fixed
        }
        if let name {
            guard zone == nil else { throw IngestError("column map: give 'timeZone' or 'utcOffset', not both") }
            guard let named = SiteTimeZone(identifier: name) else {
                throw IngestError("column map 'timeZone': '\(ModelError.excerpt(name))' is not an IANA time-zone name such as Europe/London or Asia/Jerusalem")
            }
            zone = named
        }
        return zone
    }

    /// Role → column for every role but `contact`, and the contact's columns;
    /// roles in name order, so the first fault named is always the same one.
    static func roles(_ given: [String: MapFile.ColumnName], version: Int) throws -> ([String: String], [String]) {
        var columns: [String: String] = [:]
        var contactColumns: [String] = []
        for role in given.keys.sorted() {
            guard roles.contains(role) else {
                throw IngestError("column map 'columns': unknown role '\(ModelError.excerpt(role))'; roles are \(roles.joined(separator: ", "))")
            }
            switch given[role] {
            case .many(let parts)? where role == "contact" && version >= 2:
                guard !parts.isEmpty, !parts.contains(""), Set(parts).count == parts.count else {
                    throw IngestError("column map 'columns.contact' must be a column name or a list of distinct column names")
                }
                contactColumns = parts
            case .one(let name)? where !name.isEmpty:
                if role == "contact" { contactColumns = [name] } else { columns[role] = name }
            default:
                throw IngestError("column map 'columns.\(role)' must be a column name\(role == "contact" && version >= 2 ? " or a list of them" : "")")
            }
        }
        guard !contactColumns.isEmpty else { throw IngestError("column map 'columns' needs the role 'contact'") }
        guard columns["outcome"] != nil else { throw IngestError("column map 'columns' needs the role 'outcome'") }
        return (columns, contactColumns)
    }

    /// The file as written, before its values are checked.
    struct MapFile: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case format, version, separator, channel, utcOffset, timeZone, date, columns, none, outcomes, comment
        }

        /// `date`: the column holding the calendar date and how it is written.
        struct DateSpec: Decodable {
            enum CodingKeys: String, CodingKey, CaseIterable { case column, format }
            var column: String?
            var format: String?
        }

        /// A role's column: one name, or (for `contact`, version 2) a list.
        enum ColumnName: Decodable {
            case one(String)
            case many([String])

            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let one = try? c.decode(String.self) {
                    self = .one(one)
                } else if let many = try? c.decode([String].self) {
                    self = .many(many)
                } else {
                    throw ConfigDecoder.failure(decoder.codingPath, "must be a column name or a list of them")
                }
            }
        }

        var format: String?
        var version: Int
        var separator: String?
        var channel: String?
        var utcOffset: String?
        var timeZone: String?
        var date: DateSpec?
        var columns: [String: ColumnName]
        var none: [String: [String]]?
        var outcomes: [String: String]?
        var comment: String?
    }

    /// The separator of a file whose first line is `header`: the map's, or
    /// with `"auto"` whichever of tab, comma, semicolon and bar the header
    /// holds most of.
    func separator(forHeader header: some Collection<UInt8>) -> UInt8 {
        if let separator { return separator }
        let candidates: [UInt8] = [0x09, 0x2C, 0x3B, 0x7C]
        let counts = candidates.map { c in header.reduce(0) { $0 + ($1 == c ? 1 : 0) } }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 1
        return counts[best] > 0 ? candidates[best] : 0x2C
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
        case "MM/dd/yyyy":
            guard digits.count == 8 else { return nil }
            (y, m, d) = (n(digits.suffix(4)), n(digits.prefix(2)), n(digits.dropFirst(2).prefix(2)))
        default: return nil
        }
        guard let y, let m, let d, (1...12).contains(m), (1...Timestamp.daysInMonth(year: y, month: m)).contains(d) else { return nil }
        return Timestamp.daysFromCivil(year: y, month: m, day: d)
    }

    /// Whether a time cell means "this stage was not reached": empty or zero.
    static func isNoTime(_ text: String) -> Bool {
        text.isEmpty || text == "0:00:00" || text == "00:00:00" || text == "0"
    }

    /// Milliseconds since local midnight of an `H:mm:ss[.fff]` cell; nil when
    /// it is not one. Hours 24–47 (written by some systems for the small hours
    /// after a day's midnight) count into the next day.
    static func timeOfDayMs(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count <= 2, parts[1].count == 2,
              let h = Int64(parts[0]), let m = Int64(parts[1]), let s = Double(parts[2]),
              (0..<48).contains(h), (0..<60).contains(m), s.isFinite, s >= 0, s < 61 else { return nil }
        return (h * 3600 + m * 60) * 1000 + Int64((s * 1000).rounded())
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
