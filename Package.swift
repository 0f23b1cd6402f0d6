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
    ],
    targets: [
        // MARK: - Foundations
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "Geometry"),
        .target(name: "Phantom", dependencies: ["Geometry"]),
        .target(name: "DICOM", dependencies: ["Geometry"]),
        .target(name: "ExamplePatients", dependencies: ["DICOM", "Phantom", "Geometry"]),
        .target(name: "PatientImport", dependencies: ["DICOM", "Phantom", "Geometry"]),

        // MARK: - Analysis and report
        .target(name: "Analysis", dependencies: ["Geometry"]),
        .target(name: "Report", dependencies: ["Analysis", "Geometry"]),

        // MARK: - Command line
        .executableTarget(
            name: "penumbra",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                "DICOM", "Phantom", "ExamplePatients", "PatientImport", "Geometry", "Analysis", "Report",
            ]
        ),

        // MARK: - Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry"]),
        .testTarget(name: "PhantomTests", dependencies: ["Phantom", "Geometry", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Geometry", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Analysis", "Geometry", "TestSupport"]),
        // Runs the built `penumbra` executable (beside the test bundle) on real files.
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Geometry", "TestSupport"]),
        .testTarget(
            name: "ExamplePatientsTests",
            dependencies: ["ExamplePatients", "PatientImport", "DICOM", "Phantom", "Geometry", "TestSupport"]),
        .testTarget(name: "PatientImportTests", dependencies: ["PatientImport", "DICOM", "Phantom", "Geometry"]),
    ],
    swiftLanguageModes: [.v6]
)
