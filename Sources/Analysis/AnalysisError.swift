import Foundation

/// Why an analysis input is unusable; each message says what was wrong, where, and what to do.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    /// A per-voxel array does not match its grid.
    case arrayLength(name: String, found: Int, expected: Int)
    /// A per-voxel value is negative, not finite, or out of its range.
    case badVoxelValue(name: String, voxel: Int, value: Double, allowed: String)
    /// An option or parameter is out of its range.
    case badParameter(name: String, value: String, allowed: String)
    /// A structure has no volume (an empty mask), so no DVH can be computed.
    case emptyStructure(name: String)
    /// Two masks that must share a grid do not.
    case gridMismatch(first: String, second: String)
    /// A dose-metric expression could not be parsed.
    case badMetric(String)
    /// A file is not in the expected format.
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .arrayLength(let name, let found, let expected):
            "\(name): \(found) values for a grid of \(expected) voxels; the array must have one value per voxel"
        case .badVoxelValue(let name, let voxel, let value, let allowed):
            "\(name): voxel \(voxel) holds \(value); values must be \(allowed)"
        case .badParameter(let name, let value, let allowed):
            "\(name) = \(value) is not allowed; use \(allowed)"
        case .emptyStructure(let name):
            "structure '\(name)' has no volume on its grid; check its contours and the grid it was rasterised on"
        case .gridMismatch(let first, let second):
            "structures '\(first)' and '\(second)' lie on different grids; rasterise both on one grid first"
        case .badMetric(let text):
            "'\(text)' is not a dose metric; write e.g. D95%, D0.03cc, V20Gy, Dmean, Dmin or Dmax"
        case .badFile(let path, let reason):
            "\(path): \(reason)"
        }
    }
}

extension AnalysisError {
    /// The bytes of a file, or `badFile` saying why it cannot be read.
    static func contents(of url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw AnalysisError.badFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
    }
}
