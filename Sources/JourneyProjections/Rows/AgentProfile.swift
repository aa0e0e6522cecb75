import JourneyModel

/// An agent as the workforce events last described them (`agent.assigned`).
public struct AgentProfile: Sendable, Equatable {
    /// The agent.
    public var agent: String
    /// The agent's site.
    public var site: String?
    /// The agent's team.
    public var team: String?
    /// The queues the agent is skilled for.
    public var skills: [String]
    /// The hire date (YYYY-MM-DD) as given, if any.
    public var hiredAt: String?
    /// The hire date as a day number (days since 1970-01-01), if it is a date.
    public var hiredDay: Int64? {
        hiredAt.flatMap(LocalDay.init)?.number
    }
}
