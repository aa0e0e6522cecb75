// swift-tools-version:6.1
// JourneyStore: an event-sourced, multi-channel journey store for contact centres.
import PackageDescription

let package = Package(
    name: "JourneyStore",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "journey", targets: ["journey"]),
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
    ],
    targets: [
        // System zlib (Debian: zlib1g-dev). Deflate is done by the system library, never vendored.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // CRC-32C (Castagnoli) with the SSE4.2 instruction when the CPU has it, a table otherwise.
        .target(name: "CJourneyCRC", path: "Sources/CJourneyCRC"),
        .target(name: "JourneyModel", path: "Sources/JourneyModel"),
        .target(
            name: "JourneyLog",
            dependencies: [
                "JourneyModel", "CZlib", "CJourneyCRC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JourneyLog"
        ),
        .target(
            name: "JourneyProjections",
            dependencies: ["JourneyModel", "JourneyLog", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/JourneyProjections"
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
            ],
            path: "Sources/JourneySync"
        ),
        .target(name: "JourneyStaffing", dependencies: ["JourneyModel", "JourneyLog", "JourneyProjections"], path: "Sources/JourneyStaffing"),
        .target(
            name: "JourneyInsights",
            dependencies: ["JourneyModel", "JourneyProjections", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/JourneyInsights"
        ),
        .target(name: "JourneyIngest", dependencies: ["JourneyModel", "JourneyLog"], path: "Sources/JourneyIngest"),
        .target(
            name: "JourneyBench",
            dependencies: [
                "JourneyModel", "JourneyLog", "JourneyIngest", "JourneyProjections", "JourneySync", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/JourneyBench"
        ),
        .target(
            name: "JourneyCLI",
            dependencies: [
                "JourneyModel", "JourneyLog", "JourneyIngest", "JourneyProjections", "JourneySync", "JourneyStaffing", "JourneyInsights", "JourneyBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JourneyCLI"
        ),
        .executableTarget(name: "journey", dependencies: ["JourneyCLI"], path: "Sources/journey"),
        // Test support: a fault-injecting in-memory file system and seeded generators.
        .target(name: "JourneyTestSupport", dependencies: ["JourneyModel", "JourneyLog"], path: "Sources/JourneyTestSupport"),
        .testTarget(name: "JourneyModelTests", dependencies: ["JourneyModel"], path: "Tests/JourneyModelTests"),
        .testTarget(
            name: "JourneyLogTests",
            dependencies: ["JourneyModel", "JourneyLog", "JourneyIngest", "JourneyTestSupport"],
            path: "Tests/JourneyLogTests"
        ),
        .testTarget(
            name: "JourneyInsightsTests",
            dependencies: ["JourneyInsights", "JourneyProjections", "JourneyIngest", "JourneyModel", "JourneyLog"],
            path: "Tests/JourneyInsightsTests"
        ),
        .testTarget(
            name: "JourneyStaffingTests",
            dependencies: ["JourneyStaffing", "JourneyProjections", "JourneyIngest", "JourneyModel", "JourneyLog", "JourneyCLI"],
            path: "Tests/JourneyStaffingTests"
        ),
        .testTarget(
            name: "JourneySyncTests",
            dependencies: ["JourneySync", "JourneyIngest", "JourneyModel", "JourneyLog", "JourneyProjections"],
            path: "Tests/JourneySyncTests"
        ),
        .testTarget(
            name: "JourneyProjectionsTests",
            dependencies: ["JourneyProjections", "JourneyIngest", "JourneyModel", "JourneyLog", "JourneyTestSupport"],
            path: "Tests/JourneyProjectionsTests"
        ),
        .testTarget(
            name: "JourneyIngestTests",
            dependencies: ["JourneyIngest", "JourneyModel", "JourneyLog", "JourneyCLI"],
            path: "Tests/JourneyIngestTests"
        ),
        .testTarget(
            name: "JourneyCLITests",
            dependencies: ["JourneyCLI", "JourneyModel", "JourneyLog", "JourneyProjections"],
            path: "Tests/JourneyCLITests"
        ),
    ]
)
