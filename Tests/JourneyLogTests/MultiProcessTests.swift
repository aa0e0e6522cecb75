import Foundation
import JourneyIngest
import JourneySimulation
import JourneyLog
import JourneyModel
import XCTest

/// One writer per store; readers beside it see its appends and never cut them.
final class MultiProcessTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "journey-mp-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testASecondWriterIsRefusedWithAClearError() throws {
        let writer = try LogStore.create(directory: dir, site: "north")
        XCTAssertThrowsError(try LogStore.open(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("another process is writing to this store"), "\(error)")
        }
        writer.close()
        XCTAssertNoThrow(try LogStore.open(directory: dir), "the lock goes with the writer")
    }

    func testAReaderSeesTheWritersAppendsAndNeverCutsAnIncompleteTail() throws {
        let writer = try LogStore.create(directory: dir, site: "north")
        let events = SyntheticTraffic(site: "north", seed: 3).events(count: 3000)
        _ = try writer.append(Array(events[..<1000]))
        let reader = try LogStore.openReadOnly(directory: dir)
        XCTAssertEqual(reader.snapshot(origin: "north")?.lastSeq, 1000)
        XCTAssertThrowsError(try reader.append(Array(events[1000..<1001])))
        _ = try writer.append(Array(events[1000..<2000]))
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(reader.snapshot(origin: "north")?.lastSeq, 2000, "the reader picks up new blocks")
        // Half a block at the end, as while another process is writing it: the reader leaves it alone.
        let segment = "\(dir)/logs/north/00000000000000000001.seg"
        let sizeBefore = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: segment))
        h.seekToEndOfFile()
        h.write(Data(Array("JBLK".utf8) + [1, 0, 0, 0] + [UInt8](repeating: 7, count: 100)))
        try h.close()
        let another = try LogStore.openReadOnly(directory: dir)
        XCTAssertEqual(another.snapshot(origin: "north")?.lastSeq, 2000)
        XCTAssertTrue(another.recoveryNotes.isEmpty)
        XCTAssertEqual(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int), sizeBefore + 108,
                       "a read-only open never truncates")
    }
}
