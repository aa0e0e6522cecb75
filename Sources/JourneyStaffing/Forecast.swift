import Foundation
import JourneyModel

/// Calls expected per site, queue and interval of the planned day, given
/// instead of the history-based forecast (`--forecast FILE`).
///
/// The file is CSV with a header `site,queue,start,calls`: `start` is the
/// interval's local start `HH:MM`, `calls` a non-negative number. Intervals
/// not listed expect no calls.
///
/// ```
/// site,queue,start,calls
/// north,billing,09:00,120
/// north,billing,09:30,131.5
/// ```
public struct Forecast: Sendable, Equatable {
    /// Calls forecast for one site, queue and interval of the day.
    public struct Row: Sendable, Equatable {
        /// The site.
        public var site: String
        /// The queue.
        public var queue: String
        /// Minutes after local midnight.
        public var startMinute: Int
        /// Calls expected in the interval.
        public var calls: Double
    }
    /// The forecast's rows.
    public var rows: [Row]

    /// A forecast of `rows`.
    public init(rows: [Row]) { self.rows = rows }

    /// Parses the CSV text; errors name the line.
    public static func parse(csv text: String) throws -> Forecast {
        var rows: [Row] = []
        var seen = Set<String>()
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }),
              header == ["site", "queue", "start", "calls"] else {
            throw StaffingError(.invalidForecast, "forecast line 1: the header must be exactly site,queue,start,calls")
        }
        for (i, raw) in lines.enumerated().dropFirst() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 4 else { throw StaffingError(.invalidForecast, "forecast line \(i + 1): expected 4 fields (site,queue,start,calls), found \(f.count)") }
            guard SiteID.isValid(f[0]) else { throw StaffingError(.invalidForecast, "forecast line \(i + 1): '\(f[0])' is not a site id") }
            guard !f[1].isEmpty else { throw StaffingError(.invalidForecast, "forecast line \(i + 1): the queue is empty") }
            guard let minute = Self.minute(f[2]) else { throw StaffingError(.invalidForecast, "forecast line \(i + 1): start '\(f[2])' is not a time HH:MM") }
            guard let calls = Double(f[3]), Self.callsRange.contains(calls) else {
                throw StaffingError(.invalidForecast, "forecast line \(i + 1): calls '\(ModelError.excerpt(f[3]))' must be a number from 0 to \(Int(Self.callsRange.upperBound))")
            }
            guard seen.insert("\(f[0]),\(f[1]),\(minute)").inserted else {
                throw StaffingError(.invalidForecast, "forecast line \(i + 1): \(f[0]) \(f[1]) \(f[2]) is listed twice")
            }
            rows.append(Row(site: f[0], queue: f[1], startMinute: minute, calls: calls))
        }
        guard !rows.isEmpty else { throw StaffingError(.invalidForecast, "the forecast lists no intervals") }
        return Forecast(rows: rows)
    }

    static func minute(_ text: String) -> Int? {
        let p = text.split(separator: ":")
        guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    /// `[[site, queue, "HH:MM", calls], ...]`, as recorded in a plan.
    public var json: JSONValue {
        .array(rows.map { .array([.string($0.site), .string($0.queue), .string(clock($0.startMinute)), decimal($0.calls, 4)]) })
    }

    /// Calls one interval of one queue may be forecast: the staffing
    /// calculations take time and memory in proportion to the agents needed,
    /// so an absurd figure is refused instead of worked on for hours.
    public static let callsRange: ClosedRange<Double> = 0...100_000

    /// Reads a forecast recorded by ``json``.
    public static func parse(recorded v: JSONValue) throws -> Forecast {
        guard case .array(let items) = v else { throw StaffingError(.malformedRecord, "the recorded forecast is not a list") }
        return Forecast(rows: try items.map { item in
            guard case .array(let f) = item, f.count == 4, let site = f[0].stringValue, let queue = f[1].stringValue,
                  let start = f[2].stringValue.flatMap(minute), let calls = f[3].doubleValue, callsRange.contains(calls) else {
                throw StaffingError(.malformedRecord, "a recorded forecast row is not [site, queue, \"HH:MM\", calls]")
            }
            return Row(site: site, queue: queue, startMinute: start, calls: calls)
        })
    }
}

/// `HH:MM` of minutes after midnight.
func clock(_ minute: Int) -> String {
    let h = minute / 60, m = minute % 60
    return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
}
