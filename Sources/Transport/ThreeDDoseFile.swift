import FileIO
import Foundation
import Geometry
import Phantom

/// EGSnrc `.3ddose` files: `nx ny nz`; the x, y, z voxel boundaries (cm); the doses (x fastest); the
/// relative uncertainties (DOSXYZnrc manual, NRCC PIRS-794, "3ddose file format").
public enum ThreeDDoseFile {
    /// The file text of a dose distribution.
    /// - Throws: `DoseFileError.notFinite` if a dose or uncertainty is NaN or infinite.
    public static func format(_ d: DoseDistribution) throws -> String {
        String(decoding: try bytes(d), as: UTF8.self)
    }

    /// The file's bytes: six numbers to a line, each as C's `printf` prints it (`%.6f` boundaries, `%.9e`
    /// doses, `%.6e` uncertainties). The boundaries (a few hundred) go through `vsnprintf`, a line per call;
    /// the two numbers per voxel through `ExponentialText`, the same text without `printf` and its `CVarArg`
    /// boxing (≈ 6 % of a 300 000-history run, docs/performance.md, profile 8).
    /// - Throws: `DoseFileError.notFinite` for a NaN or infinite dose or uncertainty: `printf` would write
    ///   "nan", which no `.3ddose` reader takes for a number.
    static func bytes(_ d: DoseDistribution) throws -> [UInt8] {
        var out = Array("  \(d.grid.counts.x)  \(d.grid.counts.y)  \(d.grid.counts.z)\n".utf8)
        out.reserveCapacity(out.count + 16 * (d.doseGyPerHistory.count + d.relativeUncertainty.count) + 4096)
        func boundaries(_ values: [Double]) {
            var start = 0
            while start < values.count {
                let n = min(6, values.count - start)
                let line = Array(repeating: "%.6f", count: n).joined(separator: " ") + "\n"
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
        func block(_ values: [Double], fractionDigits: Int, section: String) throws {
            for (i, value) in values.enumerated() {
                guard value.isFinite else { throw DoseFileError.notFinite(section: section, voxel: i, value: value) }
                ExponentialText.append(value, fractionDigits: fractionDigits, to: &out)
                out.append(i % 6 == 5 || i == values.count - 1 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
            }
        }
        boundaries(d.grid.xBoundariesCM)
        boundaries(d.grid.yBoundariesCM)
        boundaries(d.grid.zBoundariesCM)
        try block(d.doseGyPerHistory, fractionDigits: 9, section: "doses")
        try block(d.relativeUncertainty, fractionDigits: 6, section: "uncertainties")
        return out
    }

    /// Writes a `.3ddose` file atomically.
    /// - Throws: `DoseFileError.notFinite` (nothing is written) or the file system's error.
    public static func write(_ d: DoseDistribution, to url: URL) throws {
        try AtomicFile.write(try bytes(d), to: url)
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
    case notFinite(section: String, voxel: Int, value: Double)

    public var description: String {
        switch self {
        case .truncated(let f, let s): "dose file \(f) ends early in the \(s)"
        case .notANumber(let f, let s, let t): "dose file \(f): '\(t)' in the \(s) is not a number"
        case .notFinite(let s, let v, let x):
            "dose not written: voxel \(v) of the \(s) is \(x); a .3ddose file holds finite numbers only (a NaN"
                + " or infinity means a broken tally or phantom mass: report it with the run's inputs)"
        }
    }
}
