import FileIO
import Foundation
import Geometry
import Phantom

/// EGSnrc `.3ddose` files: `nx ny nz`; the x, y, z voxel boundaries (cm); the doses (x fastest); the
/// relative uncertainties (DOSXYZnrc manual, NRCC PIRS-794, "3ddose file format").
public enum ThreeDDoseFile {
    /// The file text of a dose distribution.
    public static func format(_ d: DoseDistribution) -> String {
        String(decoding: bytes(d), as: UTF8.self)
    }

    /// The file's bytes: six numbers to a line, each printed by the C library's printf (Foundation's
    /// `String(format:)` gives the same text at ten times the cost). A line is one `vsnprintf` call
    /// written straight into the output: a call, a `String` and an argument array per number were 16 %
    /// of a 300 000-history run's CPU time (docs/performance.md, profile 5).
    static func bytes(_ d: DoseDistribution) -> [UInt8] {
        var out = Array("  \(d.grid.counts.x)  \(d.grid.counts.y)  \(d.grid.counts.z)\n".utf8)
        out.reserveCapacity(out.count + 16 * (d.doseGyPerHistory.count + d.relativeUncertainty.count) + 4096)
        func block(_ values: [Double], _ spec: String) {
            let fullLine = Array(repeating: spec, count: 6).joined(separator: " ") + "\n"
            var start = 0
            while start < values.count {
                let n = min(6, values.count - start)
                let line = n == 6 ? fullLine : Array(repeating: spec, count: n).joined(separator: " ") + "\n"
                let arguments: [CVarArg] = values[start..<start + n].map { $0 }
                // Each number is at most 15 bytes plus a sign: 24 per number is room to spare.
                let capacity = 24 * n + 2
                let before = out.count
                out.append(contentsOf: repeatElement(0, count: capacity))
                let written = out.withUnsafeMutableBufferPointer { buffer in
                    withVaList(arguments) { vsnprintf(buffer.baseAddress! + before, capacity, line, $0) }
                }
                precondition(written >= 0 && Int(written) < capacity, "a .3ddose line did not fit its buffer")
                out.removeLast(capacity - Int(written))
                start += n
            }
        }
        block(d.grid.xBoundariesCM, "%.6f")
        block(d.grid.yBoundariesCM, "%.6f")
        block(d.grid.zBoundariesCM, "%.6f")
        block(d.doseGyPerHistory, "%.9e")
        block(d.relativeUncertainty, "%.6e")
        return out
    }

    /// Writes a `.3ddose` file atomically.
    public static func write(_ d: DoseDistribution, to url: URL) throws {
        try AtomicFile.write(Data(bytes(d)), to: url)
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
