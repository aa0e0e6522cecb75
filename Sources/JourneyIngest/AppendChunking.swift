import JourneyLog
import JourneyModel

/// Appends many events to a store in calls of a bounded size: bounded memory
/// per call, large blocks. Shared by `append` and every importer.
public enum AppendChunking {
    /// Events per append call.
    public static let eventsPerCall = 65_536

    /// Appends `events` in calls of ``eventsPerCall``, calling `stored` with
    /// the events stored so far after each call; `bothCores` as in
    /// ``JourneyLog/LogStore/append(_:bothCores:)``.
    public static func append(_ events: [Event], to store: LogStore, bothCores: Bool = false,
                              stored: (Int) -> Void = { _ in }) throws -> LogStore.AppendResult {
        var total = LogStore.AppendResult()
        var start = 0
        while start < events.count {
            let end = min(events.count, start + eventsPerCall)
            total.merge(try store.append(Array(events[start..<end]), bothCores: bothCores))
            start = end
            stored(end)
        }
        return total
    }
}

extension LogStore.AppendResult {
    /// Adds what a later append call did to this one's result.
    public mutating func merge(_ r: LogStore.AppendResult) {
        appended += r.appended
        duplicates += r.duplicates
        duplicatesByKind.merge(r.duplicatesByKind, uniquingKeysWith: +)
        if duplicateIDs.count < Self.duplicateIDsMax {
            duplicateIDs += r.duplicateIDs.prefix(Self.duplicateIDsMax - duplicateIDs.count)
        }
        if firstSeq == nil { firstSeq = r.firstSeq }
        lastSeq = r.lastSeq ?? lastSeq
    }
}
