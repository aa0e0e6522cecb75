#if canImport(Glibc)
import Glibc
#endif
import JourneyModel

/// A seeded, deterministic discrete-event simulation of several contact
/// centres sharing one customer population. Its output is the event stream
/// the centres would log; KPIs are not drawn but *emerge*: waits come from
/// contacts queueing for agents who are actually logged in and ready,
/// abandonment from callers' patience running out, repeats from unresolved
/// contacts, CSAT from resolution and waiting. docs/simulator.md describes
/// the model and its parameters.
///
/// ```swift
/// let sim = Simulator(config: SimulationConfig(sites: ["north", "south"], seed: 7, days: 28))
/// sim.run { site, events in try store(for: site).append(events) }
/// ```
public final class Simulator {
    /// What is simulated.
    public let config: SimulationConfig
    var rng: SplitMix64
    var heap = EventHeap<Action>()
    var agents: [Agent] = []
    var contacts: [Contact] = []
    var sites: [SiteState] = []
    var output: [[Event]] = []
    var now: Int64 = 0
    var day = 0
    var contactCounter: [Int] = []

    enum Action {
        case dayStart(Int)
        case arrival(Arrival)
        case ivrDone(Int)
        case patience(Int, generation: Int)
        case overflow(Int, generation: Int)
        case ringEnd(contact: Int, agent: Int, answered: Bool)
        case talkEnd(Int)
        case acwEnd(agent: Int, contact: Int)
        case shift(agent: Int, step: ShiftStep)
        case readyAgain(Int)
    }

    enum ShiftStep { case login, breakStart(BreakKind, minutes: Int), breakEnd, logout }

    /// Why an agent is not ready; an integer so scheduled actions hold no references.
    enum BreakKind: UInt8 {
        case shortBreak, lunch, personal
        var reason: JSONValue {
            switch self {
            case .shortBreak: return "break"
            case .lunch: return "lunch"
            case .personal: return "personal"
            }
        }
    }

    struct Arrival {
        var site: Int
        var customer: Int
        var channel: Channel
        var queue: Int
        /// Index into the queue's reasons.
        var reason: Int
        var handoff: Bool
    }

    enum AgentState { case offline, ready, ringing, busy, notReady }

    struct Agent {
        var id: String
        var site: Int
        var team: String
        var skills: UInt8
        var hiredAtDay: Int
        var shiftStartHour: Int
        var drifts: (from: Int, leave: Int)?
        var state: AgentState = .offline
        var idleSince: Int64 = 0
        var pendingBreak: (BreakKind, Int)?
        var pendingLogout = false
        var loggedIn = false
        var events = 0
        func has(_ q: Int) -> Bool { skills & (1 << UInt8(q)) != 0 }
    }

    enum ContactState { case ivr, waiting, ringing, talking, done }

    struct Contact {
        var id: String
        var site: Int
        var customer: Int
        var channel: Channel
        var queue: Int
        /// Index into the reasons of the queue the contact arrived for (its queue may change by transfer).
        var reason: Int
        var originQueue: Int
        var state: ContactState = .ivr
        var enqueuedAt: Int64 = 0
        var overflow = false
        var agent = -1
        var transferred = false
        var events = 0
        var held: Int64 = 0
        /// Counts queue legs, so a timer of an earlier leg is ignored.
        var generation = 0
        var endedAt: Int64 = 0
        var answeredWaitMs: Int64 = 0
    }

    struct SiteState {
        var name: String
        /// Waiting contacts per queue: voice/chat first, then email/sms.
        var waiting: [[Int]]
        var deferred: [[Int]]
        var heads: [Int]
        var deferredHeads: [Int]
        var agents: [Int] = []
        var overflowRule: (queue: Int, day: Int, afterMs: Int64)?
    }

    /// A simulator of `config`.
    public init(config: SimulationConfig) {
        self.config = config
        rng = SplitMix64(seed: config.seed)
    }

    // MARK: Running

    /// Runs the whole simulation, handing `sink` each centre's events one day
    /// at a time, in time order.
    public func run(_ sink: (String, [Event]) throws -> Void) rethrows {
        setUp()
        heap.push(config.dayStartMs(0), .dayStart(0))
        while let (at, action) = heap.pop() {
            if case .dayStart(let d) = action, d > 0 { try flush(before: config.dayStartMs(d), sink) }
            now = at
            handle(action)
        }
        try flush(before: Int64.max, sink)
    }

    /// Stops scheduling after the last day; pending contacts finish naturally.
    var endMs: Int64 { config.dayStartMs(config.days) }

    func flush(before limit: Int64, _ sink: (String, [Event]) throws -> Void) rethrows {
        for s in sites.indices {
            // Sort positions, not events, and then move the events where they go, in the buffer itself:
            // copying the ready ones into a second array held them twice until the first was freed
            // (`journey simulate` of three centres for 14 days peaked at 239.7 MiB so, 226.4 without).
            // Taken out of `output`, the buffer is the only reference to its storage, so the swaps
            // below move events in place without copying the storage.
            var buffer = output[s]
            output[s] = []
            var order: [(at: Int64, index: Int32)] = []
            order.reserveCapacity(buffer.count)
            var later: [Int] = []
            for i in buffer.indices {
                if buffer[i].at.ms < limit { order.append((buffer[i].at.ms, Int32(i))) } else { later.append(i) }
            }
            // Stable by time: events scheduled "in the future" (surveys, holds) land in order.
            order.sort { $0.at != $1.at ? $0.at < $1.at : $0.index < $1.index }
            // The ready events in time order, then the later ones as they were.
            buffer.permute(by: order.map { Int($0.index) } + later)
            output[s] = Array(buffer[order.count...])
            buffer.removeSubrange(order.count...)
            if !buffer.isEmpty { try sink(sites[s].name, buffer) }
        }
    }

    func setUp() {
        for (si, name) in config.sites.enumerated() {
            let q = config.queues.count
            var site = SiteState(name: name, waiting: Array(repeating: [], count: q), deferred: Array(repeating: [], count: q),
                                 heads: Array(repeating: 0, count: q), deferredHeads: Array(repeating: 0, count: q))
            for case .overflowFault(let s, let queue, let d, let after) in config.scenarios where s == name {
                if let qi = config.queues.firstIndex(where: { $0.name == queue }) { site.overflowRule = (qi, d, Int64(after) * 1000) }
            }
            sites.append(site)
            output.append([])
            contactCounter.append(0)
            hireAgents(site: si)
        }
    }

    // MARK: Dispatch

    func handle(_ action: Action) {
        switch action {
        case .dayStart(let d): startDay(d)
        case .arrival(let a): arrive(a)
        case .ivrDone(let c): ivrDone(c)
        case .patience(let c, let g): if contacts[c].generation == g { patienceRanOut(c) }
        case .overflow(let c, let g): if contacts[c].generation == g { overflowDue(c) }
        case .ringEnd(let c, let a, let answered): ringEnd(contact: c, agent: a, answered: answered)
        case .talkEnd(let c): talkEnd(c)
        case .acwEnd(let a, let c): acwEnd(agent: a, contact: c)
        case .shift(let a, let step): shift(agent: a, step: step)
        case .readyAgain(let a): becomeReady(a)
        }
    }

    func startDay(_ d: Int) {
        day = d
        guard d < config.days else { return }
        heap.push(config.dayStartMs(d + 1), .dayStart(d + 1))
        let civil = Timestamp.civilFromDays(config.startDay + d)
        let weekday = ((config.startDay + d) % 7 + 7 + 3) % 7  // 1970-01-01 was a Thursday
        let volume = Double(config.contactsPerDay) * SimulationConfig.weekdayFactor[weekday]
            * SimulationConfig.monthFactor(dayOfMonth: civil.day)
        for si in sites.indices {
            scheduleShifts(site: si, weekday: weekday)
            let n = poisson(volume)
            for _ in 0..<n {
                let at = config.dayStartMs(d) + sampleTimeOfDayMs()
                heap.push(at, .arrival(firstContact(site: si)))
            }
        }
    }

    // MARK: Contacts

    func firstContact(site: Int) -> Arrival {
        let q = pickQueue()
        let profile = config.queues[q]
        let r = unit()
        let channel: Channel = r < 0.50 ? .voice : r < 0.65 ? .chat : r < 0.77 ? .app : r < 0.87 ? .web : r < 0.95 ? .email : .sms
        // A skewed draw: some customers call far more often than others.
        let customer = site * config.customersPerSite + Int(Double(config.customersPerSite) * pow(unit(), 1.3))
        return Arrival(site: site, customer: customer, channel: channel, queue: q,
                       reason: Int(rng.next() % UInt64(profile.reasons.count)), handoff: false)
    }

    func pickQueue() -> Int {
        var r = unit()
        for (i, q) in config.queues.enumerated() {
            r -= q.share
            if r < 0 { return i }
        }
        return config.queues.count - 1
    }

    func arrive(_ a: Arrival) {
        guard now < endMs else { return }
        contactCounter[a.site] += 1
        let id = "\(sites[a.site].name)-\(pad(day, 3))-\(pad(contactCounter[a.site], 6))"
        contacts.append(Contact(id: id, site: a.site, customer: a.customer, channel: a.channel, queue: a.queue, reason: a.reason,
                                originQueue: a.queue))
        let c = contacts.count - 1
        let reason = JSONValue.string(config.queues[a.queue].reasons[a.reason])
        emit(c, .contactStarted, ["direction": "inbound", "initiation": "customer", "reason": reason])
        switch a.channel {
        case .voice:
            heap.push(now + Int64(8_000 + unit() * 30_000), .ivrDone(c))
        case .app, .web:
            // Self-service session: contained, or the customer gives up and calls.
            let duration = Int64(60_000 + unit() * 240_000)
            if unit() < 0.62 {
                emit(c, .contactSelfserved, ["reason": reason], at: now + duration)
                emit(c, .contactEnded, ["by": "customer"], at: now + duration + 1000)
            } else {
                emit(c, .contactEnded, ["by": "customer"], at: now + duration)
                if unit() < 0.7 {
                    var next = a
                    next.channel = .voice
                    next.handoff = true
                    heap.push(now + duration + Int64(120_000 + unit() * 1_500_000), .arrival(next))
                }
            }
            contacts[c].state = .done
        default:
            enqueue(c, queue: a.queue, at: now + 2000)
        }
    }

    func ivrDone(_ c: Int) {
        let q = contacts[c].queue
        let key = String(q + 1)
        emit(c, .ivrInput, ["menu": "main", "key": .string(key)], channel: .ivr)
        if unit() < config.queues[q].ivrContainment {
            let t = now + Int64(40_000 + unit() * 120_000)
            emit(c, .contactSelfserved, ["reason": .string(config.queues[contacts[c].originQueue].reasons[contacts[c].reason])], at: t, channel: .ivr)
            emit(c, .contactEnded, ["by": "customer"], at: t + 500, channel: .ivr)
            contacts[c].state = .done
            return
        }
        enqueue(c, queue: q, at: now)
    }

    func enqueue(_ c: Int, queue q: Int, at: Int64) {
        now = max(now, at)
        contacts[c].queue = q
        contacts[c].state = .waiting
        contacts[c].enqueuedAt = now
        contacts[c].overflow = false
        contacts[c].generation += 1
        let generation = contacts[c].generation
        let deferredChannel = contacts[c].channel == .email || contacts[c].channel == .sms
        emit(c, .queueEntered, ["priority": .integer(deferredChannel ? 2 : 1)], queue: config.queues[q].name)
        let s = contacts[c].site
        if deferredChannel { sites[s].deferred[q].append(c) } else { sites[s].waiting[q].append(c) }
        if !deferredChannel {
            heap.push(now + Int64(exponential(config.queues[q].patienceMeanSeconds * 1000)), .patience(c, generation: generation))
            if let rule = sites[s].overflowRule, rule.queue == q, day >= rule.day {
                heap.push(now + rule.afterMs, .overflow(c, generation: generation))
            }
        }
        if let a = pickAgent(site: s, for: c) { offer(c, to: a) }
    }

    func patienceRanOut(_ c: Int) {
        guard contacts[c].state == .waiting else { return }
        let wait = now - contacts[c].enqueuedAt
        emit(c, .queueAbandoned, ["waitMs": .integer(wait), "exit": "abandon"], queue: config.queues[contacts[c].queue].name)
        emit(c, .contactEnded, ["by": "customer"], queue: config.queues[contacts[c].queue].name)
        contacts[c].state = .done
        removeWaiting(c)
        // A caller who gave up tries again later, sometimes on another channel.
        if unit() < 0.55 { scheduleRepeat(c, delayMedianHours: 1.5) }
    }

    func overflowDue(_ c: Int) {
        guard contacts[c].state == .waiting else { return }
        contacts[c].overflow = true
        let s = contacts[c].site
        if let a = pickAgent(site: s, for: c) { offer(c, to: a) }
    }

    func removeWaiting(_ c: Int) {
        let s = contacts[c].site, q = contacts[c].queue
        if let i = sites[s].waiting[q][sites[s].heads[q]...].firstIndex(of: c) { sites[s].waiting[q].remove(at: i) }
        else if let i = sites[s].deferred[q][sites[s].deferredHeads[q]...].firstIndex(of: c) { sites[s].deferred[q].remove(at: i) }
    }

    /// The longest-idle ready agent who may take contact `c`. An overflowed
    /// contact goes to the overflow group (agents without the skill) first:
    /// that is what the faulty routing rule does.
    func pickAgent(site s: Int, for c: Int) -> Int? {
        let q = contacts[c].queue
        var best: Int?
        var bestUnskilled: Int?
        for a in sites[s].agents where agents[a].state == .ready {
            if agents[a].has(q) {
                if best == nil || agents[a].idleSince < agents[best!].idleSince { best = a }  // non-nil after the first check
            } else if contacts[c].overflow {
                if bestUnskilled == nil || agents[a].idleSince < agents[bestUnskilled!].idleSince { bestUnskilled = a }  // ditto
            }
        }
        return bestUnskilled ?? best
    }

    /// The contact a newly ready agent should take: the longest-waiting
    /// voice/chat contact of a queue they are skilled for (or an overflowed
    /// one), then email/SMS.
    func pickContact(for a: Int) -> Int? {
        let s = agents[a].site
        var best: Int?
        for q in config.queues.indices {
            let list = sites[s].waiting[q]
            guard sites[s].heads[q] < list.count else { continue }
            // Overflowed contacts are the oldest of their queue, so the head tells.
            let head = list[sites[s].heads[q]]
            guard agents[a].has(q) || contacts[head].overflow else { continue }
            if best == nil || contacts[head].enqueuedAt < contacts[best!].enqueuedAt { best = head }  // non-nil after the first check
        }
        if best != nil { return best }
        for q in config.queues.indices where agents[a].has(q) {
            let list = sites[s].deferred[q]
            guard sites[s].deferredHeads[q] < list.count else { continue }
            let head = list[sites[s].deferredHeads[q]]
            if best == nil || contacts[head].enqueuedAt < contacts[best!].enqueuedAt { best = head }  // non-nil after the first check
        }
        return best
    }

    func offer(_ c: Int, to a: Int) {
        removeWaiting(c)
        contacts[c].state = .ringing
        contacts[c].agent = a
        agents[a].state = .ringing
        emit(c, .agentOffered, [:], queue: config.queues[contacts[c].queue].name, agent: agents[a].id)
        let drift = driftFactor(a)
        if unit() < 0.02 + 0.12 * drift {
            heap.push(now + 15_000, .ringEnd(contact: c, agent: a, answered: false))
        } else {
            heap.push(now + Int64(2000 + unit() * 5000), .ringEnd(contact: c, agent: a, answered: true))
        }
    }

    func ringEnd(contact c: Int, agent a: Int, answered: Bool) {
        let q = contacts[c].queue
        let queueName = config.queues[q].name
        guard answered else {
            emit(c, .agentMissed, ["ringMs": 15_000], queue: queueName, agent: agents[a].id)
            agents[a].state = .notReady
            agentEvent(a, .agentNotReady, ["reason": "rona"])
            heap.push(now + 60_000, .readyAgain(a))
            contacts[c].state = .waiting
            contacts[c].agent = -1
            let s = contacts[c].site
            sites[s].waiting[q].insert(c, at: sites[s].heads[q])
            if let other = pickAgent(site: s, for: c) { offer(c, to: other) }
            return
        }
        contacts[c].state = .talking
        agents[a].state = .busy
        contacts[c].answeredWaitMs = now - contacts[c].enqueuedAt
        var data: JSONObject = ["waitMs": .integer(contacts[c].answeredWaitMs)]
        let unskilled = !agents[a].has(q)
        if unskilled { data["route"] = "overflow" }
        emit(c, .contactAnswered, data, queue: queueName, agent: agents[a].id)
        var talk = lognormal(median: config.queues[q].talkMedianSeconds * 1000 * tenureFactor(a) * (1 + 0.6 * driftFactor(a)) * (unskilled ? 1.35 : 1), sigma: 0.55)
        talk = min(talk, 3_600_000)
        if unit() < 0.16 {
            let holdAt = now + Int64(talk * 0.45)
            let hold = Int64(20_000 + unit() * 90_000)
            emit(c, .contactHeld, [:], at: holdAt, queue: queueName, agent: agents[a].id)
            emit(c, .contactResumed, [:], at: holdAt + hold, queue: queueName, agent: agents[a].id)
            contacts[c].held = hold
            talk += Double(hold)
        }
        heap.push(now + Int64(talk), .talkEnd(c))
    }

    func talkEnd(_ c: Int) {
        let a = contacts[c].agent
        let q = contacts[c].queue
        let queueName = config.queues[q].name
        let unskilled = !agents[a].has(q)
        let transferRate = unskilled ? 0.15 : config.queues[q].transferRate
        if unit() < transferRate {
            // Unskilled overflow agents send the contact back where it belonged.
            let target = unskilled ? q : (q + 1 + Int(rng.next() % UInt64(config.queues.count - 1))) % config.queues.count
            emit(c, .contactTransferred, ["toQueue": .string(config.queues[target].name), "mode": "blind"], queue: queueName, agent: agents[a].id)
            contacts[c].transferred = true
            heap.push(now + Int64(lognormal(median: config.queues[q].acwMedianSeconds * 500, sigma: 0.4)), .acwEnd(agent: a, contact: -1))
            enqueue(c, queue: target, at: now + 1000)
            return
        }
        emit(c, .contactEnded, ["by": unit() < 0.7 ? "customer" : "agent"], queue: queueName, agent: agents[a].id)
        contacts[c].state = .done
        contacts[c].endedAt = now
        let acw = lognormal(median: config.queues[q].acwMedianSeconds * 1000 * tenureFactor(a) * (1 + 0.4 * driftFactor(a)), sigma: 0.45)
        heap.push(now + Int64(acw), .acwEnd(agent: a, contact: c))
    }

    func acwEnd(agent a: Int, contact c: Int) {
        if c >= 0 {
            let q = contacts[c].queue
            let queueName = config.queues[q].name
            var p = config.queues[q].resolveSkilled - 0.25 * driftFactor(a)
            if !agents[a].has(q) { p = 0.28 }
            let tenureMonths = Double(day + config.startDay - agents[a].hiredAtDay) / 30.4
            if tenureMonths < 6 { p -= 0.12 } else if tenureMonths > 36 { p += 0.04 }
            let resolved = unit() < p
            let acwMs = now - contacts[c].endedAt
            emit(c, .wrapupDone, ["acwMs": .integer(max(0, acwMs)), "disposition": .string(resolved ? "resolved" : "follow-up"),
                                  "resolved": .bool(resolved)], queue: queueName, agent: agents[a].id)
            survey(c, resolved: resolved, agent: a)
            if !resolved ? unit() < 0.8 : unit() < 0.08 { scheduleRepeat(c, delayMedianHours: resolved ? 60 : 16) }
        }
        agentFree(a)
    }

    func survey(_ c: Int, resolved: Bool, agent a: Int) {
        guard contacts[c].channel == .voice || contacts[c].channel == .chat, unit() < 0.25 else { return }
        let waitedLong = contacts[c].answeredWaitMs > 120_000
        let r = unit()
        var csat = resolved ? (r < 0.55 ? 5 : r < 0.85 ? 4 : r < 0.95 ? 3 : 2) : (r < 0.35 ? 1 : r < 0.65 ? 2 : r < 0.9 ? 3 : 4)
        if waitedLong && unit() < 0.4 { csat = max(1, csat - 1) }
        if driftFactor(a) > 0.3 && unit() < 0.5 * driftFactor(a) { csat = max(1, csat - 1) }
        let n = unit()
        let nps = csat >= 4 ? (n < 0.6 ? 9 + Int(rng.next() % 2) : 7 + Int(rng.next() % 2)) : Int(rng.next() % 7)
        emit(c, .surveyAnswered, ["csat": .integer(Int64(csat)), "nps": .integer(Int64(nps))],
             at: now + Int64(60_000 + unit() * 600_000), queue: config.queues[contacts[c].queue].name, agent: agents[a].id)
    }

    /// The same customer contacts again about the same reason: after a delay,
    /// on the same channel or another, usually at the same centre.
    func scheduleRepeat(_ c: Int, delayMedianHours: Double) {
        let old = contacts[c]
        var a = Arrival(site: old.site, customer: old.customer, channel: old.channel, queue: old.originQueue, reason: old.reason, handoff: false)
        let r = unit()
        if r < 0.3 { a.channel = r < 0.2 ? .voice : .chat }
        if a.channel == .app || a.channel == .web { a.channel = .voice }
        if sites.count > 1 && unit() < 0.15 {
            a.site = (old.site + 1 + Int(rng.next() % UInt64(sites.count - 1))) % sites.count
        }
        let delay = max(600_000, lognormal(median: delayMedianHours * 3_600_000, sigma: 0.9))
        var at = now + Int64(delay)
        // Customers call when the centres are open.
        let hour = Int(LocalDay.timeOfDayMs(localMs: at) / LocalDay.hourMs)
        if hour < 7 || hour >= 22 {
            at = LocalDay(localMs: at).advanced(by: hour >= 22 ? 1 : 0).localStartMs + 7 * LocalDay.hourMs + Int64(unit() * 10_800_000)
        }
        heap.push(at, .arrival(a))
    }

    // MARK: Emitting

    func emit(_ c: Int, _ kind: EventKind, _ data: JSONObject, at: Int64? = nil, channel: Channel? = nil,
              queue: String? = nil, agent: String? = nil) {
        contacts[c].events += 1
        // The fields read where the contact lies: a copy of it would retain each of its strings.
        let site = contacts[c].site, id = contacts[c].id
        output[site].append(Event(
            site: sites[site].name, id: "\(id)-\(contacts[c].events)", at: Timestamp(ms: at ?? now), kind: kind,
            contact: id, customer: customerKey(contacts[c].customer), channel: channel ?? contacts[c].channel,
            queue: queue, agent: agent, data: data))
    }

    func agentEvent(_ a: Int, _ kind: EventKind, _ data: JSONObject = [:], at: Int64? = nil) {
        agents[a].events += 1
        let s = agents[a].site
        output[s].append(Event(site: sites[s].name, id: "\(agents[a].id)-\(agents[a].events)", at: Timestamp(ms: at ?? now),
                               kind: kind, agent: agents[a].id, data: data))
    }

    /// Stable customer keys: the same index gives the same key in every run
    /// with the same population, at every centre.
    func customerKey(_ index: Int) -> String {
        var z = UInt64(index) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // "cu-" and 16 hex digits written into the string's own storage: one allocation for each
        // event's key, where concatenating a formatted and a padded string made four.
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 19) { bytes in
            bytes[0] = UInt8(ascii: "c")
            bytes[1] = UInt8(ascii: "u")
            bytes[2] = UInt8(ascii: "-")
            for i in 0..<16 { bytes[3 + i] = digits.utf8Start[Int((z >> UInt64(60 - 4 * i)) & 0xF)] }
            return 19
        }
    }

    // MARK: Random helpers

    @inline(__always) func unit() -> Double { JourneySimulation.unit(&rng) }
    func exponential(_ mean: Double) -> Double { JourneySimulation.exponential(&rng, mean: mean) }
    func lognormal(median: Double, sigma: Double) -> Double { JourneySimulation.lognormal(&rng, median: median, sigma: sigma) }

    func poisson(_ mean: Double) -> Int {
        // Normal approximation is exact enough for thousands a day.
        let u1 = max(1e-12, unit()), u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return max(0, Int((mean + z * mean.squareRoot()).rounded()))
    }

    func sampleTimeOfDayMs() -> Int64 {
        var r = unit()
        for (h, share) in SimulationConfig.hourShare.enumerated() {
            r -= share
            if r < 0 { return Int64(h) * 3_600_000 + Int64(unit() * 3_600_000) }
        }
        return 21 * 3_600_000
    }
}
