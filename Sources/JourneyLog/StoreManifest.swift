import JourneyModel

/// `journey.json` at the root of a data directory: marks it as a store and
/// names its own site. Versioned like every stored format.
struct StoreManifest: Equatable {
    static let fileName = "journey.json"
    static let version: Int64 = 1

    var site: String

    func encode() -> [UInt8] {
        var o = JSONObject()
        o["format"] = .string("journeystore")
        o["version"] = .integer(StoreManifest.version)
        o["site"] = .string(site)
        var out: [UInt8] = []
        JSONWriter.writeObject(o, into: &out)
        out.append(0x0A)
        return out
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> StoreManifest {
        let value = try? bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        guard case .object(let o)? = value, o["format"]?.stringValue == "journeystore",
              let site = o["site"]?.stringValue, SiteID.isValid(site) else {
            throw LogError(.notAStore, "\(path) is not a JourneyStore manifest", file: path)
        }
        guard let v = o["version"]?.intValue, v <= version else {
            throw LogError(.unsupportedVersion, "the store was written by a newer journey; upgrade journey", file: path)
        }
        return StoreManifest(site: site)
    }
}
