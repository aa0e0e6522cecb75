import XCTest
@testable import JourneyNode

/// The demo's cap on malloc's arenas reaches the C library.
final class MallocArenasTests: XCTestCase {
    /// `mallopt` is looked up by name at run time (its header is not part of
    /// the Glibc module): on glibc it must be found and take the cap, or the
    /// demo's three rebuilds at once would run uncapped without a word.
    func testTheDemosArenaCapReachesGlibc() throws {
        #if canImport(Glibc)
        XCTAssertTrue(DemoCentres.capMallocArenas(), "glibc's mallopt found and M_ARENA_MAX accepted")
        XCTAssertTrue(MallocArenas.limit(to: DemoCentres.mallocArenas))
        #else
        throw XCTSkip("malloc arenas are glibc's")
        #endif
    }
}
