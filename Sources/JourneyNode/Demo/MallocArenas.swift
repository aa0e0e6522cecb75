#if canImport(Glibc)
import Glibc
#endif

/// The number of glibc malloc arenas a process may use.
///
/// glibc gives threads that allocate at once arenas of their own, up to
/// eight per core. Memory freed in one arena serves only that arena's
/// threads, so work spread over many threads (the demo's three rebuilds at
/// once, each with its writer and reader) holds the high-water mark of each.
/// Fewer arenas share their free memory at the cost of some waiting on their
/// locks.
enum MallocArenas {
    /// Caps the arenas at `count` for the rest of the process (arenas already
    /// made stay). Returns false where the C library is not glibc, or it
    /// refused.
    @discardableResult
    static func limit(to count: Int32) -> Bool {
        #if canImport(Glibc)
        guard let mallopt else { return false }
        return mallopt(mArenaMax, count) == 1
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    /// `M_ARENA_MAX` of glibc's `malloc.h` (not part of the Glibc module).
    private static let mArenaMax: Int32 = -8
    /// glibc's `mallopt`, found at run time; nil if the C library has none.
    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = dlsym(nil, "mallopt").map {
        unsafeBitCast($0, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }
    #endif
}
