import Crypto

/// A site's Ed25519 signing key. Every block a site appends is signed with it,
/// so peers holding the pinned public key can tell the site's own blocks from
/// forged or altered ones.
public struct SiteKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    /// A fresh random key.
    public init() { key = Curve25519.Signing.PrivateKey() }

    /// A key from its 32 raw bytes.
    public init(rawRepresentation: [UInt8]) throws {
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        } catch {
            throw LogError(.io, "the site signing key is not 32 raw Ed25519 bytes", cause: "\(error)")
        }
    }

    /// The 32 private bytes, for storing in the key file.
    public var rawRepresentation: [UInt8] { Array(key.rawRepresentation) }

    /// The public key, 32 bytes.
    public var publicKey: [UInt8] { Array(key.publicKey.rawRepresentation) }

    /// Signs a message (the chain hash of a block).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        do {
            return Array(try key.signature(for: message))
        } catch {
            throw LogError(.io, "signing a block failed", cause: "\(error)")
        }
    }

    /// True when `signature` is `publicKey`'s signature of `message`.
    public static func verify(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return pk.isValidSignature(signature, for: message)
    }
}
