/// Rules for site ids: `[a-z0-9-]{1,32}`. A site id names a centre
/// and its log directory, so the rule also keeps it safe as a path component.
public enum SiteID {
    /// Longest site id accepted.
    public static let lengthMax = 32

    /// True when `site` is 1–32 characters of lower-case letters, digits and `-`.
    public static func isValid(_ site: String) -> Bool {
        let u = site.utf8
        guard !u.isEmpty, u.count <= lengthMax else { return false }
        return u.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }
}
