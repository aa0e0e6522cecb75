import JourneyModel

/// A contact being projected: its row and its queue visits, as events of
/// its origin arrive in seq order. Each event kind sets specific fields, so
/// the result depends only on the contact's own events. Every duration kept
/// is within 0 … ``Limits/durationMsMax`` (a stored value outside is ignored,
/// a derived one is clamped), so no sum over them can overflow.
struct ContactState {
    struct Visit {
        var n: Int
        var queue: String
        var channel: String?
        var enteredAt: Int64
        var answeredAt: Int64?
        var abandonedAt: Int64?
        var waitMs: Int64?
        var agent: String?
        var endedAt: Int64?
        var holdMs: Int64 = 0
        var heldSince: Int64?
        var acwMs: Int64?
        var transferred = false
        var resolved: Bool?
        var route: String?
        var missed = 0
        /// The queue refused the call (full, no agents, closed): never offered.
        var refused = false
        /// The visit was made from an answer or abandon whose queue entry had not arrived.
        var inferredEntry = false
    }

    var site: String
    var contact: String
    var channel: String?
    var customer: String?
    var reason: String?
    var startedAt: Int64?
    var endedAt: Int64?
    var selfserved = false
    var transfers = 0
    var resolved: Bool?
    var csat: Int?
    var nps: Int?
    var visits: [Visit] = []
    /// Customer and day as last written, to mark both old and new keys dirty.
    var writtenCustomer: String?
    var writtenDay: Int64?
    var lastTouchMs: Int64 = 0
    /// Changed since last written.
    var changed = false

    init(site: String, contact: String) {
        self.site = site
        self.contact = contact
    }

    mutating func apply(_ e: Event) {
        changed = true
        lastTouchMs = max(lastTouchMs, e.at.ms)
        if customer == nil { customer = e.customer }
        if channel == nil, let c = e.channel, c != .ivr { channel = c.rawValue }
        let at = e.at.ms
        switch e.kind {
        case .contactStarted:
            startedAt = min(startedAt ?? at, at)
            if let c = e.channel { channel = c.rawValue }
            if let r = e.data["reason"]?.stringValue { reason = r }
        case .contactSelfserved:
            selfserved = true
        case .queueEntered:
            let queue = e.queue ?? "unknown"
            // An abandon or answer that arrived first (its entry was in a file imported later) made a
            // visit starting when its wait began: this entry is that visit's, not a new one.
            if let v = visits.firstIndex(where: { $0.inferredEntry && $0.queue.sameBytes(as: queue) && abs($0.enteredAt - at) <= Self.entryMatchMs }) {
                visits[v].enteredAt = at
                visits[v].inferredEntry = false
                return
            }
            visits.append(Visit(n: visits.count + 1, queue: queue, channel: channel ?? e.channel?.rawValue, enteredAt: at))
        case .queueRefused:
            visits.append(Visit(n: visits.count + 1, queue: e.queue ?? "unknown", channel: channel ?? e.channel?.rawValue, enteredAt: at, refused: true))
        case .agentMissed:
            if let i = waitingVisit { visits[i].missed += 1 }
        case .contactAnswered:
            let v = waitingVisit ?? inferVisit(e)
            visits[v].answeredAt = at
            visits[v].agent = e.agent
            visits[v].waitMs = Limits.duration(e.data["waitMs"]) ?? Limits.clampDuration(at - visits[v].enteredAt)
            visits[v].route = e.data["route"]?.stringValue
        case .queueAbandoned:
            let v = waitingVisit ?? inferVisit(e)
            visits[v].abandonedAt = at
            visits[v].waitMs = Limits.duration(e.data["waitMs"]) ?? Limits.clampDuration(at - visits[v].enteredAt)
        case .contactHeld:
            if let v = talkingVisit { visits[v].heldSince = at }
        case .contactResumed:
            if let v = talkingVisit, let since = visits[v].heldSince {
                visits[v].holdMs = Limits.clampDuration(visits[v].holdMs + Limits.clampDuration(at - since))
                visits[v].heldSince = nil
            }
        case .contactTransferred:
            transfers += 1
            if let v = talkingVisit { close(v, at: at, transferred: true) }
        case .contactEnded:
            endedAt = max(endedAt ?? at, at)
            if let v = talkingVisit { close(v, at: at, transferred: false) }
        case .wrapupDone:
            let v = visits.lastIndex { visit in
                visit.answeredAt != nil && (e.agent.map { visit.agent?.sameBytes(as: $0) ?? false } ?? true) && !visit.transferred
            }
                ?? visits.lastIndex { $0.answeredAt != nil }
            if let v {
                visits[v].acwMs = Limits.duration(e.data["acwMs"])
                if let r = e.data["resolved"]?.boolValue { visits[v].resolved = r }
            }
            if let r = e.data["resolved"]?.boolValue { resolved = r }
        case .surveyAnswered:
            if let c = e.data["csat"]?.intValue, (1...5).contains(c) { csat = Int(c) }
            if let n = e.data["nps"]?.intValue, (0...10).contains(n) { nps = Int(n) }
        default:
            break
        }
    }

    /// A visit for an answer or abandon whose queue entry is not on record
    /// (it was in an earlier file not imported yet): it starts when its wait
    /// began, and joins the entry when that arrives (see `.queueEntered`).
    mutating func inferVisit(_ e: Event) -> Int {
        let wait = Limits.duration(e.data["waitMs"]) ?? 0
        visits.append(Visit(n: visits.count + 1, queue: e.queue ?? "unknown", channel: channel, enteredAt: e.at.ms - wait, inferredEntry: true))
        return visits.count - 1
    }

    /// How close a queue entry must be to the start of a visit inferred from
    /// its abandon or answer to be that visit's entry (queue_log times are whole seconds).
    static let entryMatchMs: Int64 = 1000

    /// The visit still waiting in its queue.
    var waitingVisit: Int? { visits.lastIndex { $0.answeredAt == nil && $0.abandonedAt == nil && !$0.refused } }
    /// The visit an agent is handling.
    var talkingVisit: Int? { visits.lastIndex { $0.answeredAt != nil && $0.endedAt == nil } }

    mutating func close(_ v: Int, at: Int64, transferred: Bool) {
        if let since = visits[v].heldSince {
            visits[v].holdMs = Limits.clampDuration(visits[v].holdMs + Limits.clampDuration(at - since))
            visits[v].heldSince = nil
        }
        visits[v].endedAt = at
        visits[v].transferred = transferred
    }

    /// The contact's outcome (docs/kpi-definitions.md).
    func outcome(shortAbandonMs: Int64) -> String {
        if selfserved { return "selfserved" }
        if let last = visits.last(where: { $0.answeredAt != nil }) {
            let laterAnswered = visits.contains { $0.n > last.n && $0.answeredAt != nil }
            return last.transferred && !laterAnswered && visits.last?.n == last.n ? "transferred" : "answered"
        }
        if let last = visits.last, last.abandonedAt != nil {
            return (last.waitMs ?? 0) < shortAbandonMs ? "short-abandon" : "abandoned"
        }
        if let last = visits.last, last.refused { return "refused" }
        return endedAt != nil ? "ended" : "open"
    }
}
