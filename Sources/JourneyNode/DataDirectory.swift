import Foundation
import JourneyLog
import JourneyModel
import JourneyProjections
import JourneySync

/// A node's data directory and what it holds besides the log: the one place
/// that knows its layout.
///
/// ```
/// DATA/
///   manifest.json, keys/, logs/ORIGIN/…   the log store (JourneyLog)
///   projections.sqlite                     the projections (rebuilt from the log)
///   kpi.json                               KPI parameters (optional)
///   sync.json                              peers, client tokens, pinned keys (optional)
///   ingest/                                followers' cursors
/// ```
public struct DataDirectory: Sendable, Equatable {
    /// The directory's path.
    public var path: String

    /// The data directory at `path`.
    public init(_ path: String) { self.path = path }

    /// `$JOURNEY_DATA` when set, else `./journey-data`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["JOURNEY_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./journey-data"
    }

    /// The projections file.
    public var projectionsPath: String { path + "/projections.sqlite" }
    /// The KPI parameters file (optional).
    public var kpiPath: String { path + "/kpi.json" }
    /// The sync config file (optional).
    public var syncConfigPath: String { path + "/sync.json" }

    /// The KPI parameters of `kpi.json`, or the defaults when there is none.
    public func kpiParameters() throws -> KPIParameters {
        guard FileManager.default.fileExists(atPath: kpiPath) else { return KPIParameters() }
        let text = String(decoding: try InputFile.read(kpiPath), as: UTF8.self)
        do {
            return try KPIParameters.parse(text)
        } catch let e as ProjectionError {
            throw NodeError(.config, "\(kpiPath): \(e.message)")
        } catch let e as JSONParser.Failure {
            throw NodeError(.config, "\(kpiPath) is not valid JSON at byte \(e.offset + 1): \(e.reason)")
        }
    }

    /// The sync config at `path` (default `sync.json` here).
    public func syncConfig(at path: String? = nil) throws -> SyncConfig {
        let path = path ?? syncConfigPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw NodeError(.config, "no sync config at \(path); write one (see config/sync.example.json) or pass --config")
        }
        let text = String(decoding: try InputFile.read(path), as: UTF8.self)
        do {
            return try SyncConfig.parse(text)
        } catch let e as SyncError {
            throw NodeError(.config, "\(path): \(e.message)")
        } catch let e as JSONParser.Failure {
            throw NodeError(.config, "\(path) is not valid JSON at byte \(e.offset + 1): \(e.reason)")
        }
    }

    /// The sync config when `path` was given or `sync.json` exists; nil otherwise.
    public func syncConfigIfPresent(at path: String? = nil) throws -> SyncConfig? {
        guard path != nil || FileManager.default.fileExists(atPath: syncConfigPath) else { return nil }
        return try syncConfig(at: path)
    }
}
