import JourneyModel

/// What the projections know that a staffing plan for one day needs:
/// per site and queue the calls offered in each interval of the
/// same weekday over the last weeks, handle time and caller patience; per
/// agent the share of each interval they were logged in on those days; per
/// site the share of logged-in time spent not ready.
///
/// Every figure is an integer sum read from the projection, so two nodes
/// holding the same events compute identical histories and plans.
/// Built by ``ProjectionEngine/staffingHistory(day:weeks:intervalMinutes:)``.
public struct StaffingHistory: Sendable, Equatable {
    /// The local day planned for (days since 1970-01-01).
    public var day: Int64
    /// Length of a planning interval.
    public var intervalMinutes: Int
    /// Same-weekday history days used, per site (oldest first).
    public var weekdays: [String: [Int64]]
    /// First and last day of the window that AHT, patience and shrinkage come from.
    public var window: ClosedRange<Int64>
    /// Demand and handling of every site × queue.
    public var queues: [Queue]
    /// Every agent seen on the same-weekday days.
    public var agents: [Agent]
    /// Per site, milliseconds logged in and not ready over the window.
    public var agentTime: [String: SiteTime]
    /// Each site's local calendar; slots are local times of day.
    public var calendar: SiteCalendar

    /// Logged-in and not-ready milliseconds of a site's agents.
    public struct SiteTime: Sendable, Equatable {
        /// Milliseconds logged in.
        public var loggedMs: Int64 = 0
        /// Of those, milliseconds not ready.
        public var notReadyMs: Int64 = 0
    }

    /// Demand and handling of one queue at one site.
    public struct Queue: Sendable, Equatable {
        /// The site.
        public var site: String
        /// The queue.
        public var queue: String
        /// Per interval of the day (0 = local midnight), calls offered summed over the same-weekday days.
        public var offered: [Int: Int64]
        /// Over the window: contacts handled and their handle time (talk + hold + ACW).
        public var handled: Int64
        /// Their handle time (talk + hold + ACW), ms.
        public var handleMs: Int64
        /// Over the window: abandons, and the time every caller spent waiting before an answer or an abandon.
        public var abandoned: Int64
        /// Time every caller spent waiting before an answer or an abandon, ms (patience's exposure).
        public var exposureMs: Int64
    }

    /// One agent's presence on the same-weekday days.
    public struct Agent: Sendable, Equatable {
        /// The agent.
        public var agent: String
        /// The site.
        public var site: String
        /// The queues the agent is skilled for.
        public var skills: [String]
        /// Per interval of the day, milliseconds logged in summed over the same-weekday days.
        public var loggedMs: [Int: Int64]
    }
}
