import CoreMetrics

/// What the log reports to the process's metrics system (swift-metrics;
/// `journey serve` exports them to Prometheus at `/metrics`, see
/// docs/console.md). Nothing is recorded until a metrics backend is
/// bootstrapped; then every call reaches it.
public enum LogMetrics {
    /// Events and bytes stored for `origin`, by this node's appends or by replication.
    static func stored(origin: String, events: Int, bytes: Int) {
        let dimensions = [("origin", origin)]
        Counter(label: "journey_stored_events_total", dimensions: dimensions).increment(by: Int64(events))
        Counter(label: "journey_stored_bytes_total", dimensions: dimensions).increment(by: Int64(bytes))
    }

    /// One `fdatasync` of a log segment took `nanoseconds`.
    static func fsync(nanoseconds: UInt64) {
        Timer(label: fsyncLabel).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The label of the fsync latency timer (a histogram in Prometheus).
    public static let fsyncLabel = "journey_fsync_seconds"
}
