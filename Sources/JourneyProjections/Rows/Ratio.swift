/// A figure that is a ratio of two counts: unknown (nil) without a
/// denominator, never 0 or 1 by default (docs/kpi-definitions.md,
/// "Unknown is not a number").
public enum Ratio {
    /// `numerator / denominator`, or nil when either is absent or the denominator is not positive.
    public static func of(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator > 0 else { return nil }
        return numerator / denominator
    }

    /// Occupancy: busy / (busy + ready). Unknown (nil) when there is no ready
    /// and no not-ready time at all: the source recorded no agent states, and
    /// handling calls alone says nothing about idle time.
    public static func occupancy(busyMs: Double?, readyMs: Double?, notReadyMs: Double?) -> Double? {
        guard let busyMs, let readyMs, readyMs + (notReadyMs ?? 0) > 0 else { return nil }
        return of(busyMs, busyMs + readyMs)
    }
}
