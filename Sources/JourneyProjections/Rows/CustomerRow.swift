import JourneyModel

/// One customer across every channel and site: contacts, repeats and the
/// inputs of the health score (docs/kpi-definitions.md, "Customer health").
public struct CustomerRow: Sendable, Equatable {
    /// The customer key (a pseudonym).
    public var customer: String
    /// Contacts.
    public var contacts: Int64
    /// Contacts that were repeats of an earlier one.
    public var repeats: Int64
    /// Contacts whose wrap-up said unresolved.
    public var unresolved: Int64
    /// Channels used, distinct, in byte order.
    public var channels: [String]
    /// Sites contacted, distinct, in byte order.
    public var sites: [String]
    /// Start of the first contact (UTC ms).
    public var firstAt: Int64?
    /// End (or start) of the last contact (UTC ms).
    public var lastAt: Int64?
    /// Surveys answered.
    public var surveys: Int64
    /// Of those, satisfied (CSAT 4–5).
    public var satisfied: Int64
    /// The health penalty before recency.
    public var penalty: Double

    /// Satisfied over surveys answered.
    public var csat: Double? { Ratio.of(Double(satisfied), Double(surveys)) }

    /// Health = 100 − penalty × recency, where recency is 1 when the last
    /// contact is within 30 days of `horizon`, 0.5 within 90, else 0.25.
    public func health(horizon: Int64) -> Double {
        let age = horizon - (lastAt ?? horizon)
        let recency = age <= 30 * LocalDay.lengthMs ? 1.0 : age <= 90 * LocalDay.lengthMs ? 0.5 : 0.25
        return max(0, 100 - penalty * recency)
    }
}
