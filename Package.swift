// swift-tools-version: 6.1
// Penumbra: a GPU-free Monte Carlo dose engine for external-beam radiotherapy.
// Module layout and dependency direction: docs/architecture.md.
import PackageDescription

let package = Package(
    name: "Penumbra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "penumbra", targets: ["penumbra"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: - Foundations
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(name: "Geometry"),
        .target(name: "FileIO"),
        .target(
            name: "Cluster",
            dependencies: [
                "ZeroMQ",
                "FileIO",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "Phantom", dependencies: ["Geometry", "FileIO"]),
        .target(name: "DICOM", dependencies: ["Geometry", "FileIO"], resources: [.copy("Resources")]),
        .target(name: "ExamplePatients", dependencies: ["DICOM", "Phantom", "Geometry"]),
        .target(name: "PatientImport", dependencies: ["DICOM", "Phantom", "Geometry", "Physics"]),
        .target(
            name: "Transport", dependencies: ["Geometry", "Phantom", "Physics", "FileIO"]),
        .target(name: "Beam", dependencies: ["Geometry", "DICOM", "Phantom", "Physics", "Transport"]),
        .target(name: "PhaseSpace", dependencies: ["Geometry", "Phantom", "Transport", "FileIO"]),

        // MARK: - Physics
        .target(
            name: "Physics",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources")]),

        // MARK: - Analysis and report
        .target(name: "Analysis", dependencies: ["Geometry"]),
        .target(
            name: "Report",
            dependencies: ["Analysis", "Geometry", "FileIO", .product(name: "Crypto", package: "swift-crypto")]),

        // MARK: - Command line
        .executableTarget(
            name: "penumbra",
            dependencies: [
                "Cluster",
                "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                "Physics",
                "DICOM", "Phantom", "ExamplePatients", "PatientImport", "Geometry", "Analysis", "Report", "FileIO",
                "Transport", "Beam", "PhaseSpace",
            ]
        ),

        // MARK: - Benchmarks (`make bench`)
        .executableTarget(
            name: "cluster-benchmark",
            dependencies: ["Cluster", "Transport", "Phantom", "Geometry", .product(name: "Logging", package: "swift-log")],
            path: "benchmarks/ClusterBenchmark"
        ),
        .executableTarget(
            // libFuzzer target of the wire decoder with `make fuzz-wire`; plainly built, a replayer of inputs.
            name: "wire-fuzz",
            dependencies: ["Cluster"],
            path: "benchmarks/WireFuzz"
        ),
        .executableTarget(
            name: "transport-microbenchmark",
            dependencies: ["Transport"],
            path: "benchmarks/TransportMicroBenchmark",
            // The kernels inline into this module: measure them as AVX2 code (docs/performance.md).
            swiftSettings: [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
        ),
        .executableTarget(
            // CT read speed: uncompressed, JPEG Lossless, JPEG-LS, RLE (docs/dicom.md).
            name: "dicom-decode-benchmark",
            dependencies: ["DICOM", "FileIO", "Geometry"],
            path: "benchmarks/DICOMDecodeBenchmark"
        ),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["FileIO", "Physics"], path: "Tests/TestSupport"),
        .target(name: "PhaseSpaceTestSupport", dependencies: ["PhaseSpace", "Transport"], path: "Tests/PhaseSpaceTestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry"]),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "TestSupport"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "ZeroMQ", "TestSupport"]),
        .testTarget(name: "ClusterIntegrationTests", dependencies: ["Cluster", "ZeroMQ", "TestSupport", "PhaseSpaceTestSupport", "PhaseSpace", "Transport", "Phantom", "Geometry"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Geometry", "FileIO", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Analysis", "Geometry", "TestSupport"]),
        // Runs the built `penumbra` executable (beside the test bundle) on real files.
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Geometry", "TestSupport"]),
        .testTarget(name: "PhantomTests", dependencies: ["Phantom", "Geometry", "TestSupport"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "TestSupport"]),
        .testTarget(name: "CalibrationMediaTests", dependencies: ["Phantom", "Physics"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "Phantom", "Physics", "Geometry", "FileIO", "TestSupport"]),
        .testTarget(name: "ValidationTests", dependencies: ["Transport", "Phantom", "Geometry", "TestSupport"]),
        .testTarget(
            name: "ExamplePatientsTests",
            dependencies: ["ExamplePatients", "PatientImport", "DICOM", "Phantom", "Geometry", "TestSupport"]),
        .testTarget(name: "BeamTests", dependencies: ["Beam", "DICOM", "Transport", "Phantom", "Physics", "Geometry", "TestSupport"]),
        .testTarget(name: "PhaseSpaceTests", dependencies: ["PhaseSpace", "Transport", "Phantom", "Geometry", "TestSupport", "PhaseSpaceTestSupport"]),
        .testTarget(name: "PatientImportTests", dependencies: ["PatientImport", "DICOM", "Phantom", "Physics", "Geometry"]),
    ],
    swiftLanguageModes: [.v6]
)
