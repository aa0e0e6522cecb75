/// The channel a contact happened on.
public enum Channel: String, Sendable, Hashable, CaseIterable, Codable {
    case voice, ivr, chat, app, web, email, sms, social

    /// Self-service channels: a contact here may end without an agent.
    public var isSelfService: Bool { self == .ivr || self == .app || self == .web }
}
