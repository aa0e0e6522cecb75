import JourneyModel

extension Simulator {
    /// Agents of a centre: teams of ten, one or two skills, tenure from new
    /// hires to veterans, shift starts spread to follow the intraday demand.
    func hireAgents(site s: Int) {
        let name = sites[s].name
        var drifting: Set<Int> = []
        var drift: (Int, Int)?
        for case .attrition(let site, let n, let from, let leave) in config.scenarios where site == name {
            drift = (from, leave)
            while drifting.count < min(n, config.agentsPerSite) { drifting.insert(Int(rng.next() % UInt64(config.agentsPerSite))) }
        }
        let shiftStarts = [7, 7, 8, 8, 8, 9, 9, 10, 11, 12, 13, 13, 14]
        for i in 0..<config.agentsPerSite {
            let primary = pickQueue()
            var skills = UInt8(1 << primary)
            if unit() < 0.4 { skills |= UInt8(1 << UInt8(pickQueue())) }
            let tenureDays = Int(min(3650, lognormal(median: 540, sigma: 0.9)))
            var agent = Agent(id: "\(name)-a\(pad(i, 3))", site: s, team: "\(name)-t\(pad(i / 10, 2))", skills: skills,
                              hiredAtDay: config.startDay - tenureDays, shiftStartHour: shiftStarts[Int(rng.next() % UInt64(shiftStarts.count))])
            if drifting.contains(i) { agent.drifts = drift }
            agents.append(agent)
            let a = agents.count - 1
            sites[s].agents.append(a)
            let skillNames = config.queues.indices.filter { agent.has($0) }.map { JSONValue.string(config.queues[$0].name) }
            let hired = Timestamp.civilFromDays(agent.hiredAtDay)
            agentEvent(a, .agentAssigned, ["team": .string(agent.team), "site": .string(name), "skills": .array(skillNames),
                                          "hiredAt": .string("\(hired.year)-\(pad(hired.month, 2))-\(pad(hired.day, 2))")],
                       at: config.dayStartMs(0))
        }
    }

    /// 0 before an attrition agent's drift starts, rising to 1 at their last day.
    func driftFactor(_ a: Int) -> Double {
        guard let d = agents[a].drifts, day >= d.from else { return 0 }
        return min(1, Double(day - d.from + 1) / Double(max(1, d.leave - d.from)))
    }

    /// New agents are slower; after two years they are quicker than median.
    func tenureFactor(_ a: Int) -> Double {
        let months = Double(day + config.startDay - agents[a].hiredAtDay) / 30.4
        return months < 3 ? 1.35 : months < 12 ? 1.12 : months > 24 ? 0.93 : 1.0
    }

    /// Schedules today's shift of every agent who works today: five days in
    /// seven (45 % of agents off at weekends, the rest staggered), absent now
    /// and then, with two short breaks and a lunch.
    func scheduleShifts(site s: Int, weekday: Int) {
        for a in sites[s].agents {
            if let d = agents[a].drifts, day > d.leave { continue }  // left for good
            // Two days off a week: 45 % have the weekend, the rest are staggered to cover it.
            if a % 20 < 9 ? weekday >= 5 : (weekday + a) % 7 >= 5 { continue }
            if unit() < 0.04 + 0.25 * driftFactor(a) { continue }  // absent
            let start = config.dayStartMs(day) + Int64(agents[a].shiftStartHour) * 3_600_000 + Int64(unit() * 300_000)
            heap.push(start, .shift(agent: a, step: .login))
            heap.push(start + 2 * 3_600_000, .shift(agent: a, step: .breakStart(.shortBreak, minutes: 15)))
            heap.push(start + 4 * 3_600_000, .shift(agent: a, step: .breakStart(.lunch, minutes: 30)))
            let personal = driftFactor(a)
            if personal > 0 { heap.push(start + 5 * 3_600_000, .shift(agent: a, step: .breakStart(.personal, minutes: 10 + Int(40 * personal)))) }
            heap.push(start + 6 * 3_600_000, .shift(agent: a, step: .breakStart(.shortBreak, minutes: 15)))
            heap.push(start + 8 * 3_600_000 + Int64(unit() * 600_000), .shift(agent: a, step: .logout))
        }
    }

    func shift(agent a: Int, step: ShiftStep) {
        switch step {
        case .login:
            agents[a].loggedIn = true
            agents[a].pendingLogout = false
            agentEvent(a, .agentLogin)
            becomeReady(a)
        case .breakStart(let reason, let minutes):
            guard agents[a].loggedIn else { return }
            if agents[a].state == .ready {
                takeBreak(a, reason, minutes)
            } else {
                agents[a].pendingBreak = (reason, minutes)
            }
        case .breakEnd:
            guard agents[a].loggedIn else { return }
            becomeReady(a)
        case .logout:
            guard agents[a].loggedIn else { return }
            if agents[a].state == .ready || agents[a].state == .notReady {
                logout(a)
            } else {
                agents[a].pendingLogout = true
            }
        }
    }

    func takeBreak(_ a: Int, _ reason: BreakKind, _ minutes: Int) {
        agents[a].state = .notReady
        agentEvent(a, .agentNotReady, ["reason": reason.reason])
        heap.push(now + Int64(minutes) * 60_000, .shift(agent: a, step: .breakEnd))
    }

    func logout(_ a: Int) {
        agents[a].state = .offline
        agents[a].loggedIn = false
        agents[a].pendingLogout = false
        agents[a].pendingBreak = nil
        agentEvent(a, .agentLogout)
    }

    /// The agent finished a contact: a due break or logout comes first, else ready.
    func agentFree(_ a: Int) {
        if agents[a].pendingLogout { logout(a); return }
        if let (reason, minutes) = agents[a].pendingBreak {
            agents[a].pendingBreak = nil
            takeBreak(a, reason, minutes)
            return
        }
        becomeReady(a)
    }

    func becomeReady(_ a: Int) {
        guard agents[a].loggedIn, agents[a].state != .ready else { return }
        agents[a].state = .ready
        agents[a].idleSince = now
        agentEvent(a, .agentReady)
        if let c = pickContact(for: a) { offer(c, to: a) }
    }
}
