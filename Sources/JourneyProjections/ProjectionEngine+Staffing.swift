import GRDB
import JourneyModel

extension ProjectionEngine {
    /// The history a staffing plan for local day `day` is built from: the
    /// same weekday in each of the last `weeks` weeks (only days the site has
    /// data for and that are complete, i.e. before the data horizon's day),
    /// and the whole last `weeks` weeks for handle time, patience and shrinkage.
    /// Agents who did not log in during the last 7 days with data are left out
    /// (they have left, or are away).
    ///
    /// - Parameter intervalMinutes: a multiple of the projection's interval
    ///   (its rows are summed into the longer intervals).
    /// - Throws: ``ProjectionError`` when no history day exists or the interval does not fit.
    public func staffingHistory(day: Int64, weeks: Int, intervalMinutes: Int) throws -> StaffingHistory {
        guard weeks >= 1 else { throw ProjectionError(.invalidRequest, "weeks of history must be at least 1") }
        guard intervalMinutes >= parameters.intervalMinutes, intervalMinutes % parameters.intervalMinutes == 0,
              (24 * 60) % intervalMinutes == 0 else {
            throw ProjectionError(.invalidRequest, "the plan interval (\(intervalMinutes) min) must be a multiple of the projection's \(parameters.intervalMinutes) min that divides a day")
        }
        let slotMs = Int64(intervalMinutes) * 60_000
        let candidates = (1...weeks).map { day - 7 * Int64($0) }.reversed()
        let window = (day - 7 * Int64(weeks))...(day - 1)
        return try db.read { db in
            // Per site, the same-weekday days with data and before the horizon's local day.
            var weekdays: [String: [Int64]] = [:]
            let siteDays = try Row.fetchAll(db, sql: """
                SELECT DISTINCT site, day FROM interval_stat WHERE day IN (\(candidates.map(String.init).joined(separator: ",")))
                ORDER BY site, day
                """)
            for r in siteDays {
                let site: String = r[0], d: Int64 = r[1]
                if d < calendar.day(horizon, site: site) { weekdays[site, default: []].append(d) }
            }
            guard !weekdays.isEmpty else {
                let names = candidates.map { Timestamp.dateString(day: $0) }.joined(separator: ", ")
                throw ProjectionError(.insufficientHistory, "no history for the same weekday (\(names)) before the data horizon \(dataHorizon.rfc3339); simulate or import more weeks, or give a forecast file")
            }
            func slot(_ intervalStart: Int64, day: Int64, site: String) -> Int {
                // Slots are local times of day, so a day the clocks change keeps its hours' slots.
                Int(calendar.timeOfDayMs(intervalStart, site: site) / slotMs)
            }
            func isWeekday(_ site: String, _ d: Int64) -> Bool { weekdays[site]?.contains(d) ?? false }
            let dayList = candidates.map(String.init).joined(separator: ",")

            // Queues and agents by the bytes of their keys, as the tables hold them (see ``ByteKey``).
            var queues: [ByteKey: StaffingHistory.Queue] = [:]
            func key(_ site: String, _ queue: String) -> ByteKey { ByteKey(site + "\u{1}" + queue) }
            for r in try Row.fetchAll(db, sql: "SELECT site, queue, day, interval_start, offered FROM interval_stat WHERE day IN (\(dayList))") {
                let site: String = r[0], queue: String = r[1], d: Int64 = r[2]
                guard isWeekday(site, d) else { continue }
                let k = key(site, queue)
                var q = queues[k] ?? StaffingHistory.Queue(site: site, queue: queue, offered: [:], handled: 0, handleMs: 0, abandoned: 0, exposureMs: 0)
                q.offered[slot(r[3], day: d, site: site), default: 0] += r[4]
                queues[k] = q
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT site, queue, SUM(handled), SUM(handle_ms) FROM interval_stat WHERE day BETWEEN ? AND ? GROUP BY site, queue
                """, arguments: [window.lowerBound, window.upperBound]) {
                let site: String = r[0], queue: String = r[1]
                let k = key(site, queue)
                var q = queues[k] ?? StaffingHistory.Queue(site: site, queue: queue, offered: [:], handled: 0, handleMs: 0, abandoned: 0, exposureMs: 0)
                q.handled = r[2]
                q.handleMs = r[3]
                queues[k] = q
            }
            // Patience: each caller waited until answered (censored) or until abandoning (observed).
            // Only channels where a customer can hang up while waiting (voice, chat) say anything about
            // patience: an e-mail's hours in the queue would make everyone look endlessly patient.
            for r in try Row.fetchAll(db, sql: """
                SELECT site, queue, SUM(abandoned_at IS NOT NULL AND answered_at IS NULL),
                       SUM(CASE WHEN answered_at IS NOT NULL OR abandoned_at IS NOT NULL THEN wait_ms ELSE 0 END)
                FROM visit WHERE day BETWEEN ? AND ? AND channel IN ('voice', 'chat') GROUP BY site, queue
                """, arguments: [window.lowerBound, window.upperBound]) {
                let k = key(r[0], r[1])
                guard var q = queues[k] else { continue }
                q.abandoned = r[2]
                q.exposureMs = r[3] ?? 0
                queues[k] = q
            }

            var skills: [ByteKey: [String]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT agent, queue FROM agent_skill ORDER BY agent, queue") {
                skills[ByteKey(r[0]), default: []].append(r[1])
            }
            // Agents who logged in during the window's last week still work here; the others have left or are away.
            var lastDay: [ByteKey: Int64] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT agent, MAX(day) FROM agent_time WHERE day BETWEEN ? AND ? AND logged_ms > 0 GROUP BY agent",
                                      arguments: [window.lowerBound, window.upperBound]) {
                lastDay[ByteKey(r[0])] = r[1]
            }
            let latest = lastDay.values.max() ?? window.upperBound
            var agents: [ByteKey: StaffingHistory.Agent] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT agent, site, day, interval_start, logged_ms FROM agent_time WHERE day IN (\(dayList)) AND logged_ms > 0") {
                let agent = ByteKey(r[0]), site: String = r[1], d: Int64 = r[2]
                guard isWeekday(site, d), (lastDay[agent] ?? 0) > latest - 7 else { continue }
                var a = agents[agent] ?? StaffingHistory.Agent(agent: agent.text, site: site, skills: skills[agent] ?? [], loggedMs: [:])
                a.loggedMs[slot(r[3], day: d, site: site), default: 0] += r[4]
                agents[agent] = a
            }
            var time: [String: StaffingHistory.SiteTime] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT site, SUM(logged_ms), SUM(notready_ms) FROM agent_time WHERE day BETWEEN ? AND ? GROUP BY site
                """, arguments: [window.lowerBound, window.upperBound]) {
                time[r[0]] = StaffingHistory.SiteTime(loggedMs: r[1], notReadyMs: r[2])
            }
            return StaffingHistory(
                day: day, intervalMinutes: intervalMinutes, weekdays: weekdays, window: window,
                queues: queues.keys.sorted().compactMap { queues[$0] },
                agents: agents.keys.sorted().compactMap { agents[$0] },
                agentTime: time,
                calendar: calendar)
        }
    }
}
