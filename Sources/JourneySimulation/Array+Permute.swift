extension Array {
    /// Reorders the elements in place so that the element at `source[j]`
    /// moves to position `j`, by swaps along each cycle of the permutation:
    /// elements are moved, never copied (a copy of a struct of strings
    /// retains each string, and freeing the original releases them).
    ///
    /// - Precondition: `source` is a permutation of `indices` (each index
    ///   exactly once); the callers build it from their own indices.
    mutating func permute(by source: [Int]) {
        precondition(source.count == count, "a permutation names every element once")
        var placed = [Bool](repeating: false, count: count)
        // Swapped through the buffer: its `swapAt` moves the two elements' bytes, where the
        // array's (a collection's default) copies one out and assigns both, retaining and
        // releasing every string of an event (5.5 % of a simulation's samples, measured with perf).
        withUnsafeMutableBufferPointer { elements in
            for start in elements.indices where !placed[start] {
                // Follow the cycle through `start`: position j takes the element at source[j].
                var j = start
                while true {
                    placed[j] = true
                    let k = source[j]
                    if k == start { break }
                    precondition(!placed[k], "a permutation names every element once")
                    elements.swapAt(j, k)
                    j = k
                }
            }
        }
    }
}
