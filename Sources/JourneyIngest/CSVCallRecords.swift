import JourneyLog
import JourneyModel

/// Imports a one-row-per-call CSV through a ``CSVColumnMap``. Each row gives:
/// `contact.started` (at the IVR or queue entry), `ivr.input` when the call
/// passed the IVR, then by outcome: `contact.selfserved`, or `queue.entered`
/// with `contact.answered` (`waitMs` = service start − queue start) or
/// `queue.abandoned` (`waitMs` = queue exit − queue start); and
/// `contact.ended` at the end of the stage the call ended in: service end
/// for an answered call (so talk is service end − service start), queue exit
/// for an abandoned one, IVR exit for a self-served one.
///
/// Times of day are on the row's date in the map's zone (or the site's);
/// a time earlier than the row's first time is on the next day when that
/// makes the call last under ``rolloverSpanMaxMs`` (a call that began before
/// midnight), and the row is malformed otherwise. A row whose times cannot
/// be ordered (a wait below zero, a service end before its start) is
/// malformed, naming the column.
///
/// Ids are `csv-<contact>-<role>`, the contact being the map's key columns
/// joined with `:`, so re-importing a file adds nothing twice, and two rows
/// with one key but different content are reported, never merged. The row
/// is kept in `data.row` of `contact.started`, less the customer column
/// (a caller's identifier is never stored; see ``Pseudonyms``).
public struct CSVCallRecords: Sendable {
    /// The site the events belong to.
    public var site: String
    /// How the file's columns map to events.
    public var map: CSVColumnMap
    /// The zone of the site; the map's own `timeZone` wins when it has one.
    public var siteZone: SiteTimeZone
    /// Turns caller identifiers into customer keys.
    public var pseudonyms: Pseudonyms

    /// Longest call a time after midnight may make: a time of day earlier
    /// than the row's first one is taken as the next day only within this.
    public static let rolloverSpanMaxMs: Int64 = 12 * 3_600_000

    /// An importer for `site` reading with `map`; local times are in `siteZone` unless the map names a zone.
    public init(site: String, map: CSVColumnMap, siteZone: SiteTimeZone = .utc, pseudonyms: Pseudonyms) {
        self.site = site
        self.map = map
        self.siteZone = siteZone
        self.pseudonyms = pseudonyms
    }

    /// The separator the file is read with.
    public func separator(of bytes: [UInt8]) -> UInt8 {
        map.separator(forHeader: bytes.prefix { $0 != 0x0A })
    }

    /// The events of the rows in `bytes`, with what was skipped or malformed.
    public func read(_ bytes: [UInt8]) -> ImportBatch {
        var batch = ImportBatch()
        let rows: [(line: Int, fields: [String])]
        do { rows = try CSVTable.rows(bytes, separator: separator(of: bytes)) } catch let e as IngestError {
            batch.errors.append(IngestError(line: nil, e.code, e.description + "; nothing after it can be read"))
            return batch
        } catch {
            batch.errors.append(IngestError("\(error)"))
            return batch
        }
        guard let header = rows.first else { return batch }
        var index: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() { index[name.trimmingCharacters(in: " ")] = i }
        let missing = map.namedColumns.filter { index[$0] == nil }
        guard missing.isEmpty else {
            batch.errors.append(IngestError("the header (line \(header.line)) lacks the column(s) \(missing.joined(separator: ", ")) named in the column map; it has: \(ModelError.excerpt(header.fields.joined(separator: ", ")))"))
            return batch
        }
        let layout = Layout(map: map, index: index, header: header.fields.map { $0.trimmingCharacters(in: " ") })
        for row in rows.dropFirst() {
            batch.inputCount += 1
            do {
                switch try map(row.fields, line: row.line, layout: layout) {
                case .events(let e): batch.add(e, line: row.line)
                case .skip(let why): batch.skipped.append((row.line, why))
                }
            } catch let e as IngestError {
                batch.errors.append(e)
            } catch {
                batch.errors.append(IngestError(line: row.line, "\(error)"))
            }
        }
        batch.refuseConflictingDuplicates()
        return batch
    }

    /// Column positions, resolved once per file.
    struct Layout {
        var index: [String: Int]
        var header: [String]
        var role: [String: Int] = [:]
        var contact: [Int] = []
        var date: Int?
        /// Positions copied into `data.row` (all but the customer's identifier).
        var kept: [Int] = []

        init(map: CSVColumnMap, index: [String: Int], header: [String]) {
            self.index = index
            self.header = header
            for (r, name) in map.columns { role[r] = index[name] }
            contact = map.contactColumns.compactMap { index[$0] }
            date = map.dateColumn.flatMap { index[$0] }
            let customer = role["customer"]
            kept = header.indices.filter { $0 != customer }
        }
    }

    enum RowResult { case events([Event]), skip(String) }

    func map(_ fields: [String], line: Int, layout: Layout) throws -> RowResult {
        guard fields.count == layout.header.count else {
            throw IngestError(line: line, "the row has \(fields.count) fields but the header has \(layout.header.count); check the separator and quoting")
        }
        func value(_ i: Int) -> String? {
            let v = fields[i].trimmingCharacters(in: " ")
            if v.isEmpty || map.none[layout.header[i]]?.contains(v) == true { return nil }
            return v
        }
        func cell(_ role: String) -> String? { layout.role[role].flatMap(value) }
        func column(_ role: String) -> String { map.columns[role] ?? role }

        var keyParts: [String] = []
        for i in layout.contact {
            guard let v = value(i) else { throw IngestError(line: line, "the contact key column \(layout.header[i]) is empty") }
            keyParts.append(v)
        }
        let contact = keyParts.joined(separator: ":")
        let outcomeText = cell("outcome") ?? ""
        guard let outcome = map.outcomes[outcomeText] ?? CSVColumnMap.Outcome(rawValue: outcomeText.lowercased()) else {
            throw IngestError(line: line, "column \(column("outcome")): '\(ModelError.excerpt(outcomeText))' is not in the column map's 'outcomes' (\(map.outcomes.keys.sorted().joined(separator: ", ")))")
        }
        if outcome == .skip { return .skip("outcome \(outcomeText) is mapped to skip") }

        // Times: local times of day on the row's date, rolled past midnight, then to UTC.
        let zone = map.timeZone ?? siteZone
        var day: Int64?
        if let d = layout.date {
            guard let n = map.day(fields[d].trimmingCharacters(in: " ")) else {
                throw IngestError(line: line, .badTime, "column \(layout.header[d]): '\(ModelError.excerpt(fields[d]))' is not a date in \(map.dateFormat ?? "")")
            }
            day = Int64(n)
        }
        var times: [String: Timestamp] = [:]
        var first: (role: String, local: Int64)?
        for r in CSVColumnMap.timeRoles {
            guard let text = cell(r), !CSVColumnMap.isNoTime(text) else { continue }
            if let day {
                guard let tod = CSVColumnMap.timeOfDayMs(text) else {
                    throw IngestError(line: line, .badTime, "column \(column(r)): '\(ModelError.excerpt(text))' is not a time of day (H:mm:ss)")
                }
                var local = LocalDay(day).localStartMs + tod
                if let f = first, local < f.local {
                    local += LocalDay.lengthMs
                    guard local - f.local <= Self.rolloverSpanMaxMs else {
                        throw IngestError(line: line, .timeOrder, "column \(column(r)): \(text) is before \(column(f.role)) and is not the small hours after a call that began before midnight; the row's times cannot be ordered")
                    }
                }
                if first == nil { first = (r, local) }
                times[r] = Timestamp(ms: zone.utcMs(local: local))
            } else {
                guard let t = Timestamp(rfc3339: text) else {
                    throw IngestError(line: line, .badTime, "column \(column(r)): '\(ModelError.excerpt(text))' is not a time in RFC 3339; the map names no date column, so time cells must be full RFC 3339 times")
                }
                times[r] = t
            }
        }
        let ivrStart = times["ivrStart"], ivrEnd = times["ivrEnd"]
        let queueStart = times["queueStart"], queueEnd = times["queueEnd"]
        let serviceStart = times["serviceStart"], serviceEnd = times["serviceEnd"]
        // The call starts at its earliest time (an IVR entry of 0:00:00 is "none", not midnight).
        guard ivrStart ?? queueStart ?? serviceStart != nil, let start = times.values.min() else {
            throw IngestError(line: line, .missingTime, "the row has no IVR, queue or service start time (columns \(column("ivrStart")), \(column("queueStart")), \(column("serviceStart")))")
        }
        func order(_ earlier: Timestamp?, _ earlierRole: String, _ later: Timestamp?, _ laterRole: String, _ what: String) throws {
            guard let earlier, let later, later < earlier else { return }
            throw IngestError(line: line, .timeOrder, "column \(column(laterRole)) is before \(column(earlierRole)) (\(what) \((later.ms - earlier.ms) / 1000) s); the row's times cannot be ordered")
        }
        // Each stage begins after the one before it, and ends after it began.
        try order(ivrStart, "ivrStart", queueStart, "queueStart", "IVR before the queue")
        try order(ivrStart, "ivrStart", serviceStart, "serviceStart", "IVR before service")
        try order(ivrStart, "ivrStart", ivrEnd, "ivrEnd", "IVR time")
        try order(queueStart, "queueStart", queueEnd, "queueEnd", "queue time")
        try order(serviceStart, "serviceStart", serviceEnd, "serviceEnd", "service time")

        let customer = cell("customer").flatMap(pseudonyms.customerKey)
        let queue = cell("queue"), agent = cell("agent")
        func event(_ role: String, _ kind: EventKind, _ at: Timestamp, _ data: JSONObject = [:], queue q: String? = nil, agent a: String? = nil) -> Event {
            Event(site: site, id: "csv-\(contact)-\(role)", at: at, kind: kind, contact: contact, customer: customer,
                  channel: map.channel, queue: q, agent: a, data: data)
        }
        var rowObject = JSONObject()
        for i in layout.kept { rowObject[layout.header[i]] = .string(fields[i]) }
        var out = [event("started", .contactStarted, start, ["direction": "inbound", "initiation": "customer", "row": .object(rowObject)])]
        if let ivrStart { out.append(event("ivr", .ivrInput, ivrEnd ?? ivrStart, ["menu": "vru"])) }
        let end: Timestamp
        switch outcome {
        case .selfserved:
            out.append(event("selfserved", .contactSelfserved, ivrEnd ?? start))
            end = ivrEnd ?? start
        case .answered:
            guard let serviceStart else {
                throw IngestError(line: line, .missingTime, "column \(column("serviceStart")): an answered call (outcome \(outcomeText)) has no service start time")
            }
            let entered = queueStart ?? serviceStart
            try order(entered, queueStart == nil ? "serviceStart" : "queueStart", serviceStart, "serviceStart", "wait")
            var priority: JSONObject = [:]
            if let p = cell("priority"), let v = Int64(p) { priority["priority"] = .integer(v) }
            out.append(event("queued", .queueEntered, entered, priority, queue: queue))
            out.append(event("answered", .contactAnswered, serviceStart, ["waitMs": .integer(serviceStart.ms - entered.ms)], queue: queue, agent: agent))
            end = serviceEnd ?? serviceStart
        case .abandoned:
            if let queueStart {
                let left = queueEnd ?? queueStart
                out.append(event("queued", .queueEntered, queueStart, [:], queue: queue))
                out.append(event("abandoned", .queueAbandoned, left, ["waitMs": .integer(left.ms - queueStart.ms), "exit": "abandon"], queue: queue))
                end = left
            } else {
                end = ivrEnd ?? start
            }
        case .skip:
            return .skip("outcome \(outcomeText) is mapped to skip")
        }
        out.append(event("ended", .contactEnded, end, ["by": outcome == .answered ? "unknown" : "customer"],
                         queue: outcome == .answered || queueStart != nil ? queue : nil, agent: outcome == .answered ? agent : nil))
        return .events(out)
    }
}
