/// A figure that is a ratio of two counts: unknown (nil) without a
/// denominator, never 0 or 1 by default (docs/kpi-definitions.md,
/// "Unknown is not a number").
public enum Ratio {
    /// `numerator / denominator`, or nil when either is absent or the denominator is not positive.
    public static func of(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator > 0 else { return nil }
        return numerator / denominator
    }
}
