/// The kind of an event: a dotted lower-case name such as `contact.answered`.
///
/// The known kinds of events are listed as constants. Other well-formed names
/// are accepted (importers add kinds such as `asterisk.unmapped`); a kind is
/// never removed once it has shipped.
public struct EventKind: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: EventKind, b: EventKind) -> Bool { a.rawValue < b.rawValue }

    // Contact lifecycle.
    public static let contactStarted = EventKind("contact.started")
    public static let ivrInput = EventKind("ivr.input")
    public static let contactSelfserved = EventKind("contact.selfserved")
    public static let queueEntered = EventKind("queue.entered")
    public static let queueAbandoned = EventKind("queue.abandoned")
    /// A call the queue would not take (full, no agents logged in or
    /// available, closed): `data.reason`. Its contact's outcome is `refused`.
    public static let queueRefused = EventKind("queue.refused")
    public static let agentOffered = EventKind("agent.offered")
    public static let agentMissed = EventKind("agent.missed")
    public static let contactAnswered = EventKind("contact.answered")
    public static let contactHeld = EventKind("contact.held")
    public static let contactResumed = EventKind("contact.resumed")
    public static let contactTransferred = EventKind("contact.transferred")
    public static let contactEnded = EventKind("contact.ended")
    public static let wrapupDone = EventKind("wrapup.done")
    public static let surveyAnswered = EventKind("survey.answered")
    // Workforce.
    public static let agentLogin = EventKind("agent.login")
    public static let agentLogout = EventKind("agent.logout")
    public static let agentReady = EventKind("agent.ready")
    public static let agentNotReady = EventKind("agent.notready")
    public static let agentAssigned = EventKind("agent.assigned")
    // Actions written by the system itself.
    public static let coachingScheduled = EventKind("coaching.scheduled")
    public static let staffingPlanned = EventKind("staffing.planned")
    public static let agentLent = EventKind("agent.lent")
    /// A site's settings, from `data.effective` on: `data.timeZone` (an IANA
    /// name). Recorded in the site's own log, so every centre knows every
    /// site's zone and a change is auditable.
    public static let siteConfigured = EventKind("site.configured")

    /// Every known kind.
    public static let known: [EventKind] = [
        .contactStarted, .ivrInput, .contactSelfserved, .queueEntered, .queueAbandoned, .agentOffered,
        .agentMissed, .contactAnswered, .contactHeld, .contactResumed, .contactTransferred, .contactEnded,
        .wrapupDone, .surveyAnswered, .queueRefused, .agentLogin, .agentLogout, .agentReady, .agentNotReady, .agentAssigned,
        .coachingScheduled, .staffingPlanned, .agentLent, .siteConfigured,
    ]

    /// Kinds about one contact: they need `contact` and `channel`.
    public var isContactLifecycle: Bool {
        switch self {
        case .contactStarted, .ivrInput, .contactSelfserved, .queueEntered, .queueAbandoned, .agentOffered,
             .agentMissed, .contactAnswered, .contactHeld, .contactResumed, .contactTransferred, .contactEnded,
             .wrapupDone, .surveyAnswered, .queueRefused:
            return true
        default:
            return false
        }
    }

    /// Kinds about one agent's working state: they need `agent`.
    /// Actions the system records (coaching, staffing plans, lending).
    public var isAction: Bool { self == .coachingScheduled || self == .staffingPlanned || self == .agentLent }

    public var isWorkforce: Bool {
        switch self {
        case .agentLogin, .agentLogout, .agentReady, .agentNotReady, .agentAssigned: return true
        default: return false
        }
    }

    /// True when the name is 2–64 characters of `[a-z0-9_]` segments joined by dots.
    public var isWellFormed: Bool {
        let u = rawValue.utf8
        guard u.count >= 3, u.count <= 64, u.first != UInt8(ascii: "."), u.last != UInt8(ascii: ".") else { return false }
        var dots = 0
        var previousDot = false
        for c in u {
            if c == UInt8(ascii: ".") {
                if previousDot { return false }
                dots += 1
                previousDot = true
                continue
            }
            previousDot = false
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_")
            if !ok { return false }
        }
        return dots >= 1
    }
}
