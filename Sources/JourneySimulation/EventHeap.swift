/// The simulator's agenda: a binary min-heap of scheduled actions ordered by
/// time, then by the order they were scheduled, so equal times always
/// resolve the same way (determinism).
struct EventHeap<Payload> {
    private var items: [(at: Int64, order: UInt64, payload: Payload)] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    mutating func push(_ at: Int64, _ payload: Payload) {
        counter += 1
        items.append((at, counter, payload))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Time of the earliest action, if any.
    var nextTime: Int64? { items.first?.at }

    mutating func pop() -> (at: Int64, payload: Payload)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && less(l, m) { m = l }
            if r < items.count && less(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return (top.at, top.payload)
    }

    @inline(__always) private func less(_ a: Int, _ b: Int) -> Bool {
        items[a].at != items[b].at ? items[a].at < items[b].at : items[a].order < items[b].order
    }
}
