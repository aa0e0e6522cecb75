import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL projection lives and how to log in: from a URL
/// `postgres://USER@HOST:PORT/DATABASE?sslmode=MODE`, with the password from
/// a file or the environment — never from the command line, which every user
/// of the machine sees in `ps`.
public struct PostgresTarget: Sendable, Equatable {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// Always TLS, without checking the certificate (refuses a server without TLS).
        case require
        /// Always TLS, with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The database.
    public var database: String
    /// The TLS mode.
    public var tls: TLSMode
    /// The password, if the role needs one.
    public var password: String?

    /// The target without its password, for messages and logs.
    public var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }

    /// True when `text` is a PostgreSQL URL (not a file path).
    public static func isURL(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// Reads a URL. `allowPassword` is false for a URL given on the command
    /// line: a password in it is refused, not used.
    public static func parse(_ url: String, allowPassword: Bool) throws -> PostgresTarget {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql" else {
            throw PostgresError(.config, "'\(redact(url))' is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = c.host, !host.isEmpty else { throw PostgresError(.config, "the PostgreSQL URL names no host") }
        guard let user = c.user, !user.isEmpty else { throw PostgresError(.config, "the PostgreSQL URL names no user (postgres://USER@HOST/DATABASE)") }
        if c.password != nil && !allowPassword {
            throw PostgresError(.config, """
                the PostgreSQL URL on the command line holds a password, which every user of this machine can read with ps; \
                put the password in PGPASSWORD or in a file (--password-file), or the whole URL in JOURNEY_POSTGRES_URL
                """)
        }
        let port = c.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresError(.config, "the PostgreSQL port \(port) is out of range") }
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        var tls = TLSMode.prefer
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresError(.config, "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresError(.config, "unknown PostgreSQL URL parameter '\(item.name)'; only sslmode is read")
            }
        }
        return PostgresTarget(host: host, port: port, user: user, database: path.isEmpty ? user : path, tls: tls, password: c.password)
    }

    /// The target from the command line's URL (or `JOURNEY_POSTGRES_URL`),
    /// with the password from `passwordFile` (or `JOURNEY_POSTGRES_PASSWORD_FILE`),
    /// else `PGPASSWORD`, else the environment's URL.
    public static func resolve(url: String?, passwordFile: String?, environment: [String: String]) throws -> PostgresTarget {
        var target: PostgresTarget
        if let url {
            target = try parse(url, allowPassword: false)
        } else if let url = environment["JOURNEY_POSTGRES_URL"], !url.isEmpty {
            target = try parse(url, allowPassword: true)
        } else {
            throw PostgresError(.config, "no PostgreSQL database: give --to URL or set JOURNEY_POSTGRES_URL")
        }
        if let file = passwordFile ?? environment["JOURNEY_POSTGRES_PASSWORD_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PostgresError(.config, "cannot read the PostgreSQL password file \(file)")
            }
            let text = String(decoding: data, as: UTF8.self)
            target.password = String(text.prefix { $0 != "\n" && $0 != "\r" })
        } else if let password = environment["PGPASSWORD"] {
            target.password = password
        }
        return target
    }

    /// Opens a connection.
    public func connect(logger: Logger) async throws -> PostgresConnection {
        let mode: PostgresConnection.Configuration.TLS
        do {
            switch tls {
            case .disable: mode = .disable
            case .prefer, .require:
                var config = TLSConfiguration.makeClientConfiguration()
                config.certificateVerification = .none
                let context = try NIOSSLContext(configuration: config)
                mode = tls == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                mode = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw PostgresError(.config, "cannot set up TLS for PostgreSQL: \(error)")
        }
        let configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: mode)
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw PostgresError(.connection, "cannot connect to \(redacted): \(PostgresTarget.describe(error)); check the server, the role and its password")
        }
    }

    /// Runs one statement on a connection of its own (administration: making
    /// or dropping a database, granting a role).
    public func execute(_ sql: String, logger: Logger) async throws {
        let c = try await connect(logger: logger)
        do {
            _ = try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try? await c.close()
        } catch {
            try? await c.close()
            throw PostgresError(.server, "PostgreSQL refused \(sql.prefix(80)): \(PostgresTarget.describe(error))")
        }
    }

    /// A server error's own message (PostgresNIO's description hides it by default).
    public static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return message + detail
            }
            return e.underlying.map { "\(e.code): \($0)" } ?? "\(e.code)"
        }
        if let e = error as? PostgresTransactionError {
            if let inner = e.closureError ?? e.commitError ?? e.beginError { return describe(inner) }
        }
        return "\(error)"
    }

    static func redact(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "(unreadable URL)" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "(unreadable URL)"
    }
}
