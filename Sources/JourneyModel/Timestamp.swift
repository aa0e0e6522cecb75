/// An instant with millisecond precision, stored as milliseconds since the
/// Unix epoch (UTC). The canonical text is RFC 3339 in UTC with exactly three
/// fraction digits: `2026-03-02T08:15:00.250Z`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var ms: Int64

    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z.
    public init(ms: Int64) { self.ms = ms }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.ms < b.ms }

    public var description: String { rfc3339 }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offset, 0–9 fraction digits, `T` or space
    /// between date and time). Fractions beyond milliseconds are truncated.
    public init?(rfc3339 text: String) {
        var text = text
        guard let ms = text.withUTF8({ Timestamp.parse($0) }) else { return nil }
        self.ms = ms
    }

    /// Parses from raw UTF-8 bytes; see ``init(rfc3339:)``.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard b.count >= 20,
              let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var fractionMs = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if n < 3 { fractionMs = fractionMs * 10 + Int(b[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n >= 1, n <= 9 else { return nil }
            var scale = n
            while scale < 3 { fractionMs *= 10; scale += 1 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(fractionMs)
    }

    /// The canonical RFC 3339 UTC text with milliseconds.
    public var rfc3339: String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical text to `out`. Total: any `ms` gives text, and
    /// within ``Limits/timeMin`` … ``Limits/timeMax`` the text parses back to `ms`.
    public func write(into out: inout [UInt8]) {
        let (daysPart, msOfDay) = ms.quotientAndRemainder(dividingBy: LocalDay.lengthMs)
        var days = daysPart
        var msDay = msOfDay
        if msDay < 0 { msDay += LocalDay.lengthMs; days -= 1 }
        let (y, m, d) = Timestamp.civilFromDays(Int(days))
        func put(_ v: Int, _ width: Int) {
            var div = 1
            for _ in 1..<width { div *= 10 }
            var v = v
            while div > 0 { out.append(UInt8(v / div) + 0x30); v %= div; div /= 10 }
        }
        if (1...9999).contains(y) {
            put(y, 4)
        } else {
            // Outside RFC 3339's years (only events stored before validation existed): the
            // plain decimal year, which no parser accepts back, instead of a wrong date.
            out.append(contentsOf: String(y).utf8)
        }
        out.append(UInt8(ascii: "-")); put(m, 2); out.append(UInt8(ascii: "-")); put(d, 2)
        out.append(UInt8(ascii: "T"))
        let secOfDay = Int(msDay / 1000)
        put(secOfDay / 3600, 2); out.append(UInt8(ascii: ":"))
        put(secOfDay / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        put(secOfDay % 60, 2); out.append(UInt8(ascii: "."))
        put(Int(msDay % 1000), 3); out.append(UInt8(ascii: "Z"))
    }

    /// Days in `month` (1–12) of `year` in the proleptic Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` of a day number since 1970-01-01.
    public static func dateString(day: Int64) -> String {
        let c = civilFromDays(Int(day))
        func p(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        // Four-digit years as RFC 3339 writes them (0819, not 819); outside 1–9999 the plain number.
        return ((1...9999).contains(c.year) ? p(c.year, 4) : String(c.year)) + "-\(p(c.month, 2))-\(p(c.day, 2))"
    }

    /// The date of a day number since 1970-01-01.
    public static func civilFromDays(_ z: Int) -> (year: Int, month: Int, day: Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
