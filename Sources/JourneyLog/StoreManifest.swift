import JourneyModel

/// `journey.json` at the root of a data directory: marks it as a store and
/// names its own site. Versioned like every stored format:
///
/// - version 1: `{"format":"journeystore","version":1,"site":"north"}`;
///   logs without acknowledgement records.
/// - version 2: adds `"publicKey"` (hex of the site's Ed25519 public key,
///   checked against the key file at every open); every origin's log has an
///   acknowledgement record (``AckRecord``). A writer opening a version 1
///   store writes the records and then this manifest (the migration).
struct StoreManifest: Equatable {
    static let fileName = "journey.json"
    static let version: Int64 = 2

    var site: String
    /// The version read (``version`` for a new manifest).
    var version: Int64 = StoreManifest.version
    /// The site's public key, hex (version 2 on).
    var publicKeyHex: String?

    func encode() -> [UInt8] {
        var o = JSONObject()
        o["format"] = .string("journeystore")
        o["version"] = .integer(version)
        o["site"] = .string(site)
        if let publicKeyHex { o["publicKey"] = .string(publicKeyHex) }
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
        guard let v = o["version"]?.intValue, v >= 1 else {
            throw LogError(.notAStore, "\(path) has no valid format version", file: path)
        }
        guard v <= version else {
            throw LogError(.unsupportedVersion, "the store was written by a newer journey (format \(v), this build reads up to \(version)); upgrade journey", file: path)
        }
        return StoreManifest(site: site, version: v, publicKeyHex: o["publicKey"]?.stringValue)
    }
}
