import Dispatch

/// Runs two pieces of work at once, on two threads, and returns both
/// results: the way an import uses the machine's second core (decode one
/// chunk while the store commits the previous; decode two halves of a chunk).
public enum BothAtOnce {
    /// Runs `a` and `b` at once and returns both results (or the first error, `a`'s before `b`'s).
    public static func run<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
        let (ra, rb) = try results(a, b)
        return (try ra.get(), try rb.get())
    }

    /// Runs `a` and `b` at once and returns each one's result or error, for a
    /// caller whose use of `b` depends on what `a` gave.
    public static func results<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (Result<A, Error>, Result<B, Error>) {
        try withoutActuallyEscaping(a) { a in
            try withoutActuallyEscaping(b) { b in
                let slots = Slots(a: a, b: b)
                DispatchQueue.concurrentPerform(iterations: 2) { slots.fill($0) }
                guard let ra = slots.resultA, let rb = slots.resultB else { throw BothAtOnceIncomplete() }
                return (ra, rb)
            }
        }
    }

    struct BothAtOnceIncomplete: Error {}

    /// The two closures and their results. Unchecked: each thread touches only
    /// its own result, and `concurrentPerform` returns only after both ran, so
    /// the caller reads them after both writes.
    private final class Slots<A, B>: @unchecked Sendable {
        let a: () throws -> A
        let b: () throws -> B
        var resultA: Result<A, Error>?
        var resultB: Result<B, Error>?
        init(a: @escaping () throws -> A, b: @escaping () throws -> B) {
            self.a = a
            self.b = b
        }
        func fill(_ i: Int) {
            if i == 0 { resultA = Result { try a() } } else { resultB = Result { try b() } }
        }
    }
}
