// swift-tools-version:6.1
// JourneyStore: an event-sourced, multi-channel journey store for contact centres.
import PackageDescription

// Scripts/fuzz.sh sets JOURNEY_FUZZ_RUNTIME to libFuzzer's runtime without
// main: this package's own modules are then built with coverage for libFuzzer
// and AddressSanitizer, and journey-fuzz links that runtime. Dependencies
// are built as usual, so a fuzz build reuses the normal build of them.
let fuzzRuntime = Context.environment["JOURNEY_FUZZ_RUNTIME"].flatMap { $0.isEmpty ? nil : $0 }
let fuzzing: [SwiftSetting] = fuzzRuntime == nil ? [] : [
    .unsafeFlags(["-sanitize=address", "-sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp"]),
]
let fuzzDriver: [CSetting] = fuzzRuntime == nil ? [] : [.define("JOURNEY_LIBFUZZER")]
let fuzzLink: [LinkerSetting] = fuzzRuntime.map { [.unsafeFlags(["-sanitize=address", "-Xlinker", $0, "-lstdc++"])] } ?? []

let package = Package(
    name: "JourneyStore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "journey", targets: ["journey"]),
        .executable(name: "journey-bench", targets: ["journey-bench"]),
        .library(name: "JourneyModel", targets: ["JourneyModel"]),
        .library(name: "JourneyLog", targets: ["JourneyLog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System zlib (Debian: zlib1g-dev). Deflate is done by the system library, never vendored.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // CRC-32C (Castagnoli) with the SSE4.2 instruction when the CPU has it, a table otherwise.
        .target(name: "CJourneyCRC", path: "Sources/CJourneyCRC"),
        // SQLite's process-wide setting, made as the program loads (sqlite3_config is variadic: Swift cannot call it).
        .target(name: "CJourneySQLite", path: "Sources/CJourneySQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "JourneyModel", path: "Sources/JourneyModel", swiftSettings: fuzzing),
        .target(
            name: "JourneyLog",
            dependencies: [
                "JourneyModel", "CZlib", "CJourneyCRC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JourneyLog", swiftSettings: fuzzing
        ),
        .target(
            name: "JourneyProjections",
            dependencies: ["JourneyModel", "JourneyLog", "CJourneySQLite", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift")],
            path: "Sources/JourneyProjections", swiftSettings: fuzzing
        ),
        // The projections kept in a PostgreSQL database (headquarters, BI tools), fed by the same engine.
        .target(
            name: "JourneyPostgres",
            dependencies: [
                "JourneyModel", "JourneyProjections",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JourneyPostgres"
        ),
        .target(
            name: "JourneySync",
            dependencies: [
                "JourneyModel", "JourneyLog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/JourneySync", swiftSettings: fuzzing
        ),
        .target(name: "JourneyStaffing", dependencies: ["JourneyModel", "JourneyLog", "JourneyProjections"], path: "Sources/JourneyStaffing", swiftSettings: fuzzing),
        .target(
            name: "JourneyInsights",
            dependencies: ["JourneyModel", "JourneyProjections"],
            path: "Sources/JourneyInsights"
        ),
        .target(name: "JourneyIngest", dependencies: ["JourneyModel", "JourneyLog"], path: "Sources/JourneyIngest", swiftSettings: fuzzing),
        // Simulated centres and synthetic traffic: the demo's, the tests' and the benchmarks' data.
        .target(name: "JourneySimulation", dependencies: ["JourneyModel"], path: "Sources/JourneySimulation"),
        .target(
            name: "JourneyBench",
            dependencies: [
                "JourneyModel", "JourneyLog", "JourneyIngest", "JourneySimulation", "JourneyProjections", "JourneySync", "CZlib",
                "JourneyPostgres", "JourneyNode", "JourneyConsole",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Sources/JourneyBench"
        ),
        // A node: its data directory, configs and workflows, driven by the CLI, tests and the console.
        .target(
            name: "JourneyNode",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyIngest", "JourneySimulation", "JourneyProjections", "JourneySync",
                           "JourneyStaffing", "JourneyInsights", "JourneyPostgres"],
            path: "Sources/JourneyNode"
        ),
        // The operations console: pages, live updates, the JSON API and metrics, served by `journey serve`.
        .target(
            name: "JourneyConsole",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyProjections", "JourneyInsights", "JourneyStaffing", "JourneySync", "JourneyNode",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Sources/JourneyConsole"
        ),
        .target(
            name: "JourneyCLI",
            dependencies: [
                "JourneyModel", "JourneyLog", "JourneyIngest", "JourneySimulation", "JourneyProjections", "JourneySync", "JourneyStaffing", "JourneyInsights", "JourneyNode", "JourneyPostgres",
                "JourneyConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JourneyCLI"
        ),
        .executableTarget(name: "journey", dependencies: ["JourneyCLI"], path: "Sources/journey"),
        // The benchmarks: their own executable, so that `journey` does not ship them.
        .executableTarget(
            name: "journey-bench",
            dependencies: ["JourneyBench", "JourneyCLI", "JourneyModel", "JourneyLog", "JourneyPostgres",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/journey-bench"
        ),
        // Fuzzing: the targets (a library the tests replay), libFuzzer's driver or a replaying
        // stand-in, and the executable Scripts/fuzz.sh builds with coverage and AddressSanitizer.
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver", cSettings: fuzzDriver),
        .target(
            name: "JourneyFuzz",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyIngest", "JourneyProjections", "JourneyStaffing", "JourneySync"],
            path: "Sources/JourneyFuzz", swiftSettings: fuzzing
        ),
        .executableTarget(
            name: "journey-fuzz", dependencies: ["JourneyFuzz", "CFuzzDriver"], path: "Sources/journey-fuzz",
            swiftSettings: fuzzing, linkerSettings: fuzzLink
        ),
        // Test support: a fault-injecting in-memory file system and seeded generators.
        .target(
            name: "JourneyTestSupport",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyIngest", "JourneySimulation", "JourneyPostgres",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            path: "Sources/JourneyTestSupport"
        ),
        .testTarget(name: "JourneyModelTests", dependencies: ["JourneyModel"], path: "Tests/JourneyModelTests"),
        .testTarget(name: "JourneyFuzzTests", dependencies: ["JourneyFuzz"], path: "Tests/JourneyFuzzTests"),
        .testTarget(
            name: "JourneyLogTests",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyIngest", "JourneySimulation", "JourneyTestSupport"],
            path: "Tests/JourneyLogTests"
        ),
        .testTarget(
            name: "JourneyInsightsTests",
            dependencies: ["JourneyInsights", "JourneyProjections", "JourneyIngest", "JourneySimulation", "JourneyModel", "JourneyLog",
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/JourneyInsightsTests"
        ),
        .testTarget(
            name: "JourneyStaffingTests",
            dependencies: ["JourneyStaffing", "JourneyProjections", "JourneyIngest", "JourneySimulation", "JourneyModel", "JourneyLog", "JourneyCLI",
                           "JourneyInsights", "JourneyTestSupport"],
            path: "Tests/JourneyStaffingTests"
        ),
        .testTarget(
            name: "JourneySyncTests",
            dependencies: ["JourneySync", "JourneyIngest", "JourneySimulation", "JourneyModel", "JourneyLog", "JourneyProjections", "JourneyTestSupport"],
            path: "Tests/JourneySyncTests"
        ),
        .testTarget(
            name: "JourneyProjectionsTests",
            dependencies: ["JourneyProjections", "JourneyIngest", "JourneySimulation", "JourneyModel", "JourneyLog", "JourneyTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/JourneyProjectionsTests"
        ),
        .testTarget(
            name: "JourneyIngestTests",
            dependencies: ["JourneyIngest", "JourneySimulation", "JourneyModel", "JourneyLog", "JourneyCLI", "JourneyTestSupport"],
            path: "Tests/JourneyIngestTests"
        ),
        .testTarget(
            name: "JourneyBenchTests",
            dependencies: ["JourneyBench", "JourneyProjections", "JourneyIngest", "JourneyModel", "JourneyLog", "JourneyTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/JourneyBenchTests"
        ),
        .testTarget(
            name: "JourneyPostgresTests",
            dependencies: ["JourneyPostgres", "JourneyProjections", "JourneyLog", "JourneyModel", "JourneySimulation", "JourneyTestSupport",
                           "JourneyNode", "JourneySync",
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/JourneyPostgresTests"
        ),
        .testTarget(
            name: "JourneyNodeTests",
            dependencies: ["JourneyNode", "JourneyIngest", "JourneyLog", "JourneyModel", "JourneyProjections"],
            path: "Tests/JourneyNodeTests"
        ),
        .testTarget(
            name: "JourneyConsoleTests",
            dependencies: ["JourneyConsole", "JourneyNode", "JourneyProjections", "JourneyLog", "JourneyModel", "JourneySync", "JourneyTestSupport",
                           "JourneySimulation",
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/JourneyConsoleTests"
        ),
        .testTarget(
            name: "JourneyCLITests",
            dependencies: ["JourneyCLI", "JourneyModel", "JourneyLog", "JourneyProjections", "JourneyTestSupport", "JourneyNode", "JourneyPostgres",
                           "JourneyIngest", "JourneyInsights", "JourneySimulation", "JourneyStaffing", "JourneySync"],
            path: "Tests/JourneyCLITests"
        ),
    ]
)
