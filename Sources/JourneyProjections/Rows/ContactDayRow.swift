/// The contacts that started at a site on a local day, and how many of them
/// are repeats: another contact of the customer ended within the repeat
/// window before each started (docs/kpi-definitions.md, "Repeat").
public struct ContactDayRow: Sendable, Equatable {
    /// The site.
    public var site: String
    /// The site's local day the contacts started (days since 1970-01-01).
    public var day: Int64
    /// Contacts that started that day.
    public var contacts: Int64
    /// Of those, the repeats.
    public var repeats: Int64
}

