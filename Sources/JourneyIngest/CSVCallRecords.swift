import JourneyModel

/// Imports a one-row-per-call CSV through a ``CSVColumnMap``. Each row gives:
/// `contact.started` (at the IVR or queue entry), `ivr.input` when the call
/// passed the IVR, then by outcome: `contact.selfserved`, or `queue.entered`
/// with `contact.answered` (`waitMs` from the queue times) or
/// `queue.abandoned`; and `contact.ended` at the last time in the row.
/// Ids are `csv-<contact>-<role>`, so re-importing a file adds nothing twice.
/// The whole row is kept in `data.row` of `contact.started`.
public struct CSVCallRecords: Sendable {
    public var site: String
    public var map: CSVColumnMap

    public init(site: String, map: CSVColumnMap) {
        self.site = site
        self.map = map
    }

    public func read(_ bytes: [UInt8]) -> ImportBatch {
        var batch = ImportBatch()
        let rows: [(line: Int, fields: [String])]
        do { rows = try CSVTable.rows(bytes, separator: map.separator) } catch let e as IngestError {
            batch.errors.append(e)
            return batch
        } catch {
            batch.errors.append(IngestError("\(error)"))
            return batch
        }
        guard let header = rows.first else { return batch }
        var index: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() { index[name.trimmingCharacters(in: " ")] = i }
        var needed = Array(map.columns.values)
        if let d = map.dateColumn { needed.append(d) }
        let missing = needed.filter { index[$0] == nil }.sorted()
        guard missing.isEmpty else {
            batch.errors.append(IngestError(line: header.line, "the header lacks the column(s) \(missing.joined(separator: ", ")) named in the column map; it has: \(ModelError.excerpt(header.fields.joined(separator: ", ")))"))
            return batch
        }
        for row in rows.dropFirst() {
            batch.inputCount += 1
            do {
                switch try map(row.fields, line: row.line, index: index, header: header.fields) {
                case .events(let e): batch.add(e, line: row.line)
                case .skip(let why): batch.skipped.append((row.line, why))
                }
            } catch let e as IngestError {
                batch.errors.append(e)
            } catch {
                batch.errors.append(IngestError(line: row.line, "\(error)"))
            }
        }
        return batch
    }

    enum RowResult { case events([Event]), skip(String) }

    func map(_ fields: [String], line: Int, index: [String: Int], header: [String]) throws -> RowResult {
        guard fields.count == header.count else {
            throw IngestError(line: line, "the row has \(fields.count) fields but the header has \(header.count)")
        }
        func cell(_ role: String) -> String? {
            guard let name = map.columns[role], let i = index[name] else { return nil }
            let v = fields[i].trimmingCharacters(in: " ")
            return v.isEmpty ? nil : v
        }
        var day: Int?
        if let dateColumn = map.dateColumn, let i = index[dateColumn] {
            guard let d = map.day(fields[i]) else {
                throw IngestError(line: line, "column \(dateColumn): '\(ModelError.excerpt(fields[i]))' is not a date in \(map.dateFormat ?? "")")
            }
            day = d
        }
        func time(_ role: String) throws -> Timestamp? {
            guard let text = cell(role) else { return nil }
            guard let t = map.time(text, day: day) else {
                throw IngestError(line: line, "column \(map.columns[role] ?? role): '\(ModelError.excerpt(text))' is not a time (H:mm:ss\(day == nil ? " or RFC 3339" : ""))")
            }
            return t
        }
        guard let contact = cell("contact") else { throw IngestError(line: line, "column \(map.columns["contact"] ?? "contact") is empty") }
        let outcomeText = cell("outcome") ?? ""
        guard let outcome = map.outcomes[outcomeText] ?? CSVColumnMap.Outcome(rawValue: outcomeText.lowercased()) else {
            throw IngestError(line: line, "outcome '\(ModelError.excerpt(outcomeText))' is not in the column map's 'outcomes'")
        }
        if outcome == .skip { return .skip("outcome \(outcomeText) is mapped to skip") }
        let ivrStart = try time("ivrStart"), ivrEnd = try time("ivrEnd")
        let queueStart = try time("queueStart"), queueEnd = try time("queueEnd")
        let serviceStart = try time("serviceStart"), serviceEnd = try time("serviceEnd")
        guard let start = ivrStart ?? queueStart ?? serviceStart else {
            throw IngestError(line: line, "the row has no IVR, queue or service start time")
        }
        let customer = cell("customer").flatMap { $0 == "0" ? nil : CustomerKey.from($0) }
        let queue = cell("queue"), agent = cell("agent")
        func event(_ role: String, _ kind: EventKind, _ at: Timestamp, _ data: JSONObject = [:], queue q: String? = nil, agent a: String? = nil) -> Event {
            Event(site: site, id: "csv-\(contact)-\(role)", at: at, kind: kind, contact: contact, customer: customer,
                  channel: map.channel, queue: q, agent: a, data: data)
        }
        var rowObject = JSONObject()
        for (i, name) in header.enumerated() { rowObject[name] = .string(fields[i]) }
        var out = [event("started", .contactStarted, start, ["direction": "inbound", "initiation": "customer", "row": .object(rowObject)])]
        if let ivrStart { out.append(event("ivr", .ivrInput, ivrEnd ?? ivrStart, ["menu": "vru"])) }
        var end = [ivrEnd, queueEnd, serviceEnd].compactMap { $0 }.max() ?? start
        switch outcome {
        case .selfserved:
            out.append(event("selfserved", .contactSelfserved, ivrEnd ?? start))
        case .answered:
            guard let serviceStart else { throw IngestError(line: line, "an answered call needs a service start time") }
            let entered = queueStart ?? serviceStart
            var priority: JSONObject = [:]
            if let p = cell("priority"), let v = Int64(p) { priority["priority"] = .integer(v) }
            out.append(event("queued", .queueEntered, entered, priority, queue: queue))
            out.append(event("answered", .contactAnswered, serviceStart, ["waitMs": .integer(max(0, serviceStart.ms - entered.ms))], queue: queue, agent: agent))
            end = max(end, serviceStart)
        case .abandoned:
            if let queueStart {
                let left = queueEnd ?? queueStart
                out.append(event("queued", .queueEntered, queueStart, [:], queue: queue))
                out.append(event("abandoned", .queueAbandoned, left, ["waitMs": .integer(left.ms - queueStart.ms), "exit": "abandon"], queue: queue))
            }
        case .skip:
            break
        }
        out.append(event("ended", .contactEnded, end, ["by": outcome == .answered ? "unknown" : "customer"],
                         queue: outcome == .answered || queueStart != nil ? queue : nil, agent: outcome == .answered ? agent : nil))
        return .events(out)
    }
}
