import JourneyLog
import JourneyModel

/// Imports Amazon Connect contact trace records (CTRs): JSON objects, one per
/// line or in one array.
///
/// Each record is expanded into the events its timestamps imply:
///
/// | record field | event |
/// |---|---|
/// | InitiationTimestamp | `contact.started` {direction, initiation, previousContact, initialContact} |
/// | Queue.EnqueueTimestamp | `queue.entered` |
/// | Agent.ConnectedToAgentTimestamp | `contact.answered` {waitMs} |
/// | Queue.DequeueTimestamp without an agent, once disconnected | `queue.abandoned` {waitMs} |
/// | TransferCompletedTimestamp / TransferredToEndpoint | `contact.transferred` {to, mode} |
/// | DisconnectTimestamp | `contact.ended` {by, holdCount, holdMs, talkMs} |
/// | Agent.AfterContactWorkEndTimestamp | `wrapup.done` {acwMs} |
///
/// Records are delivered at least once and updated over time: within an
/// input only the record with the newest `LastUpdateTimestamp` of each
/// `ContactId` is used, and event ids are derived from the ContactId and the
/// event's role (`ac-<ContactId>-answered`), so a re-delivered record adds
/// only events an earlier version did not have and never duplicates one.
/// `InitialContactId` and `PreviousContactId` are kept as journey links.
/// The record is kept under `data.record` of `contact.started`, less the
/// caller's address (`CustomerEndpoint.Address`), which is never stored: it
/// becomes a keyed-hash customer key (see ``Pseudonyms``).
public struct AmazonConnectRecords: Sendable {
    /// The site the events belong to.
    public var site: String
    /// Turns caller identifiers into customer keys.
    public var pseudonyms: Pseudonyms

    /// An importer for `site`.
    public init(site: String, pseudonyms: Pseudonyms) {
        self.site = site
        self.pseudonyms = pseudonyms
    }

    /// The events of the contact records in `bytes`, with what was skipped or malformed.
    public func read(_ bytes: [UInt8]) -> ImportBatch {
        var batch = ImportBatch()
        var records: [(Int, JSONObject)] = []
        let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "[") {
            do {
                let v = try Array(trimmed).withUnsafeBufferPointer { try JSONParser.parse($0) }
                guard case .array(let items) = v else { throw IngestError("expected an array of records") }
                for (i, item) in items.enumerated() {
                    guard case .object(let o) = item else {
                        batch.errors.append(IngestError(line: i + 1, "record \(i + 1) is not a JSON object"))
                        continue
                    }
                    records.append((i + 1, o))
                }
            } catch let e as JSONParser.Failure {
                batch.errors.append(IngestError("the array of records is not valid JSON at byte \(e.offset + 1): \(e.reason)"))
            } catch {
                batch.errors.append(IngestError("\(error)"))
            }
        } else {
            var n = 0
            for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                n += 1
                guard raw.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
                do {
                    guard case .object(let o) = try Array(raw).withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
                        throw IngestError(line: n, "a record must be a JSON object")
                    }
                    records.append((n, o))
                } catch let e as JSONParser.Failure {
                    batch.errors.append(IngestError(line: n, "not valid JSON at byte \(e.offset + 1): \(e.reason)"))
                } catch let e as IngestError {
                    batch.errors.append(e)
                } catch {
                    batch.errors.append(IngestError(line: n, "\(error)"))
                }
            }
        }
        batch.inputCount = records.count
        // The newest version of each contact wins.
        var newest: [String: (Int, JSONObject, Int64)] = [:]
        var order: [String] = []
        for (n, r) in records {
            guard let id = r["ContactId"]?.stringValue, !id.isEmpty else {
                batch.errors.append(IngestError(line: n, "record has no ContactId"))
                continue
            }
            let updated = r["LastUpdateTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))?.ms ?? Int64.min
            if let existing = newest[id] {
                if updated > existing.2 { newest[id] = (n, r, updated) }
                batch.skipped.append((min(n, existing.0), "an older delivery of contact \(id) (the newest LastUpdateTimestamp wins)"))
            } else {
                newest[id] = (n, r, updated)
                order.append(id)
            }
        }
        for id in order {
            guard let (n, r, _) = newest[id] else { continue }
            do {
                batch.add(try expand(r, contactID: id, line: n), line: n)
            } catch let e as IngestError {
                if e.message.hasPrefix("skip: ") {
                    batch.skipped.append((n, String(e.message.dropFirst(6))))
                } else {
                    batch.errors.append(e)
                }
            } catch {
                batch.errors.append(IngestError(line: n, "\(error)"))
            }
        }
        return batch
    }

    func expand(_ r: JSONObject, contactID: String, line: Int) throws -> [Event] {
        func time(_ o: JSONObject?, _ key: String) throws -> Timestamp? {
            guard let v = o?[key], v != .null else { return nil }
            guard let s = v.stringValue, let t = Timestamp(rfc3339: s) else {
                throw IngestError(line: line, "\(key) of contact \(contactID) is not an ISO 8601 time: \(ModelError.excerpt(v))")
            }
            return t
        }
        /// Milliseconds of a duration in seconds; nil when absent. Out-of-range values are reported, not trapped on.
        func seconds(_ o: JSONObject?, _ key: String) throws -> JSONValue? {
            guard let v = o?[key], v != .null else { return nil }
            guard let d = v.doubleValue, let ms = Limits.milliseconds(seconds: d), ms >= 0, ms <= Limits.durationMsMax else {
                throw IngestError(line: line, "\(key) of contact \(contactID) must be seconds from 0 to \(Limits.durationMsMax / 1000) (7 days), found \(ModelError.excerpt(v))")
            }
            return .integer(ms)
        }
        func object(_ key: String) -> JSONObject? {
            if case .object(let o)? = r[key] { return o }
            return nil
        }
        let channelName = r["Channel"]?.stringValue ?? "VOICE"
        let channel: Channel
        switch channelName.uppercased() {
        case "VOICE": channel = .voice
        case "CHAT": channel = .chat
        case "EMAIL": channel = .email
        case "SMS": channel = .sms
        default: throw IngestError(line: line, "skip: contact \(contactID) is on channel \(channelName), which has no JourneyStore channel")
        }
        guard let started = try time(r, "InitiationTimestamp") else {
            throw IngestError(line: line, "contact \(contactID) has no InitiationTimestamp")
        }
        let queueObj = object("Queue"), agentObj = object("Agent")
        let queue = queueObj?["Name"]?.stringValue
        let agent = agentObj?["Username"]?.stringValue ?? agentObj?["ARN"]?.stringValue
        let customer = object("CustomerEndpoint")?["Address"]?.stringValue.flatMap(pseudonyms.customerKey)
        let method = (r["InitiationMethod"]?.stringValue ?? "INBOUND").lowercased()
        func event(_ role: String, _ kind: EventKind, _ at: Timestamp, _ data: JSONObject, agent: String? = nil, queue: String? = nil) -> Event {
            Event(site: site, id: "ac-\(contactID)-\(role)", at: at, kind: kind, contact: contactID, customer: customer,
                  channel: channel, queue: queue, agent: agent, data: data)
        }
        var out: [Event] = []
        var startData: JSONObject = ["direction": .string(method == "outbound" ? "outbound" : "inbound"), "initiation": .string(method)]
        if let p = r["PreviousContactId"]?.stringValue { startData["previousContact"] = .string(p) }
        if let i = r["InitialContactId"]?.stringValue, i != contactID { startData["initialContact"] = .string(i) }
        // Every CustomerEndpoint member loses every Address member (a record may repeat keys).
        var kept = r
        kept.members = r.members.map { m in
            guard m.key == "CustomerEndpoint", case .object(var endpoint) = m.value else { return m }
            endpoint.members.removeAll { $0.key == "Address" }
            return JSONObject.Member(m.key, .object(endpoint))
        }
        startData["record"] = .object(kept)
        out.append(event("started", .contactStarted, started, startData))
        let enqueued = try time(queueObj, "EnqueueTimestamp")
        if let enqueued { out.append(event("queued", .queueEntered, enqueued, [:], queue: queue)) }
        // A record without DisconnectTimestamp is a snapshot of a contact still
        // in progress: its outcome (answered or abandoned) is not known yet.
        let disconnected = try time(r, "DisconnectTimestamp")
        let connected = try time(agentObj, "ConnectedToAgentTimestamp")
        if let connected {
            var data: JSONObject = [:]
            if let enqueued { data["waitMs"] = .integer(connected.ms - enqueued.ms) }
            out.append(event("answered", .contactAnswered, connected, data, agent: agent, queue: queue))
        } else if disconnected != nil, let dequeued = try time(queueObj, "DequeueTimestamp") {
            var data: JSONObject = ["exit": "abandon"]
            if let enqueued { data["waitMs"] = .integer(dequeued.ms - enqueued.ms) }
            out.append(event("abandoned", .queueAbandoned, dequeued, data, queue: queue))
        }
        if let transferred = try time(r, "TransferCompletedTimestamp") {
            var data: JSONObject = ["mode": "transfer"]
            if case .object(let to)? = r["TransferredToEndpoint"], let address = to["Address"]?.stringValue { data["to"] = .string(address) }
            out.append(event("transferred", .contactTransferred, transferred, data, agent: agent, queue: queue))
        }
        if let ended = disconnected {
            var data: JSONObject = [:]
            switch r["DisconnectReason"]?.stringValue ?? "" {
            case "CUSTOMER_DISCONNECT": data["by"] = "customer"
            case "AGENT_DISCONNECT": data["by"] = "agent"
            case let other where !other.isEmpty: data["by"] = "system"; data["reason"] = .string(other)
            default: data["by"] = "unknown"
            }
            if let holds = agentObj?["NumberOfHolds"]?.intValue { data["holdCount"] = .integer(holds) }
            if let hold = try seconds(agentObj, "CustomerHoldDuration") { data["holdMs"] = hold }
            if let talk = try seconds(agentObj, "AgentInteractionDuration") { data["talkMs"] = talk }
            out.append(event("ended", .contactEnded, ended, data, agent: agent, queue: queue))
        }
        if let acwEnd = try time(agentObj, "AfterContactWorkEndTimestamp") {
            var data: JSONObject = ["disposition": "unknown"]
            if let d = try seconds(agentObj, "AfterContactWorkDuration") { data["acwMs"] = d }
            else if let s = try time(agentObj, "AfterContactWorkStartTimestamp") { data["acwMs"] = .integer(acwEnd.ms - s.ms) }
            out.append(event("wrapup", .wrapupDone, acwEnd, data, agent: agent, queue: queue))
        }
        return out
    }
}
