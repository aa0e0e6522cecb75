import JourneyLog
import JourneyModel
import JourneySync
import Metrics
import Prometheus

/// The node's metrics in the Prometheus text format (`GET /metrics`, for the
/// `metrics` role): what the log, sync and HTTP layers record through
/// swift-metrics as it happens, and what is read off the store, the
/// projection and the replication tracker at each scrape. Names are listed
/// in docs/console.md.
public enum ConsoleMetrics {
    /// The process's registry: swift-metrics reports into it once ``bootstrap()`` ran.
    public static let registry = PrometheusCollectorRegistry()

    /// fsync latency buckets: 50 µs to 2.5 s.
    static let fsyncBuckets: [Duration] = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                           .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                           .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000)]

    private static let bootstrapped: Bool = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[LogMetrics.fsyncLabel] = fsyncBuckets
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitized(name, colon: true), labels.map { (sanitized($0.0, colon: false), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return true
    }()

    /// Points swift-metrics at ``registry``, once per process (later calls do nothing).
    public static func bootstrap() { _ = bootstrapped }

    /// `name` with every character Prometheus does not allow in a metric (or label) name replaced by `_`.
    static func sanitized(_ name: String, colon: Bool) -> String {
        var out = ""
        for (i, c) in name.unicodeScalars.enumerated() {
            let ok = ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (colon && c == ":") || (i > 0 && ("0"..."9").contains(c))
            out.unicodeScalars.append(ok ? c : "_")
        }
        return out.isEmpty ? "_" : out
    }

    /// The exposition: gauges read now from `store`, the projection's `positions` and `tracker`, then everything recorded.
    public static func exposition(store: LogStore, projected positions: [String: UInt64], tracker: ReplicationTracker) -> [UInt8] {
        bootstrap()
        var heads: [String: UInt64] = [:]
        for origin in store.origins {
            guard let snap = store.snapshot(origin: origin) else { continue }
            heads[origin] = snap.lastSeq
            let labels = [("origin", origin)]
            registry.makeGauge(name: "journey_log_head_seq", labels: labels, help: "Last seq of the origin's log held by this node").set(Int64(clamping: snap.lastSeq))
            registry.makeGauge(name: "journey_log_blocks", labels: labels, help: "Blocks of the origin's log held by this node").set(Int64(snap.blocks.count))
            registry.makeGauge(name: "journey_log_bytes", labels: labels, help: "Bytes of the origin's blocks held by this node")
                .set(Int64(snap.blocks.reduce(0) { $0 + $1.totalBytes }))
            let applied = positions[origin] ?? 0
            registry.makeGauge(name: "journey_projection_lag_events", labels: labels,
                               help: "Events of the origin held but not yet applied by the console's projection")
                .set(Int64(clamping: snap.lastSeq > applied ? snap.lastSeq - applied : 0))
        }
        registry.makeGauge(name: "journey_refused_origins", help: "Origins refused at open (damaged or unverifiable)").set(Int64(store.damagedOrigins.count))
        for lag in tracker.lag(heads: heads) {
            let labels = [("peer", lag.peer), ("origin", lag.origin)]
            registry.makeGauge(name: "journey_replication_lag_events", labels: labels,
                               help: "Events this node holds that the peer had not pulled at its last request").set(Int64(clamping: lag.events))
            registry.makeGauge(name: "journey_replication_lag_seconds", labels: labels,
                               help: "Seconds since the peer last held everything this node has of the origin (0 when it does)").set(lag.seconds)
        }
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }
}
