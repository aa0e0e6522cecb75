import JourneyLog
import JourneyModel

/// Every site's local calendar, as the projections use it: days, intervals
/// and times of day in the site's time zone (its `site.configured` events,
/// DST-aware), or, for a site without any, the legacy fixed offset of
/// `kpi.json` `siteUTCOffsetMinutes`, else UTC.
///
/// Intervals are cut from the UTC instant back to the last local boundary,
/// so a day the clocks go forward has 46 half-hours and a day they go back
/// has 50: no two intervals share a start and none lasts longer than its
/// length.
public struct SiteCalendar: Sendable, Equatable {
    /// The zones of each site that has recorded any.
    public internal(set) var zones: [String: SiteZones] = [:]
    /// Fixed offsets (minutes) of sites without zones, from `kpi.json`.
    public var legacyOffsetMinutes: [String: Int] = [:]

    /// A calendar from each site's recorded zones and the legacy fixed offsets.
    public init(zones: [String: SiteZones] = [:], legacyOffsetMinutes: [String: Int] = [:]) {
        self.zones = zones
        self.legacyOffsetMinutes = legacyOffsetMinutes
    }

    /// The calendar as a projection keeps it: the legacy offsets, then each
    /// site's zone history rows `(site, from ms, zone)` in order (`site_zone`).
    public static func restored(legacyOffsetMinutes: [String: Int], zones rows: [(site: String, fromMs: Int64, zone: String)]) -> SiteCalendar {
        var calendar = SiteCalendar(legacyOffsetMinutes: legacyOffsetMinutes)
        for row in rows {
            _ = calendar.apply(SiteZones.event(site: row.site, zone: SiteTimeZone(identifier: row.zone) ?? .utc,
                                               effective: row.fromMs == Limits.timeMin.ms ? nil : Timestamp(ms: row.fromMs),
                                               recordedAt: Timestamp(ms: row.fromMs)))
        }
        return calendar
    }

    /// The zone of `site` at a UTC instant.
    public func zone(_ site: String, atUTC ms: Int64) -> SiteTimeZone {
        if let z = zones[site], !z.history.isEmpty { return z.zone(atUTC: ms) }
        return SiteTimeZone(fixedMinutes: legacyOffsetMinutes[site] ?? 0) ?? .utc
    }

    /// Offset of `site`'s local time from UTC at a UTC instant, in ms.
    public func offsetMs(_ site: String, atUTC ms: Int64) -> Int64 { zone(site, atUTC: ms).offsetMs(atUTC: ms) }

    /// Local day number (days since 1970-01-01 in the site's calendar) of a UTC instant.
    public func day(_ ms: Int64, site: String) -> Int64 { LocalDay(localMs: ms + offsetMs(site, atUTC: ms)).number }

    /// UTC start of the local interval of `lengthMs` holding `ms`.
    public func intervalStart(_ ms: Int64, site: String, lengthMs: Int64) -> Int64 {
        let local = ms + offsetMs(site, atUTC: ms)
        return ms - (local - LocalDay.floorDiv(local, lengthMs) * lengthMs)
    }

    /// UTC instant at which local day `day` of `site` begins.
    public func dayStartUTC(_ day: Int64, site: String) -> Int64 {
        if let z = zones[site], !z.history.isEmpty { return z.utcMs(local: LocalDay(day).localStartMs) }
        return LocalDay(day).localStartMs - Int64(legacyOffsetMinutes[site] ?? 0) * LocalDay.minuteMs
    }

    /// Milliseconds since local midnight of a UTC instant at `site`.
    public func timeOfDayMs(_ ms: Int64, site: String) -> Int64 {
        LocalDay.timeOfDayMs(localMs: ms + offsetMs(site, atUTC: ms))
    }

    /// RFC 3339 text of a UTC instant in `site`'s local time with its offset,
    /// e.g. `2026-03-02T09:30:00.000+01:00` (`Z` on UTC).
    public func rfc3339(_ ms: Int64, site: String?) -> String {
        guard let site else { return Timestamp(ms: ms).rfc3339 }
        let offset = offsetMs(site, atUTC: ms)
        guard offset != 0 else { return Timestamp(ms: ms).rfc3339 }
        var text = Timestamp(ms: ms + offset).rfc3339
        text.removeLast()
        let minutes = Int(offset / 60_000)
        let h = abs(minutes) / 60, m = abs(minutes) % 60
        return text + (minutes < 0 ? "-" : "+") + (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }

    /// Takes in a `site.configured` event; true when it changed the site's zones.
    mutating func apply(_ e: Event) -> Bool {
        var z = zones[e.site] ?? SiteZones()
        let before = z
        z.apply(e)
        guard z != before else { return false }
        zones[e.site] = z
        return true
    }
}
