/// One team over a range of days, with its week-by-week FCR trend and
/// stability. Durations are in ms.
public struct TeamRow: Sendable, Equatable {
    /// The team (`-` for agents without one).
    public var team: String
    /// The site of the team's agents in its first week.
    public var site: String
    /// The most agents the team had with a row in any one week.
    public var agents: Int64
    /// The sums over the range (as in ``TeamPeriodRow``).
    public var totals: TeamPeriodRow
    /// Weeks (Monday to Sunday) with a row.
    public var weeks: Int64
    /// Least-squares slope of weekly FCR per week (nil with fewer than two weeks with FCR).
    public var fcrTrendPerWeek: Double?
    /// Standard deviation of weekly FCR (nil with fewer than two weeks with FCR).
    public var fcrStability: Double?
}
