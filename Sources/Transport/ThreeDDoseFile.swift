import FileIO
import Foundation
import Geometry
import Phantom

/// EGSnrc `.3ddose` files: `nx ny nz`; the x, y, z voxel boundaries (cm); the doses (x fastest); the
/// relative uncertainties (DOSXYZnrc manual, NRCC PIRS-794, "3ddose file format").
public enum ThreeDDoseFile {
    /// The file text of a dose distribution.
    public static func format(_ d: DoseDistribution) -> String {
        var out = "  \(d.grid.counts.x)  \(d.grid.counts.y)  \(d.grid.counts.z)\n"
        func block(_ values: [Double], _ spec: String) {
            var line = ""
            for (n, v) in values.enumerated() {
                line += formatted(v, spec)
                if n % 6 == 5 || n == values.count - 1 {
                    out += line + "\n"
                    line = ""
                } else {
                    line += " "
                }
            }
        }
        block(d.grid.xBoundariesCM, "%.6f")
        block(d.grid.yBoundariesCM, "%.6f")
        block(d.grid.zBoundariesCM, "%.6f")
        block(d.doseGyPerHistory, "%.9e")
        block(d.relativeUncertainty, "%.6e")
        return out
    }

    /// `v` printed by the C library's printf with `spec` (Foundation's `String(format:)` gives the same
    /// text at ten times the cost: it was 15 % of a benchmark run, docs/performance.md).
    static func formatted(_ v: Double, _ spec: String) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            _ = withVaList([v]) { vsnprintf(buffer.baseAddress!, 48, spec, $0) }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Writes a `.3ddose` file atomically.
    public static func write(_ d: DoseDistribution, to url: URL) throws {
        try AtomicFile.write(Data(format(d).utf8), to: url)
    }

    /// Reads a `.3ddose` file (for validation against DOSXYZnrc and ompMC).
    public static func read(_ url: URL, quantity: DoseQuantity = .medium) throws -> DoseDistribution {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })[...]
        func next(_ what: String) throws -> Double {
            guard let t = tokens.popFirst() else { throw DoseFileError.truncated(file: url.path, section: what) }
            guard let v = Double(t) else { throw DoseFileError.notANumber(file: url.path, section: what, token: String(t)) }
            return v
        }
        let nx = Int(try next("counts")), ny = Int(try next("counts")), nz = Int(try next("counts"))
        guard nx > 0, ny > 0, nz > 0 else { throw DoseFileError.truncated(file: url.path, section: "counts") }
        let xb = try (0...nx).map { _ in try next("x boundaries") }
        let yb = try (0...ny).map { _ in try next("y boundaries") }
        let zb = try (0...nz).map { _ in try next("z boundaries") }
        let n = nx * ny * nz
        let dose = try (0..<n).map { _ in try next("doses") }
        let rel = try (0..<n).map { _ in try next("uncertainties") }
        let grid = VoxelGrid(
            counts: (nx, ny, nz), originCM: Vec3(xb[0], yb[0], zb[0]),
            spacingCM: Vec3((xb[nx] - xb[0]) / Double(nx), (yb[ny] - yb[0]) / Double(ny), (zb[nz] - zb[0]) / Double(nz)))
        return DoseDistribution(grid: grid, doseGyPerHistory: dose, relativeUncertainty: rel, quantity: quantity)
    }
}

/// Why a dose file could not be read.
public enum DoseFileError: Error, CustomStringConvertible {
    case truncated(file: String, section: String)
    case notANumber(file: String, section: String, token: String)

    public var description: String {
        switch self {
        case .truncated(let f, let s): "dose file \(f) ends early in the \(s)"
        case .notANumber(let f, let s, let t): "dose file \(f): '\(t)' in the \(s) is not a number"
        }
    }
}
