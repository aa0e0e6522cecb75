/// The kind of an event: a dotted lower-case name such as `contact.answered`.
///
/// The known kinds of events are listed as constants. Other well-formed names
/// are accepted (importers add kinds such as `asterisk.unmapped`); a kind is
/// never removed once it has shipped.
public struct EventKind: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The kind's name, e.g. `queue.entered`.
    public var rawValue: String
    /// The kind named `rawValue` (unknown kinds are kept, not refused).
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }
    /// The kind named `rawValue`.
    @inlinable public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: EventKind, b: EventKind) -> Bool { a.rawValue < b.rawValue }

    // Contact lifecycle.
    /// A contact began on its channel (a call arrived, a chat opened).
    public static let contactStarted = EventKind("contact.started")
    /// The caller answered an IVR prompt.
    public static let ivrInput = EventKind("ivr.input")
    /// The contact ended in self-service, without an agent.
    public static let contactSelfserved = EventKind("contact.selfserved")
    /// The contact started waiting in a queue.
    public static let queueEntered = EventKind("queue.entered")
    /// The customer left the queue before an agent answered.
    public static let queueAbandoned = EventKind("queue.abandoned")
    /// A call the queue would not take (full, no agents logged in or
    /// available, closed): `data.reason`. Its contact's outcome is `refused`.
    public static let queueRefused = EventKind("queue.refused")
    /// The contact was offered to an agent.
    public static let agentOffered = EventKind("agent.offered")
    /// An offered agent did not accept in time.
    public static let agentMissed = EventKind("agent.missed")
    /// An agent answered: the wait ends, talk begins.
    public static let contactAnswered = EventKind("contact.answered")
    /// The agent put the customer on hold.
    public static let contactHeld = EventKind("contact.held")
    /// The customer was taken off hold.
    public static let contactResumed = EventKind("contact.resumed")
    /// The contact was transferred to another queue or agent.
    public static let contactTransferred = EventKind("contact.transferred")
    /// The contact ended, with its outcome.
    public static let contactEnded = EventKind("contact.ended")
    /// The agent finished after-call work.
    public static let wrapupDone = EventKind("wrapup.done")
    /// The customer answered a satisfaction survey.
    public static let surveyAnswered = EventKind("survey.answered")
    // Workforce.
    /// An agent logged in.
    public static let agentLogin = EventKind("agent.login")
    /// An agent logged out.
    public static let agentLogout = EventKind("agent.logout")
    /// An agent became ready to take contacts.
    public static let agentReady = EventKind("agent.ready")
    /// An agent became not ready (break, training, …).
    public static let agentNotReady = EventKind("agent.notready")
    /// An agent's team, skills or hire date were recorded.
    public static let agentAssigned = EventKind("agent.assigned")
    // Actions written by the system itself.
    /// A coaching session was scheduled for an agent (recorded by `journey coach --schedule`).
    public static let coachingScheduled = EventKind("coaching.scheduled")
    /// A staffing plan was recorded (by `journey staffing plan --commit`).
    public static let staffingPlanned = EventKind("staffing.planned")
    /// A plan lends agents of one site to another for an interval.
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

    /// Kinds about an agent's state and assignment: they need `agent`.
    public var isWorkforce: Bool {
        switch self {
        case .agentLogin, .agentLogout, .agentReady, .agentNotReady, .agentAssigned: return true
        default: return false
        }
    }

    /// True when the name is 2–64 characters of `[a-z0-9_]` segments joined by dots.
    public var isWellFormed: Bool {
        // From the string's own buffer (every append checks every event's kind).
        if let ok = rawValue.utf8.withContiguousStorageIfAvailable({ Self.isWellFormed($0) }) { return ok }
        return Self.isWellFormed(Array(rawValue.utf8))
    }

    private static func isWellFormed<C: BidirectionalCollection>(_ u: C) -> Bool where C.Element == UInt8 {
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
