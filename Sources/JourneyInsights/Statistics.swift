#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few statistics the insights use, written out so their definitions
/// are in one place (docs/insights.md).
public enum Statistics {
    /// Two-sided p-value of a standard normal z.
    public static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

    /// The z with two-sided p-value `p` (bisection on ``twoSidedP(_:)``; exact to 1e-9).
    public static func criticalZ(twoSidedP p: Double) -> Double {
        var lo = 0.0, hi = 40.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if twoSidedP(mid) > p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Two-proportion z statistic (pooled variance) of x1/n1 against x2/n2.
    public static func twoProportionZ(_ x1: Double, _ n1: Double, _ x2: Double, _ n2: Double) -> Double {
        guard n1 > 0, n2 > 0 else { return 0 }
        let pooled = (x1 + x2) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else { return 0 }
        return (x1 / n1 - x2 / n2) / variance.squareRoot()
    }

    /// Least-squares slope of `ys` against 0, 1, 2, … (nil with fewer than two points).
    public static func slope(_ ys: [Double]) -> Double? {
        guard ys.count >= 2 else { return nil }
        let n = Double(ys.count)
        let mx = (n - 1) / 2, my = ys.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (i, y) in ys.enumerated() {
            sxy += (Double(i) - mx) * (y - my)
            sxx += (Double(i) - mx) * (Double(i) - mx)
        }
        return sxy / sxx
    }

    /// Sample standard deviation (nil with fewer than two values).
    public static func standardDeviation(_ xs: [Double]) -> Double? {
        guard xs.count >= 2 else { return nil }
        let m = xs.reduce(0, +) / Double(xs.count)
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }

    /// Median (nil when empty).
    public static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// A robust z: (x − median) / (1.4826 · MAD) over the population `xs`,
    /// with a floor on the spread so a flat population does not make every
    /// small difference huge.
    public static func robustZ(_ x: Double, among xs: [Double], minimumSpread: Double) -> Double {
        guard let m = median(xs) else { return 0 }
        let mad = median(xs.map { abs($0 - m) }) ?? 0
        return (x - m) / max(1.4826 * mad, minimumSpread)
    }
}
