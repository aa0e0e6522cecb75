/// The contacts a projection engine holds in memory between flushes: their
/// states in one array, and a table from key to place in it.
///
/// A flush reads every contact (which changed, which are recent enough to
/// keep) and sorts the changed ones by key. Kept in a dictionary, each read
/// through its getter copied the whole contact (every string and the visits
/// retained, then released: 6 % of a rebuild's samples); in an array they
/// are read and compared where they lie.
struct ContactTable: Sendable {
    /// The contacts, in the order they were added.
    private(set) var states: [ContactState] = []
    /// Where each key's contact is in ``states``.
    private var places: [ProjectionEngine.ContactKey: Int] = [:]

    /// An empty table with room for `capacity` contacts.
    init(minimumCapacity capacity: Int = 0) {
        states.reserveCapacity(capacity)
        places.reserveCapacity(capacity)
    }

    /// Contacts held.
    var count: Int { states.count }
    /// True when no contact is held.
    var isEmpty: Bool { states.isEmpty }

    /// Where `key`'s contact is, or nil.
    func place(of key: ProjectionEngine.ContactKey) -> Int? { places[key] }

    /// Adds `state` under `key`, which must not be held yet.
    mutating func add(_ state: ContactState, for key: ProjectionEngine.ContactKey) {
        assert(places[key] == nil, "a contact added twice")
        places[key] = states.count
        states.append(state)
    }

    /// Changes the contact at `place` where it lies.
    @inline(__always) mutating func update<T>(_ place: Int, _ body: (inout ContactState) throws -> T) rethrows -> T {
        try body(&states[place])
    }
}
