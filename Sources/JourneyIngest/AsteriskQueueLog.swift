import JourneyLog
import JourneyModel

/// Imports an Asterisk `queue_log`: one line per event,
/// `epoch|callid|queue|agent|VERB|data1|data2|…`.
///
/// Each verb maps to JourneyStore kinds by the documented meaning of its data
/// fields (times in queue_log are seconds, ring times of RINGNOANSWER and
/// RINGCANCELED are milliseconds):
///
/// | verb | data | events |
/// |---|---|---|
/// | ENTERQUEUE | url, callerid | `contact.started` (once per call) + `queue.entered`; caller id → pseudonymous customer key |
/// | FULL / JOINEMPTY / JOINUNAVAIL / CLOSED | — | `contact.started` (once per call) + `queue.refused` {reason} |
/// | CONNECT | holdtime, bridged uniqueid, ringtime | `contact.answered` {waitMs, ringMs} |
/// | COMPLETECALLER / COMPLETEAGENT | holdtime, calltime, origposition | `contact.ended` {by, waitMs, talkMs} |
/// | ABANDON | position, origposition, waittime | `queue.abandoned` {waitMs, exit: abandon} + `contact.ended` |
/// | EXITWITHTIMEOUT / EXITEMPTY | position, origposition, waittime | `queue.abandoned` {waitMs, exit: timeout/empty} + `contact.ended` {by: system} |
/// | EXITWITHKEY | key, position, origposition, waittime | `queue.abandoned` {waitMs, exit: key, key} + `contact.ended` |
/// | TRANSFER / BLINDTRANSFER / ATTENDEDTRANSFER | extension, context, holdtime, calltime | `contact.transferred` {mode, to, waitMs, talkMs} |
/// | RINGNOANSWER | ringtime ms | `agent.missed` {ringMs} |
/// | RINGCANCELED | ringtime ms | `agent.ringcanceled` {ringMs} |
/// | AGENTLOGIN / AGENTCALLBACKLOGIN / ADDMEMBER | channel | `agent.login` |
/// | AGENTLOGOFF / AGENTCALLBACKLOGOFF / REMOVEMEMBER | channel, logintime | `agent.logout` |
/// | PAUSE / PAUSEALL | reason | `agent.notready` {reason} |
/// | UNPAUSE / UNPAUSEALL | reason | `agent.ready` |
/// | QUEUESTART / CONFIGRELOAD | — | `pbx.system` {verb} |
/// | any other verb | — | `asterisk.unmapped` {verb, callid, fields} |
///
/// Every event keeps the raw data fields in `data.raw` (less the caller id,
/// which is never stored: it becomes a keyed-hash customer key, see
/// ``Pseudonyms``), and its id is derived
/// from the source line (`aq-…`), so importing the same file twice, or a file
/// that grew, appends only the new lines. `contact.started` is keyed by the
/// call id (and emitted once per import), so a call that re-enters a queue
/// after a transfer starts once.
///
/// A call's queue events (CONNECT, ABANDON, EXIT…) whose ENTERQUEUE is not
/// in this input (it was in an earlier, rotated file) are stored as they
/// are, counted as orphans in ``ImportBatch/notes``, and join their call
/// in the projections when the earlier part is imported.
public struct AsteriskQueueLog: Sendable {
    /// The site the events belong to.
    public var site: String
    /// Turns caller identifiers into customer keys.
    public var pseudonyms: Pseudonyms
    /// Customer key of each call seen so far (from its ENTERQUEUE), so the
    /// call's later events carry it too. Kept across chunks when following,
    /// and saved with the follower's cursor across restarts.
    /// Calls are kept by the bytes of their ids, as the log keeps contacts (see ``ByteKey``).
    public internal(set) var customers: [ByteKey: String] = [:]

    /// Restores the call → customer map saved by a follower.
    public mutating func restore(customers saved: [ByteKey: String]) {
        customers.merge(saved) { current, _ in current }
    }
    /// Calls whose `contact.started` this importer has emitted.
    var started: Set<ByteKey> = []
    /// Queue events seen for calls whose ENTERQUEUE this importer has not seen.
    public internal(set) var orphanEvents = 0

    /// An importer for `site`.
    public init(site: String, pseudonyms: Pseudonyms) {
        self.site = site
        self.pseudonyms = pseudonyms
    }

    /// Verbs of a call that needs to have entered a queue first.
    static let queueVerbs: Set<String> = ["CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "COMPLETECALLER", "COMPLETEAGENT"]
    /// Verbs of a call the queue did not take, and their `queue.refused` reason.
    static let refusals: [String: String] = ["FULL": "full", "JOINEMPTY": "no-agents", "JOINUNAVAIL": "no-agents-available", "CLOSED": "closed"]

    /// Maps a whole input.
    public mutating func read(_ bytes: [UInt8], firstLineNumber: Int = 1) -> ImportBatch {
        var batch = ImportBatch()
        var n = firstLineNumber - 1
        var orphans = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            n += 1
            var line = String(decoding: raw, as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.trimmingSpaces.isEmpty { continue }
            batch.inputCount += 1
            do {
                let before = orphanEvents
                let made = try map(line: line, number: n)
                orphans += orphanEvents - before
                batch.add(made, line: n)
            } catch let e as IngestError {
                batch.errors.append(e)
            } catch {
                batch.errors.append(IngestError(line: n, "\(error)"))
            }
        }
        if orphans > 0 {
            batch.notes.append("\(orphans) queue event(s) of calls whose ENTERQUEUE is not in this input (an earlier file?): stored, and joined to their call when that part is imported")
        }
        return batch
    }

    /// Maps one line to its events.
    public mutating func map(line: String, number: Int) throws -> [Event] {
        let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 5 else {
            throw IngestError(line: number, "a queue_log line needs at least epoch|callid|queue|agent|VERB, found \(f.count) field(s)")
        }
        guard let epoch = Double(f[0]), epoch > 0, let epochMs = Limits.milliseconds(seconds: epoch), Limits.contains(Timestamp(ms: epochMs)) else {
            throw IngestError(line: number, "the first field must be a Unix time in seconds within the years 1970–9999, found '\(ModelError.excerpt(f[0]))'")
        }
        let at = Timestamp(ms: epochMs)
        let callid = f[1], queue = f[2], agentField = f[3], verb = f[4].uppercased()
        let d = Array(f.dropFirst(5))
        let agent = agentField.isEmpty || agentField == "NONE" ? nil : agentField
        let queueName = queue.isEmpty || queue == "NONE" ? nil : queue
        let contact = callid.isEmpty || callid == "NONE" ? nil : callid
        // The id comes from the line as stored (without the caller id), so it
        // cannot be used to test guesses of the caller's number.
        let lineID = SourceID.make("aq-", verb == "ENTERQUEUE" && f.count > 6 ? (f.prefix(6) + [""] + f.dropFirst(7)).joined(separator: "|") : line)
        // The caller id (ENTERQUEUE's second data field) is never stored.
        let raw = JSONValue.array(d.enumerated().map { i, v in .string(verb == "ENTERQUEUE" && i == 1 ? "" : v) })
        if verb == "ENTERQUEUE", let contact, d.count > 1, let key = pseudonyms.customerKey(d[1]) { customers[ByteKey(contact)] = key }
        let callCustomer = contact.flatMap { customers[ByteKey($0)] }
        if Self.queueVerbs.contains(verb), let contact, !started.contains(ByteKey(contact)), customers[ByteKey(contact)] == nil { orphanEvents += 1 }

        func ms(_ i: Int) throws -> JSONValue? {
            guard i < d.count, !d[i].isEmpty else { return nil }
            guard let v = Double(d[i]), let ms = Limits.milliseconds(seconds: v), ms >= 0, ms <= Limits.durationMsMax else {
                throw IngestError(line: number, "\(ModelError.excerpt(verb)) data field \(i + 1) must be seconds from 0 to \(Limits.durationMsMax / 1000) (7 days), found '\(ModelError.excerpt(d[i]))'")
            }
            return .integer(ms)
        }
        func rawMs(_ i: Int) throws -> JSONValue? {
            guard i < d.count, !d[i].isEmpty else { return nil }
            guard let v = Int64(d[i]) else {
                throw IngestError(line: number, "\(ModelError.excerpt(verb)) data field \(i + 1) must be milliseconds, found '\(ModelError.excerpt(d[i]))'")
            }
            return .integer(v)
        }
        func event(_ kind: EventKind, _ data: JSONObject, suffix: String = "", id: String? = nil, customer: String? = nil) throws -> Event {
            var data = data
            data["raw"] = raw
            if kind.isContactLifecycle, contact == nil {
                throw IngestError(line: number, "\(verb) needs a call id in field 2")
            }
            if kind.isWorkforce || kind == .agentMissed, agent == nil {
                throw IngestError(line: number, "\(verb) needs an agent in field 4")
            }
            return Event(site: site, id: id ?? lineID + suffix, at: at, kind: kind, contact: kind.isContactLifecycle ? contact : nil,
                         customer: kind.isContactLifecycle ? (customer ?? callCustomer) : nil, channel: kind.isContactLifecycle ? .voice : nil, queue: queueName, agent: agent, data: data)
        }
        func exit(_ how: String, waitIndex: Int, extra: JSONObject = [:]) throws -> [Event] {
            var data = extra
            data["exit"] = .string(how)
            if let w = try ms(waitIndex) { data["waitMs"] = w }
            return [try event(.queueAbandoned, data, suffix: "-1"),
                    try event(.contactEnded, ["by": how == "abandon" || how == "key" ? "customer" : "system"], suffix: "-2")]
        }

        switch verb {
        case "ENTERQUEUE":
            let customer = d.count > 1 ? pseudonyms.customerKey(d[1]) : nil
            var started: JSONObject = ["direction": "inbound", "initiation": "customer"]
            if let url = d.first, !url.isEmpty { started["url"] = .string(url) }
            guard let contact else { throw IngestError(line: number, "ENTERQUEUE needs a call id in field 2") }
            let entered = try event(.queueEntered, [:], suffix: "-1", customer: customer)
            guard self.started.insert(ByteKey(contact)).inserted else { return [entered] }
            return [try event(.contactStarted, started, id: "aq-start-" + contact, customer: customer), entered]
        case let v where Self.refusals[v] != nil:
            guard let contact else { throw IngestError(line: number, "\(verb) needs a call id in field 2") }
            let refused = try event(.queueRefused, ["reason": .string(Self.refusals[v] ?? "refused")], suffix: "-1")
            guard self.started.insert(ByteKey(contact)).inserted else { return [refused] }
            return [try event(.contactStarted, ["direction": "inbound", "initiation": "customer"], id: "aq-start-" + contact), refused]
        case "CONNECT":
            var data: JSONObject = [:]
            if let w = try ms(0) { data["waitMs"] = w }
            if d.count > 1, !d[1].isEmpty { data["bridgedChannel"] = .string(d[1]) }
            if let r = try ms(2) { data["ringMs"] = r }
            return [try event(.contactAnswered, data)]
        case "COMPLETECALLER", "COMPLETEAGENT":
            var data: JSONObject = ["by": verb == "COMPLETECALLER" ? "customer" : "agent"]
            if let w = try ms(0) { data["waitMs"] = w }
            if let t = try ms(1) { data["talkMs"] = t }
            return [try event(.contactEnded, data)]
        case "ABANDON": return try exit("abandon", waitIndex: 2)
        case "EXITWITHTIMEOUT": return try exit("timeout", waitIndex: 2)
        case "EXITEMPTY": return try exit("empty", waitIndex: 2)
        case "EXITWITHKEY": return try exit("key", waitIndex: 3, extra: d.first.map { ["key": .string($0)] } ?? [:])
        case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
            let mode = verb == "ATTENDEDTRANSFER" ? "attended" : verb == "BLINDTRANSFER" ? "blind" : "transfer"
            var data: JSONObject = ["mode": .string(mode)]
            if verb == "ATTENDEDTRANSFER" {
                // ATTENDEDTRANSFER(method|data|holdtime|calltime|origposition)
                if d.count > 1, !d[1].isEmpty { data["to"] = .string(d[1]) }
                if let w = try ms(2) { data["waitMs"] = w }
                if let t = try ms(3) { data["talkMs"] = t }
            } else {
                if let ext = d.first, !ext.isEmpty { data["to"] = .string(d.count > 1 && !d[1].isEmpty ? "\(ext)@\(d[1])" : ext) }
                if let w = try ms(2) { data["waitMs"] = w }
                if let t = try ms(3) { data["talkMs"] = t }
            }
            return [try event(.contactTransferred, data)]
        case "RINGNOANSWER":
            return [try event(.agentMissed, (try rawMs(0)).map { ["ringMs": $0] } ?? [:])]
        case "RINGCANCELED":
            return [try event(EventKind("agent.ringcanceled"), (try rawMs(0)).map { ["ringMs": $0] } ?? [:])]
        case "AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER":
            return [try event(.agentLogin, d.first.map { ["channel": .string($0)] } ?? [:])]
        case "AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "REMOVEMEMBER":
            var data: JSONObject = d.first.map { ["channel": .string($0)] } ?? [:]
            if d.count > 1, let s = Int64(d[1]) { data["loginSeconds"] = .integer(s) }
            return [try event(.agentLogout, data)]
        case "PAUSE", "PAUSEALL":
            return [try event(.agentNotReady, ["reason": .string(d.first.flatMap { $0.isEmpty ? nil : $0 } ?? "pause")])]
        case "UNPAUSE", "UNPAUSEALL":
            return [try event(.agentReady, [:])]
        case "QUEUESTART", "CONFIGRELOAD":
            return [try event(EventKind("pbx.system"), ["verb": .string(verb)])]
        default:
            var data: JSONObject = ["verb": .string(f[4])]
            if contact != nil { data["callid"] = .string(callid) }
            return [Event(site: site, id: lineID, at: at, kind: EventKind("asterisk.unmapped"), queue: queueName, agent: agent,
                          data: data.with("raw", raw))]
        }
    }
}

extension JSONObject {
    /// A copy with `key` set to `value`.
    func with(_ key: String, _ value: JSONValue) -> JSONObject {
        var o = self
        o[key] = value
        return o
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
