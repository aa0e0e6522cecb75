/// Minimum-cost maximum flow on a small directed graph with integer
/// capacities and costs (successive shortest paths, Bellman–Ford on the
/// residual graph, so negative residual costs are fine).
///
/// The flow it returns is maximum (no augmenting path is left, so by the
/// max-flow min-cut theorem no flow is larger), integral (every augmentation
/// moves a whole number of units), and of least cost among maximum flows
/// (each augmentation follows a cheapest path, which keeps the residual graph
/// free of negative cycles). Ties are broken by the order edges were added,
/// so the same graph always gives the same flow.
///
/// ```swift
/// var g = MinCostFlow(nodes: 4)
/// let e = g.addEdge(from: 0, to: 1, capacity: 3, cost: 0)
/// ...
/// let (flow, cost) = g.solve(source: 0, sink: 3)
/// g.flow(on: e)
/// ```
public struct MinCostFlow: Sendable {
    struct Edge: Sendable {
        var to: Int
        var capacity: Int
        var cost: Int
        var flow = 0
    }
    private var edges: [Edge] = []
    private var adjacency: [[Int]]

    /// An unbounded capacity (larger than any total this planner handles).
    public static let unbounded = Int(Int32.max)

    /// A network of `nodes` nodes and no edges.
    public init(nodes: Int) {
        adjacency = Array(repeating: [], count: nodes)
    }

    /// Nodes in the network.
    public var nodeCount: Int { adjacency.count }

    /// Adds a node and returns its index.
    public mutating func addNode() -> Int {
        adjacency.append([])
        return adjacency.count - 1
    }

    /// Adds an edge and returns its handle for ``flow(on:)``.
    @discardableResult
    public mutating func addEdge(from: Int, to: Int, capacity: Int, cost: Int) -> Int {
        precondition(capacity >= 0, "capacities are never negative")
        edges.append(Edge(to: to, capacity: capacity, cost: cost))
        adjacency[from].append(edges.count - 1)
        edges.append(Edge(to: from, capacity: 0, cost: -cost))
        adjacency[to].append(edges.count - 1)
        return edges.count - 2
    }

    /// Units flowing on edge `handle` after ``solve(source:sink:)``.
    public func flow(on handle: Int) -> Int { edges[handle].flow }

    /// Pushes the maximum flow from `source` to `sink` at least cost; returns the flow and its cost.
    public mutating func solve(source: Int, sink: Int) -> (flow: Int, cost: Int) {
        var total = 0, cost = 0
        let n = adjacency.count
        while true {
            var distance = [Int](repeating: .max, count: n)
            var via = [Int](repeating: -1, count: n)
            var queued = [Bool](repeating: false, count: n)
            distance[source] = 0
            var queue = [source]
            var head = 0
            // Bellman–Ford with a FIFO queue (SPFA).
            while head < queue.count {
                let u = queue[head]
                head += 1
                queued[u] = false
                for e in adjacency[u] where edges[e].capacity - edges[e].flow > 0 {
                    let v = edges[e].to
                    let d = distance[u] + edges[e].cost
                    if d < distance[v] {
                        distance[v] = d
                        via[v] = e
                        if !queued[v] { queued[v] = true; queue.append(v) }
                    }
                }
            }
            guard distance[sink] != .max else { return (total, cost) }
            var push = Int.max
            var v = sink
            while v != source {
                let e = via[v]
                push = min(push, edges[e].capacity - edges[e].flow)
                v = edges[e ^ 1].to
            }
            v = sink
            while v != source {
                let e = via[v]
                edges[e].flow += push
                edges[e ^ 1].flow -= push
                v = edges[e ^ 1].to
            }
            total += push
            cost += push * distance[sink]
        }
    }
}
