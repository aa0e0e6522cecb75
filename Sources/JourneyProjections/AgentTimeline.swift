import JourneyModel

/// An agent's working state over time, from the workforce events and the
/// contact events that name the agent. Time in each state is added to the
/// agent's interval rows, split at interval boundaries.
///
/// States: offline → (login) not-ready → (ready) ready → (offered/answered)
/// busy → (ready) ready …; `agent.notready` → not-ready; `agent.logout` →
/// offline. Logged-in time is every state but offline.
struct AgentTimeline {
    enum State: String { case offline, ready, busy, notready }

    var site: String
    var state: State = .offline
    var since: Int64?

    /// Moves to `next` at `at`, reporting the closed period to `add`.
    mutating func transition(to next: State, at: Int64, add: (State, Int64, Int64) -> Void) {
        // A state with no event for longer than the longest duration counts for that long
        // (an agent who never logged out): the work is bounded by the events, not by the gap.
        if let since, at > since, state != .offline { add(state, since, since + min(at - since, Limits.durationMsMax)) }
        if let since, at < since { return }  // out of order within the agent's own stream: ignore the step back
        state = next
        since = at
    }

    /// The state an event moves the agent to, if any.
    static func nextState(for e: Event, current: State) -> State? {
        switch e.kind {
        case .agentLogin: return current == .offline ? .notready : nil
        case .agentReady: return .ready
        case .agentNotReady: return .notready
        case .agentLogout: return .offline
        case .agentOffered, .contactAnswered: return .busy
        default: return nil
        }
    }
}

/// Per agent and interval, milliseconds in each state (deltas to add to the table).
struct AgentTimeDelta {
    var site: String
    var day: Int64
    var logged: Int64 = 0
    var ready: Int64 = 0
    var busy: Int64 = 0
    var notready: Int64 = 0
    var missed: Int64 = 0

    /// Adds `ms` spent in `state` (offline time is not logged-in time).
    mutating func add(_ ms: Int64, in state: AgentTimeline.State) {
        switch state {
        case .ready: logged += ms; ready += ms
        case .busy: logged += ms; busy += ms
        case .notready: logged += ms; notready += ms
        case .offline: break
        }
    }
}
