import JourneyIngest
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneyStaffing
import JourneySync

/// One decoder of untrusted bytes and the properties it must keep on any
/// input: never trap, and whatever it accepts must survive the round trip
/// it promises. `journey-fuzz NAME` runs one under libFuzzer; the test suite
/// replays each target's committed corpus and every crasher ever found.
///
/// A broken property stops the process (`fatalError`), which is how libFuzzer
/// learns of a finding; on accepted inputs only.
public struct FuzzTarget: Sendable {
    /// Name on the command line and folder name under `Fuzz/corpus/` and `Fuzz/regressions/`.
    public var name: String
    /// What it decodes, for `journey-fuzz --list`.
    public var summary: String
    /// Runs the decoder on one input.
    public var run: @Sendable ([UInt8]) -> Void

    /// Every target.
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "json", summary: "JSON parser and writer: what parses is written back and parses to the same value", run: json),
        FuzzTarget(name: "event", summary: "canonical JSONL event line: what decodes is valid and round-trips exactly", run: event),
        FuzzTarget(name: "payload", summary: "block payload columns (inflated), for any event count", run: payload),
        FuzzTarget(name: "block", summary: "stored block (header, deflate, payload) with its CRC made right", run: block),
        FuzzTarget(name: "spool", summary: "an append's scratch record of checked events (framing, or a payload framed right)", run: spool),
        FuzzTarget(name: "frames", summary: "a /v1/blocks response body from a peer", run: frames),
        FuzzTarget(name: "heads", summary: "a /v1/heads response body from a peer", run: heads),
        FuzzTarget(name: "asterisk", summary: "Asterisk queue_log importer: every event made is valid and round-trips", run: asterisk),
        FuzzTarget(name: "connect", summary: "Amazon Connect contact-record importer", run: connect),
        FuzzTarget(name: "csv", summary: "one-row-per-call CSV importer with a fixed column map", run: csv),
        FuzzTarget(name: "csvmap", summary: "CSV column map parser", run: csvMap),
        FuzzTarget(name: "syncconfig", summary: "sync.json parser", run: syncConfig),
        FuzzTarget(name: "kpi", summary: "kpi.json parser", run: kpi),
        FuzzTarget(name: "forecast", summary: "staffing forecast CSV parser", run: forecast),
    ]

    /// The target called `name`.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    // MARK: Bodies

    static func json(_ bytes: [UInt8]) {
        guard let value = try? bytes.withUnsafeBufferPointer({ try JSONParser.parse($0) }) else { return }
        var out: [UInt8] = []
        JSONWriter.write(value, into: &out)
        guard let again = try? out.withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
            fatalError("the writer's output does not parse: \(String(decoding: out.prefix(200), as: UTF8.self))")
        }
        guard again == value else { fatalError("the writer's output parses to another value") }
    }

    static func event(_ bytes: [UInt8]) {
        guard let e = try? bytes.withUnsafeBufferPointer({ try EventCodec.decode($0) }) else { return }
        roundTrip(e)
    }

    static func payload(_ bytes: [UInt8]) {
        guard let count = bytes.first else { return }
        // The decoder must refuse or decode, whatever the claimed count and bytes.
        _ = try? Block.decodePayload(Array(bytes.dropFirst()), origin: "fuzz", firstSeq: 1, count: Int(count), minAt: 0)
    }

    static func block(_ bytes: [UInt8]) {
        var whole = bytes
        let crc = Checksum.crc32c(whole)
        withUnsafeBytes(of: crc.littleEndian) { whole.append(contentsOf: $0) }
        guard let b = try? Block(parsing: whole) else { return }
        _ = b.verifyHash()
        _ = try? b.events()
    }

    /// An even first byte: the rest is a whole record with its CRC made right
    /// (the framing is fuzzed); odd: the rest is a payload of `bytes[1]`
    /// events, framed right (the payload decoder behind the framing).
    /// Whatever decodes and can be written again reads back the same.
    static func spool(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        var record: [UInt8]
        if mode % 2 == 0 {
            record = Array(bytes.dropFirst())
        } else {
            guard bytes.count >= 2 else { return }
            let count = Int(bytes[1]), payload = bytes.dropFirst(2)
            record = Array("JSPR".utf8)
            for v in [UInt32(count), UInt32(payload.count), 0] { withUnsafeBytes(of: v.littleEndian) { record.append(contentsOf: $0) } }
            record += [UInt8](repeating: 0, count: 8 + 8 * count)  // min at 0, then tags 0
            record += payload
        }
        withUnsafeBytes(of: Checksum.crc32c(record).littleEndian) { record.append(contentsOf: $0) }
        guard let (events, tags) = try? SpoolRecord.decode(record, origin: "fuzz") else { return }
        var again: [UInt8] = []
        guard (try? SpoolRecord.encode(events[...], tags: tags[...], origin: "fuzz", into: &again)) != nil else { return }
        guard let back = try? SpoolRecord.decode(again, origin: "fuzz") else { fatalError("a spool record written again does not read back") }
        guard back.events == events, back.tags == tags else { fatalError("a spool record written again reads back different events or tags") }
    }

    static func frames(_ bytes: [UInt8]) {
        guard let blocks = try? BlockFrames.parse(bytes) else { return }
        for b in blocks { _ = try? b.events() }
    }

    static func heads(_ bytes: [UInt8]) {
        _ = try? SyncClient.parseHeads(bytes, peer: "fuzz")
    }

    static func asterisk(_ bytes: [UInt8]) {
        var importer = AsteriskQueueLog(site: "north", pseudonyms: pseudonyms)
        imported(importer.read(bytes))
    }

    static func connect(_ bytes: [UInt8]) {
        imported(AmazonConnectRecords(site: "north", pseudonyms: pseudonyms).read(bytes))
    }

    /// A fixed pseudonym key: the fuzzer exercises the hashing, not key handling.
    static let pseudonyms: Pseudonyms = {
        guard let p = try? Pseudonyms(key: [UInt8](repeating: 7, count: Pseudonyms.keyBytes)) else { fatalError("a 32-byte key is a key") }
        return p
    }()

    /// A column map with every role, the layout of one-row-per-call exports:
    /// a key of two columns, none-values, a DST zone, the separator detected.
    static let csvColumnMap: CSVColumnMap? = try? CSVColumnMap.parse(Array("""
        {"format":"journeystore-csv-map","version":2,"separator":"auto","channel":"voice","timeZone":"Asia/Jerusalem",
         "date":{"column":"date","format":"yyMMdd"},
         "columns":{"contact":["date","id"],"customer":"cust","priority":"prio","queue":"q","agent":"ag","ivrStart":"v0","ivrEnd":"v1",
                    "queueStart":"q0","queueEnd":"q1","serviceStart":"s0","serviceEnd":"s1","outcome":"out"},
         "none":{"ag":["NO_SERVER"],"cust":["0"]},
         "outcomes":{"AGENT":"answered","HANG":"abandoned","PHANTOM":"skip"}}
        """.utf8))

    static func csv(_ bytes: [UInt8]) {
        guard let map = csvColumnMap else { fatalError("the fixed column map does not parse") }
        imported(CSVCallRecords(site: "north", map: map, pseudonyms: pseudonyms).read(bytes))
    }

    static func csvMap(_ bytes: [UInt8]) { _ = try? CSVColumnMap.parse(bytes) }

    static func syncConfig(_ bytes: [UInt8]) { _ = try? SyncConfig.parse(String(decoding: bytes, as: UTF8.self)) }

    static func kpi(_ bytes: [UInt8]) { _ = try? KPIParameters.parse(String(decoding: bytes, as: UTF8.self)) }

    static func forecast(_ bytes: [UInt8]) { _ = try? Forecast.parse(csv: String(decoding: bytes, as: UTF8.self)) }

    // MARK: Properties

    /// What an importer made is what a store accepts, and survives the canonical round trip.
    static func imported(_ batch: ImportBatch) {
        for e in batch.events {
            do { try e.validate() } catch { fatalError("an importer made an event no store accepts: \(error)") }
            roundTrip(e)
        }
    }

    /// An accepted event encodes to a line that decodes to the same event,
    /// and a store writing it reads it back the same (a block its reader refuses loses it).
    static func roundTrip(_ e: Event) {
        let line = EventCodec.encode(e)
        guard let back = try? EventCodec.decode(line) else { fatalError("an accepted event's canonical line does not decode: \(line.prefix(300))") }
        guard back == e else { fatalError("an accepted event changes in the round trip: \(line.prefix(300))") }
        var stored = e
        stored.seq = 1
        guard SiteID.isValid(e.site) else { return }
        guard let read = try? Block.throughBlocks([e], origin: e.site) else { fatalError("an accepted event's block does not read back: \(line.prefix(300))") }
        guard read == [stored] else { fatalError("an accepted event changes in its block: \(line.prefix(300))") }
    }
}
