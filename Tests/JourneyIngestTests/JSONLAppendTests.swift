import Foundation
import JourneyIngest
import JourneyLog
import JourneyModel
import XCTest

/// The streaming JSONL append: an input read a chunk at a time, in two
/// passes, stores and rejects exactly what it would in one piece, wherever
/// the chunk boundaries fall; a line giving an id to different content is
/// found however far apart the two lines are; standard input is read twice
/// through a spool that does not outlive the run.
final class JSONLAppendTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "journey-jsonl-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// A generated input and what it must give: the lines that must be
    /// rejected and the events that must be stored, in order.
    struct Case {
        var text = ""
        var badLines = Set<Int>()
        var stored: [String] = []  // canonical lines, seq 0, of the events to store
    }

    static func makeCase(seed: UInt64) -> Case {
        var rng = SplitMix64(seed: seed)
        var c = Case()
        var lines: [String] = []
        struct Good { var line: Int; var id: String; var json: String; var used = false }
        var goods: [Good] = []
        var pendingStored: [(line: Int, canonical: String)] = []
        let n = 20 + Int(rng.next() % 60)
        for i in 0..<n {
            let line = i + 1
            let minute = String(format: "%02d", i % 60)
            let roll = rng.next() % 100
            switch roll {
            case 0..<45:
                let id = "ev-\(seed)-\(i)"
                let json = #"{"id":"\#(id)","at":"2026-03-02T08:\#(minute):00.000Z","kind":"contact.started","contact":"c\#(i)","channel":"voice","data":{"n":\#(i)}}"#
                lines.append(json)
                goods.append(Good(line: line, id: id, json: json))
                pendingStored.append((line, json))
            case 45..<55:
                // No id: one is derived from the content.
                let json = #"{"at":"2026-03-02T09:\#(minute):00.000Z","kind":"note.added","data":{"text":"line \#(line)"}}"#
                lines.append(json)
                pendingStored.append((line, json))
            case 55..<63:
                // The same fact again: a duplicate, stored once.
                if let k = goods.indices.filter({ !goods[$0].used }).randomElement(using: &rng) {
                    goods[k].used = true
                    lines.append(goods[k].json)
                } else {
                    lines.append("")
                }
            case 63..<71:
                // The same id for other content: both lines are bad.
                if let k = goods.indices.filter({ !goods[$0].used }).randomElement(using: &rng) {
                    goods[k].used = true
                    lines.append(#"{"id":"\#(goods[k].id)","at":"2026-03-02T10:00:00.000Z","kind":"contact.started","contact":"other","channel":"chat"}"#)
                    c.badLines.insert(line)
                    c.badLines.insert(goods[k].line)
                } else {
                    lines.append("  ")
                }
            case 71..<78:
                lines.append(#"{"id":"broken-\#(i)","at":"#)
                c.badLines.insert(line)
            case 78..<84:
                lines.append(#"{"id":"time-\#(i)","at":"2026-13-45T99:00:00Z","kind":"contact.started"}"#)
                c.badLines.insert(line)
            case 84..<88:
                lines.append(#"{"site":"elsewhere","id":"site-\#(i)","at":"2026-03-02T08:00:00Z","kind":"contact.started"}"#)
                c.badLines.insert(line)
            default:
                lines.append(rng.next() % 2 == 0 ? "" : "\t")
            }
        }
        let crlf = rng.next() % 4 == 0
        c.text = lines.joined(separator: crlf ? "\r\n" : "\n") + (rng.next() % 3 == 0 ? "" : "\n")
        var options = EventCodec.DecodeOptions(defaultSite: "north", allowMissingID: true)
        options.requiredSite = "north"
        for (line, json) in pendingStored where !c.badLines.contains(line) {
            guard var e = try? EventCodec.decode(json, options: options) else { continue }
            if e.id.isEmpty { e.id = DerivedID.make(for: e) }
            c.stored.append(EventCodec.encode(e))
        }
        return c
    }

    struct Run: Equatable {
        var status: String
        var stored: [String]
        var rejectedLines: [Int]
        var errorLines: [Int]
        var rejects: String
    }

    /// `text` written to ROOT/NAME.jsonl, and a new store at ROOT/NAME to
    /// append it to. Durability is not what these tests check: no fsync per
    /// call keeps the many small chunks quick.
    func inputAndStore(_ name: String, _ text: String, idsInMemory: Int? = nil) throws -> (input: String, store: LogStore) {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let input = root + "/\(name).jsonl"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        var options = LogOptions()
        options.durability = .none
        if let idsInMemory { options.idsInMemoryMax = idsInMemory }
        return (input, try LogStore.create(directory: root + "/\(name)", site: "north", options: options))
    }

    func run(_ c: Case, chunkBytes: Int, setAside: Bool, viaDescriptor: Bool = false, idsInMemory: Int? = nil) throws -> Run {
        let name = UUID().uuidString, dir = root + "/" + name
        let (input, store) = try inputAndStore(name, c.text, idsInMemory: idsInMemory)
        var appender = JSONLAppend(store: store)
        appender.chunkBytes = chunkBytes
        var rejects: [UInt8] = []
        if setAside { appender.setAside = { rejects += $0 } }
        let outcome: JSONLAppend.Outcome
        if viaDescriptor {
            let fd = open(input, O_RDONLY)
            defer { close(fd) }
            outcome = try appender.run(.descriptor(fd, spoolDirectory: dir))
        } else {
            outcome = try appender.run(.file(input))
        }
        var stored: [String] = []
        try store.forEachEvent(origin: "north") { e in
            var plain = e
            plain.seq = 0
            stored.append(EventCodec.encode(plain))
            return true
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".journey-scratch") }
        XCTAssertEqual(leftovers, [], "the spool of standard input outlived the run")
        return Run(status: "appended \(outcome.result.appended) duplicates \(outcome.result.duplicates) errors \(outcome.errorCount)",
                   stored: stored, rejectedLines: outcome.rejected.compactMap(\.line), errorLines: outcome.errors.compactMap(\.line),
                   rejects: String(decoding: rejects, as: UTF8.self))
    }

    /// The property: for every generated input, any chunk size (down to one
    /// byte, so every boundary falls somewhere) gives what the generator
    /// says, and the same as the input in one piece.
    func testEveryChunkSizeStoresAndRejectsExactlyTheExpectedLines() throws {
        var rng = SplitMix64(seed: 7)
        for seed in UInt64(1)...40 {
            let c = Self.makeCase(seed: seed)
            for setAside in [false, true] {
                let whole = try run(c, chunkBytes: 1 << 30, setAside: setAside)
                if setAside {
                    XCTAssertEqual(whole.stored, c.stored, "seed \(seed)")
                    XCTAssertEqual(Set(whole.rejectedLines), c.badLines, "seed \(seed)")
                    XCTAssertEqual(whole.rejectedLines, whole.rejectedLines.sorted(), "seed \(seed)")
                    let reasons = whole.rejects.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
                    let reasonLines = reasons.compactMap { v -> Int? in
                        guard case .object(let o) = v, let l = o["line"]?.intValue else { return nil }
                        return Int(l)
                    }
                    XCTAssertEqual(reasonLines, whole.rejectedLines, "seed \(seed)")
                } else if c.badLines.isEmpty {
                    XCTAssertEqual(whole.stored, c.stored, "seed \(seed)")
                } else {
                    XCTAssertEqual(whole.stored, [], "seed \(seed): a bad line must stop the whole input")
                    XCTAssertEqual(Set(whole.errorLines), c.badLines, "seed \(seed)")
                }
                // One-byte chunks (every line its own chunk, read a byte at a time) for a few seeds: slow in debug builds.
                for chunk in [seed <= 10 ? 1 : 2 + Int(rng.next() % 40), 50 + Int(rng.next() % 400)] {
                    let chunked = try run(c, chunkBytes: chunk, setAside: setAside, viaDescriptor: chunk % 2 == 0)
                    XCTAssertEqual(chunked, whole, "seed \(seed), chunks of \(chunk) bytes, rejects \(setAside)")
                }
            }
        }
    }

    /// The reproduction of what a chunked reader could miss: the first and
    /// the last line of a long input give one id to different content.
    func testAConflictFarApartIsNamedAndNothingIsStored() throws {
        var lines = [#"{"id":"same","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"a","channel":"voice"}"#]
        for i in 0..<2000 { lines.append(#"{"id":"x\#(i)","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"c\#(i)","channel":"voice"}"#) }
        lines.append(#"{"id":"same","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"b","channel":"voice"}"#)
        let c = Case(text: lines.joined(separator: "\n"), badLines: [1, 2002], stored: [])
        let r = try run(c, chunkBytes: 4096, setAside: false)
        XCTAssertEqual(r.stored, [])
        XCTAssertEqual(r.errorLines, [1, 2002])
        XCTAssertTrue(r.status.hasSuffix("errors 2"), r.status)
        let kept = try run(c, chunkBytes: 4096, setAside: true)
        XCTAssertEqual(kept.stored.count, 2000)
        XCTAssertEqual(kept.rejectedLines, [1, 2002])
        XCTAssertTrue(kept.rejects.contains("lines 1 and 2002 give the id 'same' to different content"), kept.rejects)
    }

    /// The reproduction: an id given two contents had its two first lines
    /// refused, but a later line repeating the first content was stored, so
    /// a fact whose id is disputed reached the store (with `--rejects`). Every
    /// line giving the id is refused, each named with a line it contradicts.
    func testEveryLineOfADisputedIDIsRefusedRepeatsIncluded() throws {
        func line(_ id: String, _ contact: String) -> String {
            #"{"id":"\#(id)","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"\#(contact)","channel":"voice"}"#
        }
        let text = [line("x", "a"), line("y", "a"), line("x", "a"), line("x", "b"), line("x", "b"), line("x", "a")].joined(separator: "\n")
        let c = Case(text: text, badLines: [1, 3, 4, 5, 6], stored: [])
        let strict = try run(c, chunkBytes: 1 << 20, setAside: false)
        XCTAssertEqual(strict.errorLines, [1, 3, 4, 5, 6])
        XCTAssertEqual(strict.stored, [])
        let kept = try run(c, chunkBytes: 1 << 20, setAside: true)
        XCTAssertEqual(kept.rejectedLines, [1, 3, 4, 5, 6])
        XCTAssertEqual(kept.stored.count, 1)
        XCTAssertTrue(kept.stored.first?.contains(#""id":"y""#) ?? false, kept.stored.description)
        for pair in ["lines 1 and 4", "lines 3 and 4", "lines 1 and 5", "lines 4 and 6"] {
            XCTAssertTrue(kept.rejects.contains(pair + " give the id 'x' to different content"), pair + ": " + kept.rejects)
        }
    }

    /// With both id tables bounded to 1,024 entries in memory (the input's
    /// in the check pass, the store's in the store pass), an input of
    /// thousands of lines spills both to disk: it stores and rejects exactly
    /// what the unbounded tables do and what the generator says, conflicts
    /// and duplicates being anywhere in the input.
    func testIDsSpilledToDiskFindEveryConflictAndDuplicate() throws {
        var rng = SplitMix64(seed: 23)
        for round in 0..<3 {
            var lines: [String] = [], bad = Set<Int>(), expected: [String] = []
            var firstLine: [Int: Int] = [:], conflicted = Set<Int>()
            func event(_ i: Int, contact: String) -> String {
                #"{"id":"e\#(i)","at":"2026-03-02T08:00:00.000Z","kind":"contact.started","contact":"\#(contact)","channel":"voice"}"#
            }
            for _ in 0..<6_000 {
                let line = lines.count + 1
                let earlier = firstLine.isEmpty ? nil : Int(rng.next() % UInt64(firstLine.count))
                switch rng.next() % 100 {
                case 0..<4 where earlier != nil:  // the same line again: a duplicate
                    lines.append(event(earlier ?? 0, contact: "c\(earlier ?? 0)"))
                case 4..<6 where earlier != nil && !conflicted.contains(earlier ?? 0):  // another content: both lines bad
                    let k = earlier ?? 0
                    conflicted.insert(k)
                    lines.append(event(k, contact: "other"))
                    bad.insert(line)
                    if let first = firstLine[k] { bad.insert(first) }
                default:
                    let i = firstLine.count
                    firstLine[i] = line
                    lines.append(event(i, contact: "c\(i)"))
                }
            }
            // A duplicate of a conflicted line is bad too (it gives the id to content another line contradicts).
            for (i, text) in lines.enumerated() {
                if let k = Int(text.split(separator: "\"")[3].dropFirst()), conflicted.contains(k) { bad.insert(i + 1) }
            }
            for i in 0..<firstLine.count where !conflicted.contains(i) { expected.append("e\(i)") }
            let c = Case(text: lines.joined(separator: "\n"), badLines: bad, stored: [])
            for setAside in [false, true] {
                let spilled = try run(c, chunkBytes: 64 << 10, setAside: setAside, idsInMemory: 1024)
                let held = try run(c, chunkBytes: 64 << 10, setAside: setAside)
                XCTAssertEqual(spilled, held, "round \(round), rejects \(setAside)")
                XCTAssertEqual(Set(setAside ? spilled.rejectedLines : spilled.errorLines), bad, "round \(round)")
                let ids = spilled.stored.map { line in line.components(separatedBy: #""id":""#).dropFirst().first?.prefix { $0 != "\"" } ?? "" }
                XCTAssertEqual(ids.map(String.init), setAside ? expected : [], "round \(round), rejects \(setAside)")
            }
            XCTAssertGreaterThan(firstLine.count - conflicted.count, 4 * 1024, "round \(round): more ids than the bound")
        }
    }

    /// The check pass validates an event again only when it derived its id.
    /// A line without an id that fits the size limit can be taken over it by
    /// the derived id: it must be refused (named by its line), not stored.
    func testALineTakenOverTheSizeLimitByItsDerivedIDIsRefused() throws {
        // The largest text whose event, without an id, still fits the limit.
        func event(_ length: Int, id: String = "") -> Event {
            var e = Event(site: "north", id: id, at: Timestamp(ms: 1_772_442_000_000), kind: EventKind("note.added"))
            e.data["text"] = .string(String(repeating: "x", count: length))
            return e
        }
        var length = Event.encodedBytesMax - 200
        while EventCodec.encode(event(length + 1)).utf8.count <= Event.encodedBytesMax { length += 1 }
        let big = event(length)
        let derived = DerivedID.make(for: big)
        XCTAssertNoThrow(try big.validate(requireID: false), "without an id the event fits")
        XCTAssertThrowsError(try event(length, id: derived).validate(), "with its derived id it does not")
        // The line as a source writes it: no id field at all.
        let line = EventCodec.encode(big).replacingOccurrences(of: #""id":"","#, with: "")
        XCTAssertFalse(line.contains(#""id""#))
        let good = #"{"id":"small","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"c1","channel":"voice"}"#
        let c = Case(text: line + "\n" + good + "\n", badLines: [1], stored: [])
        let refused = try run(c, chunkBytes: 1 << 20, setAside: false)
        XCTAssertEqual(refused.stored, [])
        XCTAssertEqual(refused.errorLines, [1])
        let kept = try run(c, chunkBytes: 1 << 20, setAside: true)
        XCTAssertEqual(kept.stored.count, 1)
        XCTAssertEqual(kept.rejectedLines, [1])
        XCTAssertTrue(kept.rejects.contains("the limit is \(Event.encodedBytesMax) bytes"), String(kept.rejects.prefix(200)))
    }

    /// Ids and content are compared by their bytes, as the log stores them:
    /// two ids that are one text written two ways (precomposed and decomposed
    /// accents, one string to Swift's `==`) are two facts, both stored; one id
    /// given to two lines that differ only in how a key is written is a
    /// conflict, not a duplicate.
    func testIdsAndContentAreComparedByTheirBytes() throws {
        let twoIDs = [#"{"id":"caf\#u{E9}","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"a","channel":"voice"}"#,
                      #"{"id":"cafe\#u{301}","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"b","channel":"voice"}"#]
        let both = try run(Case(text: twoIDs.joined(separator: "\n"), badLines: [], stored: []), chunkBytes: 4096, setAside: false)
        XCTAssertEqual(both.errorLines, [])
        XCTAssertEqual(both.stored.count, 2, "two ids, two facts")
        let oneID = [#"{"id":"same","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"a","channel":"voice","agent":"jos\#u{E9}"}"#,
                     #"{"id":"same","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"a","channel":"voice","agent":"jose\#u{301}"}"#]
        let conflict = try run(Case(text: oneID.joined(separator: "\n"), badLines: [1, 2], stored: []), chunkBytes: 4096, setAside: false)
        XCTAssertEqual(conflict.stored, [])
        XCTAssertEqual(conflict.errorLines, [1, 2], "one id, two different agents: neither line is stored")
    }

    /// A second run of the same input stores nothing new, however it is chunked.
    func testAppendingAgainStoresNothing() throws {
        let c = Self.makeCase(seed: 99)
        let dir = root + "/again"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let store = try LogStore.create(directory: dir, site: "north")
        let input = root + "/again.jsonl"
        try c.text.write(toFile: input, atomically: true, encoding: .utf8)
        var appender = JSONLAppend(store: store)
        appender.setAside = { _ in }
        appender.chunkBytes = 64
        let first = try appender.run(.file(input))
        appender.chunkBytes = 1000
        let second = try appender.run(.file(input))
        XCTAssertEqual(first.result.appended, c.stored.count)
        XCTAssertEqual(second.result.appended, 0)
        XCTAssertEqual(second.result.duplicates, first.result.appended + first.result.duplicates)
    }

    /// The store pass appends the events the check pass checked, kept in a
    /// scratch file, not the input read again: a file rewritten once it has
    /// been checked stores what was checked (the input was read twice before,
    /// and this stopped half stored). The rejects file is still copied from
    /// the input, so a change found there stops the append before anything
    /// is stored.
    func testAFileRewrittenAfterItsCheckStoresWhatWasChecked() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // Lines of exactly 127 bytes, 16,384 of them: a file of exactly 2 MiB, so the check's
        // progress says 100% only once every byte has been read.
        func line(_ i: Int, contact: String) -> String {
            let head = #"{"id":"e\#(i)","at":"2026-03-02T08:00:00Z","kind":"contact.started","channel":"voice","contact":""#
            return head + contact + String(repeating: "0", count: 127 - 2 - head.utf8.count - contact.utf8.count) + #""}"#
        }
        let count = 16_384
        for setAside in [false, true] {
            let input = root + "/rewritten-\(setAside).jsonl"
            let bad = setAside ? ["{" + String(repeating: " ", count: 126)] : []
            let original = (bad.count..<count).map { line($0, contact: "c\($0)-") }
            let rewritten = (bad.count..<count).map { line($0, contact: "changed\($0)-") }
            try ((bad + original).joined(separator: "\n") + "\n").write(toFile: input, atomically: false, encoding: .utf8)
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int, 2 << 20)
            let store = try LogStore.create(directory: root + "/rewritten-store-\(setAside)", site: "north")
            var appender = JSONLAppend(store: store)
            appender.chunkBytes = 256 << 10
            if setAside { appender.setAside = { _ in } }
            var rewrote = false
            appender.progress = { text in
                // The check pass's last line: every byte has been read and checked.
                guard text.hasPrefix("checked"), text.contains("(100%)"), !rewrote else { return }
                rewrote = true
                try? ((bad + rewritten).joined(separator: "\n") + "\n").write(toFile: input, atomically: false, encoding: .utf8)
            }
            var stored: [String] = []
            if setAside {
                XCTAssertThrowsError(try appender.run(.file(input))) { error in
                    XCTAssertTrue("\(error)".contains("nothing was stored"), "\(error)")
                }
            } else {
                let outcome = try appender.run(.file(input))
                XCTAssertEqual(outcome.result.appended, count)
            }
            XCTAssertTrue(rewrote, "the file was rewritten between the passes")
            try store.forEachEvent(origin: "north") { e in
                stored.append(String((e.contact ?? "").prefix { $0 != "-" }))
                return true
            }
            XCTAssertEqual(stored, setAside ? [] : (0..<count).map { "c\($0)" }, "rejects \(setAside)")
        }
    }

    /// The store pass appends in calls of exactly `eventsPerStoreCall`
    /// events, whatever the chunks and scratch records holding them, with a
    /// rejected line left out: every block is full but the last.
    func testTheStorePassFillsWholeBlocks() throws {
        let count = 2 * JSONLAppend.eventsPerStoreCall + 1_234
        var text = #"{"id":"bad","#
        text += "\n"
        for i in 0..<count { text += #"{"id":"w\#(i)","at":"2026-03-02T08:00:00Z","kind":"note.x","data":{"n":\#(i)}}"# + "\n" }
        let (input, store) = try inputAndStore("whole", text)
        var appender = JSONLAppend(store: store)
        appender.chunkBytes = 300_000  // chunks, and so scratch records, of about 3,500 events
        appender.setAside = { _ in }
        let outcome = try appender.run(.file(input))
        XCTAssertEqual(outcome.result.appended, count)
        XCTAssertEqual(outcome.rejected.compactMap(\.line), [1])
        let per = UInt64(LogOptions().eventsPerBlock)
        let blocks = try XCTUnwrap(store.snapshot(origin: "north")).blocks
        XCTAssertEqual(blocks.map(\.firstSeq), Array(stride(from: UInt64(1), through: UInt64(count), by: Int(per))))
    }

    /// A scratch file damaged between the passes (a disk fault) is refused by
    /// its records' CRC when read back: the append stops saying how many
    /// events the calls before had stored, the store holds exactly those,
    /// and appending the file again stores the rest.
    func testADamagedScratchFileStopsTheAppendSayingWhatWasStored() throws {
        // About 3.3 MiB of lines: two store calls, the progress line at 100 % once it is all checked.
        let count = JSONLAppend.eventsPerStoreCall + 5_000
        var text = ""
        for i in 0..<count { text += #"{"id":"d\#(i)","at":"2026-03-02T08:00:00Z","kind":"contact.started","contact":"c\#(i)","channel":"voice"}"# + "\n" }
        let (input, store) = try inputAndStore("damaged", text)
        var appender = JSONLAppend(store: store)
        appender.chunkBytes = 256 << 10
        var damaged = false
        appender.progress = { line in
            guard line.hasPrefix("checked"), line.contains("(100%)"), !damaged else { return }
            // The scratch file has no name: find it among this process's open files, flip its last byte.
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in fds {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                      target.contains(self.root + "/damaged/.journey-scratch"), let n = Int32(fd) else { continue }
                var st = stat()
                guard fstat(n, &st) == 0, st.st_size > 0 else { continue }
                var byte: UInt8 = 0
                _ = pread(n, &byte, 1, st.st_size - 1)
                byte ^= 0xFF
                _ = pwrite(n, &byte, 1, st.st_size - 1)
                damaged = true
            }
        }
        var said = ""
        XCTAssertThrowsError(try appender.run(.file(input))) { said = "\($0)" }
        XCTAssertTrue(damaged, "the scratch file was found and damaged")
        XCTAssertTrue(said.contains("the scratch file was damaged"), said)
        var held = 0
        try store.forEachEvent(origin: "north") { _ in held += 1; return true }
        XCTAssertTrue(said.contains("\(held) event(s) of the input were stored"), "\(held) held; \(said)")
        XCTAssertEqual(held % JSONLAppend.eventsPerStoreCall, 0, "whole calls only")
        let again = try JSONLAppend(store: store).run(.file(input))
        XCTAssertEqual(again.result.appended, count - held)
    }
}
