import Foundation
import Geometry

/// A digitally reconstructed radiograph: rays from a beam's point source through a detector in the
/// isocentre plane, each carrying the line integral of the linear attenuation coefficient through a CT.
///
/// The detector is the beam's-eye view: pixel columns run along +Xb and rows along −Yb (row 0 is the
/// top, the largest Yb), in cm at the isocentre plane (Zb = 0), the plane in which jaw and leaf
/// positions are given; `BeamGeometry` places it in the patient for any gantry, collimator and couch
/// angle and patient position. Rays are walked voxel by voxel (Amanatides–Woo, `VoxelWalk`), so every
/// voxel a ray crosses contributes its chord length exactly.
///
/// Attenuation model (documented in docs/drr.md): every voxel is water-equivalent with its electron
/// density scaled by CT number, μ = μ_water · max(0, 1 + HU/1000), at one effective energy. The default
/// μ_water = 0.2059 cm⁻¹ is water's mass attenuation coefficient at 60 keV (0.2059 cm²/g, Hubbell &
/// Seltzer, NIST X-Ray Mass Attenuation Coefficients, NISTIR 5632, 1995) times 1 g/cm³ — the effective
/// energy of a diagnostic beam near 120 kVp. Air (HU ≤ −1000) does not attenuate.
public struct DigitallyReconstructedRadiograph: Sendable {
    /// The pixel grid of the detector in the isocentre plane.
    public struct Detector: Sendable, Equatable {
        /// The beam's-eye-view extent, cm at the isocentre plane: Xb from `xMinCM` to `xMaxCM`, Yb from
        /// `yMinCM` to `yMaxCM`.
        public var xMinCM: Double, xMaxCM: Double, yMinCM: Double, yMaxCM: Double
        /// The pixel size at the isocentre plane, cm.
        public var pixelCM: Double

        /// Creates a detector covering a rectangle with square pixels (the extent is widened to a whole
        /// number of pixels about its centre).
        /// - Throws: `AnalysisError.badParameter` for a non-positive pixel size or an empty extent.
        public init(xMinCM: Double, xMaxCM: Double, yMinCM: Double, yMaxCM: Double, pixelCM: Double) throws {
            guard pixelCM > 0, pixelCM.isFinite else {
                throw AnalysisError.badParameter(name: "DRR pixel size", value: "\(pixelCM) cm", allowed: "a positive size")
            }
            guard xMaxCM > xMinCM, yMaxCM > yMinCM, xMaxCM.isFinite, xMinCM.isFinite, yMaxCM.isFinite,
                yMinCM.isFinite
            else {
                throw AnalysisError.badParameter(
                    name: "DRR extent", value: "Xb \(xMinCM)…\(xMaxCM) cm, Yb \(yMinCM)…\(yMaxCM) cm",
                    allowed: "a rectangle with maximum above minimum")
            }
            func widen(_ lo: Double, _ hi: Double) -> (Double, Double) {
                let n = ((hi - lo) / pixelCM).rounded(.up), centre = (lo + hi) / 2
                return (centre - n * pixelCM / 2, centre + n * pixelCM / 2)
            }
            (self.xMinCM, self.xMaxCM) = widen(xMinCM, xMaxCM)
            (self.yMinCM, self.yMaxCM) = widen(yMinCM, yMaxCM)
            self.pixelCM = pixelCM
        }

        /// Pixel columns (along Xb).
        public var columns: Int { Int(((xMaxCM - xMinCM) / pixelCM).rounded()) }
        /// Pixel rows (along Yb).
        public var rows: Int { Int(((yMaxCM - yMinCM) / pixelCM).rounded()) }

        /// The centre of pixel (column, row) in beam's-eye-view cm; row 0 is the top (largest Yb).
        public func pixelCentreCM(column: Int, row: Int) -> (x: Double, y: Double) {
            (xMinCM + (Double(column) + 0.5) * pixelCM, yMaxCM - (Double(row) + 0.5) * pixelCM)
        }

        /// The pixel holding a beam's-eye-view point, or nil outside the detector.
        public func pixel(containingX x: Double, y: Double) -> (column: Int, row: Int)? {
            let c = Int(((x - xMinCM) / pixelCM).rounded(.down)), r = Int(((yMaxCM - y) / pixelCM).rounded(.down))
            return (0..<columns).contains(c) && (0..<rows).contains(r) ? (c, r) : nil
        }
    }

    /// Water's linear attenuation coefficient at 60 keV, cm⁻¹ (NISTIR 5632; see the type's documentation).
    public static let waterAttenuationPerCM60keV = 0.2059

    /// The detector.
    public let detector: Detector
    /// The beam the rays come from.
    public let beam: BeamGeometry
    /// The line integral ∫μ dl = −ln(I/I₀) per pixel (dimensionless), row-major from the top-left pixel.
    public let lineIntegrals: [Float]

    /// Casts one ray per detector pixel centre through a CT.
    /// - Parameters:
    ///   - grid: the CT's voxel grid (cm, patient coordinates).
    ///   - hu: Hounsfield units per voxel, x fastest.
    ///   - beam: the beam (source position and beam's-eye-view axes).
    ///   - detector: the pixel grid in the isocentre plane.
    ///   - waterAttenuationPerCM: μ_water at the chosen effective energy.
    /// - Throws: `AnalysisError.arrayLength` when `hu` does not fit the grid; `.badParameter` for a
    ///   non-positive attenuation coefficient.
    public init(
        grid: VoxelGrid, hu: [Float], beam: BeamGeometry, detector: Detector,
        waterAttenuationPerCM: Double = waterAttenuationPerCM60keV
    ) throws {
        guard waterAttenuationPerCM > 0, waterAttenuationPerCM.isFinite else {
            throw AnalysisError.badParameter(
                name: "water attenuation coefficient", value: "\(waterAttenuationPerCM) /cm", allowed: "a positive value")
        }
        self.detector = detector
        self.beam = beam
        self.lineIntegrals = try Self.project(
            hu.map { Float(waterAttenuationPerCM) * max(0, 1 + $0 / 1000) }, grid: grid, beam: beam, detector: detector)
    }

    /// The line integral of any per-voxel quantity (per cm) along the ray from the source through each
    /// detector pixel centre: attenuation for the radiograph, a structure's occupancy for the path length
    /// through it (its silhouette in the beam's-eye view).
    /// - Returns: one value per pixel, row-major from the top-left pixel.
    /// - Throws: `AnalysisError.arrayLength` when `values` does not fit the grid.
    public static func project(_ values: [Float], grid: VoxelGrid, beam: BeamGeometry, detector: Detector) throws
        -> [Float]
    {
        guard values.count == grid.voxelCount else {
            throw AnalysisError.arrayLength(name: "projected values", found: values.count, expected: grid.voxelCount)
        }
        let source = beam.sourcePositionCM
        let axes = beam.beamAxesInPatient
        var integrals = [Float](repeating: 0, count: detector.columns * detector.rows)
        for row in 0..<detector.rows {
            for column in 0..<detector.columns {
                let (u, v) = detector.pixelCentreCM(column: column, row: row)
                let target = beam.isocentreCM + axes.x * u + axes.y * v
                integrals[row * detector.columns + column] = Float(
                    lineIntegral(grid: grid, mu: values, from: source, towards: target))
            }
        }
        return integrals
    }

    /// ∫μ dl along the whole ray from `source` through `target` and on until it leaves the grid.
    static func lineIntegral(grid: VoxelGrid, mu: [Float], from source: Vec3, towards target: Vec3) -> Double {
        let d = target - source
        let direction = d * (1 / (d.x * d.x + d.y * d.y + d.z * d.z).squareRoot())
        guard let entry = grid.entry(from: source, direction: direction) else { return 0 }
        var walk = VoxelWalk(
            grid: grid, voxel: entry.voxel, pointCM: source + direction * entry.distanceCM, direction: direction)
        var sum = 0.0, t = 0.0
        repeat {
            let exit = walk.exitDistance
            sum += Double(mu[grid.index(walk.i, walk.j, walk.k)]) * (exit - t)
            t = exit
        } while walk.advance()
        return sum
    }

    /// The line integral of pixel (column, row).
    public func lineIntegral(column: Int, row: Int) -> Float { lineIntegrals[row * detector.columns + column] }

    /// Grey levels for display, row-major: the line integral (a logarithmic display of the transmitted
    /// intensity) mapped linearly from black at its `blackPercentile` to white at its `whitePercentile`
    /// (dense paths — bone — bright, as on a radiograph), clipped at both ends; a uniform image is black.
    public func greyLevels(blackPercentile: Double = 1, whitePercentile: Double = 99.5) -> [UInt8] {
        let sorted = lineIntegrals.sorted()
        guard !sorted.isEmpty else { return [] }
        func percentile(_ p: Double) -> Float {
            sorted[min(max(Int((p / 100 * Double(sorted.count - 1)).rounded()), 0), sorted.count - 1)]
        }
        var black = percentile(blackPercentile), white = percentile(whitePercentile)
        // A mostly empty image (a small object in air) spans its whole range instead.
        if white <= black { (black, white) = (sorted.first!, sorted.last!) }
        // A window under 1e-3 (0.1 % in transmission, e.g. the obliquity of rays through a uniform slab)
        // is no contrast worth stretching: all black.
        guard white - black > 1e-3 else { return [UInt8](repeating: 0, count: sorted.count) }
        return lineIntegrals.map { UInt8((min(max(($0 - black) / (white - black), 0), 1) * 255).rounded()) }
    }
}
