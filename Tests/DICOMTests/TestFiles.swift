import Foundation
import TestSupport

/// DICOM files written by other software, fetched by `make deps` (tools/fetch-dicom-test-data.sh)
/// into `.build/test-data/dicom`; never committed.
enum TestFiles {
    static let root = TestEnvironment.packageRoot.appendingPathComponent(".build/test-data/dicom")

    /// A fetched file, e.g. `pydicom/rtplan.dcm`.
    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether `make deps` has fetched the files (tests that need them fail with this message otherwise).
    static var available: Bool { FileManager.default.fileExists(atPath: url("pydicom/rtplan.dcm").path) }

    static let missingMessage = "DICOM test data missing: run `make deps` (tools/fetch-dicom-test-data.sh)"

    /// The TG-119 DICOM files in ../shared/reference, read in place.
    static func tg119(_ name: String) -> URL { TestEnvironment.reference("dicom/tg119/\(name)") }
}
