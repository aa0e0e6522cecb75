/// The wording of every progress line of a long run (rebuild, replay, audit,
/// sync catch-up, append and import): how far along, how fast, how long left.
/// Pure; the caller measures the elapsed time with its own clock.
public struct ProgressLine: Sendable {
    /// What is counted, plural: "events".
    public var unit: String
    /// The verb in the past: "applied", "pulled", "stored".
    public var verb: String
    /// Seconds between two lines from ``line(done:total:elapsedSeconds:)``.
    public var everySeconds: Double
    var lastAt = -Double.infinity
    var lastDone: UInt64?

    /// Progress lines saying `verb N of M unit`, at most one every `everySeconds`.
    public init(verb: String, unit: String = "events", everySeconds: Double = 1) {
        self.verb = verb
        self.unit = unit
        self.everySeconds = everySeconds
    }

    /// `applied 400000 of 1448772 events (28%), 61000 events/s, about 17 s left`.
    public static func text(verb: String, unit: String, done: UInt64, total: UInt64, elapsedSeconds: Double) -> String {
        let rate = Double(done) / max(elapsedSeconds, 1e-3)
        let left = total > done ? Double(total - done) / max(rate, 1) : 0
        let share = total > 0 ? min(100, 100 * Double(done) / Double(total)) : 100
        return "\(verb) \(done) of \(total) \(unit) (\(Int(share.rounded()))%), \(Int(rate.rounded())) \(unit)/s, about \(Int(left.rounded())) s left"
    }

    /// The line for `done` of `total` after `elapsedSeconds`, or nil when the
    /// previous one is less than ``everySeconds`` old — except the first to
    /// reach the total, which always comes.
    public mutating func line(done: UInt64, total: UInt64, elapsedSeconds: Double) -> String? {
        let finished = done >= total && (lastDone ?? 0) < total
        guard elapsedSeconds - lastAt >= everySeconds || finished else { return nil }
        lastAt = elapsedSeconds
        lastDone = done
        return Self.text(verb: verb, unit: unit, done: done, total: total, elapsedSeconds: elapsedSeconds)
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
