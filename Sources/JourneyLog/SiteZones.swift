import JourneyModel

/// The time zones a site has had: its `site.configured` events, each in
/// force from its `data.effective` instant (an RFC 3339 time, or `start`
/// for "since the beginning", which `journey init --time-zone` records).
/// A site without any is on UTC.
public struct SiteZones: Sendable, Equatable {
    /// (in force from, zone), oldest first.
    public private(set) var history: [(from: Int64, zone: SiteTimeZone)] = []

    /// A site with no zone recorded (UTC).
    public init() {}

    public static func == (a: SiteZones, b: SiteZones) -> Bool {
        a.history.map(\.from) == b.history.map(\.from) && a.history.map(\.zone) == b.history.map(\.zone)
    }

    /// The zone and its start that `event` sets; nil when it is not a
    /// `site.configured` event with a valid zone.
    public static func setting(of event: Event) -> (from: Int64, zone: SiteTimeZone)? {
        guard event.kind == .siteConfigured, let name = event.data["timeZone"]?.stringValue,
              let zone = SiteTimeZone(identifier: name) else { return nil }
        let effective = event.data["effective"]?.stringValue ?? "start"
        if effective == "start" { return (Limits.timeMin.ms, zone) }
        guard let t = Timestamp(rfc3339: effective) else { return nil }
        return (t.ms, zone)
    }

    /// Takes in a `site.configured` event (others are ignored). A later
    /// setting with the same start replaces the earlier one.
    public mutating func apply(_ event: Event) {
        guard let s = Self.setting(of: event) else { return }
        history.removeAll { $0.from == s.from }
        history.append(s)
        history.sort { $0.from < $1.from }
    }

    /// The zone in force now (the latest setting), UTC when none.
    public var current: SiteTimeZone { history.last?.zone ?? .utc }

    /// The zone in force at a UTC instant.
    public func zone(atUTC ms: Int64) -> SiteTimeZone {
        history.last { $0.from <= ms }?.zone ?? .utc
    }

    /// The UTC instant of a local wall-clock time, in the zone in force then.
    public func utcMs(local: Int64) -> Int64 {
        for s in history.reversed() {
            let u = s.zone.utcMs(local: local)
            if u >= s.from { return u }
        }
        return SiteTimeZone.utc.utcMs(local: local)
    }

    /// Local day number of a UTC instant.
    public func day(utc ms: Int64) -> Int64 { zone(atUTC: ms).day(utc: ms) }

    /// The zones of this store's own site, read from its own log.
    public static func load(store: LogStore) throws -> SiteZones {
        var zones = SiteZones()
        try store.forEachEvent(origin: store.site) { e in
            if e.kind == .siteConfigured { zones.apply(e) }
            return true
        }
        return zones
    }

    /// The `site.configured` event that sets `zone` for `site` from `effective` (nil: from the start).
    public static func event(site: String, zone: SiteTimeZone, effective: Timestamp?, recordedAt: Timestamp) -> Event {
        let from = effective.map { $0.rfc3339 } ?? "start"
        return Event(site: site, id: "site-zone-\(from)-\(zone)", at: recordedAt, kind: .siteConfigured,
                     data: ["timeZone": .string(zone.description), "effective": .string(from)])
    }
}
