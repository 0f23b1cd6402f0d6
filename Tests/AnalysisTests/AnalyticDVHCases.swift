import Analysis
import Foundation
import Geometry

/// Shapes in dose fields whose DVHs are known in closed form: the test oracle for DVH calculation,
/// after the analytic cone/cylinder/sphere sets of Nelms et al. (Med Phys 42:4435, 2015,
/// doi 10.1118/1.4923175). Doses are in Gy, lengths in cm.
struct AnalyticDVHCase: Sendable, CustomStringConvertible {
    let name: String
    /// The shape's centre; shapes are placed off the grid lines on purpose.
    let centerCM: Vec3
    /// A radius around the centre that contains the whole shape.
    let boundingRadiusCM: Double
    /// Where a line parallel to z at (x, y) − centre runs inside the (convex) shape, as z − z_c, or nil.
    let zExtent: @Sendable (_ dx: Double, _ dy: Double) -> (low: Double, high: Double)?
    /// The dose field.
    let doseGy: @Sendable (Vec3) -> Double
    /// The exact fraction of the shape's volume receiving at least a dose.
    let exactFractionAtOrAbove: @Sendable (Double) -> Double
    /// The exact maximum dose inside the shape.
    let maxDoseGy: Double

    var description: String { name }

    // MARK: Exact metrics

    /// The exact volume, in cm³.
    let exactVolumeCM3: Double

    /// The exact mean dose: ∫₀^Dmax F(d) dd, by composite Simpson's rule on 20 000 intervals (F is
    /// smooth between its ends, so this is exact to far below the tolerances tested).
    var exactMeanDoseGy: Double {
        let n = 20_000
        let h = maxDoseGy / Double(n)
        var sum = exactFractionAtOrAbove(0) + exactFractionAtOrAbove(maxDoseGy)
        for m in 1..<n { sum += exactFractionAtOrAbove(Double(m) * h) * (m % 2 == 1 ? 4 : 2) }
        return sum * h / 3
    }

    /// The exact D_x %: the dose d with F(d) = x / 100, by bisection (F decreases with d).
    func exactDoseGy(hottestPercent percent: Double) -> Double {
        var lo = 0.0, hi = maxDoseGy
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if exactFractionAtOrAbove(mid) >= percent / 100 { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    // MARK: Rasterisation

    /// A grid of cubic voxels of side `spacingCM` covering the shape, with a corner origin that is not
    /// a multiple of the spacing from the centre.
    func grid(spacingCM h: Double) -> VoxelGrid {
        let reach = boundingRadiusCM + 2 * h
        let count = Int((2 * reach / h).rounded(.up))
        let origin = Vec3(-reach + 0.0137, -reach - 0.0291, -reach + 0.0419)
        return VoxelGrid(counts: (count, count, count), originCM: centerCM + origin, spacingCM: Vec3(h, h, h))
    }

    /// The dose field on a grid, held at 0 Gy where the linear fields would turn negative (only voxels
    /// more than one voxel away from the shape, which no interpolation inside it uses).
    func doseGrid(on grid: VoxelGrid) throws -> DoseGrid {
        try DoseGrid(grid: grid, field: { max(0, doseGy($0)) })
    }

    /// The shape's fractional mask on a grid: exact along z (each column's extent is known) and
    /// sampled on `perAxis²` columns per voxel in x and y.
    func mask(on grid: VoxelGrid, perAxis m: Int = 16) throws -> StructureMask {
        var fractions = [Float](repeating: 0, count: grid.voxelCount)
        let h = grid.spacingCM
        for j in 0..<grid.counts.y {
            for i in 0..<grid.counts.x {
                for b in 0..<m {
                    for a in 0..<m {
                        let dx = grid.originCM.x + (Double(i) + (Double(a) + 0.5) / Double(m)) * h.x - centerCM.x
                        let dy = grid.originCM.y + (Double(j) + (Double(b) + 0.5) / Double(m)) * h.y - centerCM.y
                        guard let extent = zExtent(dx, dy) else { continue }
                        let zLow = centerCM.z + extent.low, zHigh = centerCM.z + extent.high
                        let kLow = max(0, Int(((zLow - grid.originCM.z) / h.z).rounded(.down)))
                        let kHigh = min(grid.counts.z - 1, Int(((zHigh - grid.originCM.z) / h.z).rounded(.down)))
                        guard kLow <= kHigh else { continue }
                        for k in kLow...kHigh {
                            let bottom = grid.originCM.z + Double(k) * h.z
                            let overlap = min(zHigh, bottom + h.z) - max(zLow, bottom)
                            fractions[grid.index(i, j, k)] += Float(overlap / h.z) / Float(m * m)
                        }
                    }
                }
            }
        }
        return try StructureMask(name: name, grid: grid, fractions: fractions.map { min(1, $0) })
    }
}

// MARK: - The cases

extension AnalyticDVHCase {
    static let center = Vec3(0.13, -0.07, 0.21)

    /// The z extent of a sphere about its centre.
    static func sphereExtent(radius r: Double) -> @Sendable (Double, Double) -> (low: Double, high: Double)? {
        { dx, dy in
            let q = r * r - dx * dx - dy * dy
            return q >= 0 ? (-q.squareRoot(), q.squareRoot()) : nil
        }
    }

    /// The volume fraction of a sphere of radius R above a plane at signed distance t from its centre.
    static func sphereCapFraction(_ t: Double, radius r: Double) -> Double {
        let h = min(2 * r, max(0, r - t))
        return (Double.pi * h * h * (3 * r - h) / 3) / (4 / 3 * Double.pi * r * r * r)
    }

    /// A sphere of radius 2 cm in a gradient along z: D = 30 + 8 (z − z_c) Gy, from 14 to 46 Gy.
    static let sphereInZGradient = AnalyticDVHCase(
        name: "sphere r=2 cm, gradient along z 8 Gy/cm", centerCM: center, boundingRadiusCM: 2,
        zExtent: sphereExtent(radius: 2),
        doseGy: { 30 + 8 * ($0.z - center.z) },
        exactFractionAtOrAbove: { sphereCapFraction(($0 - 30) / 8, radius: 2) },
        maxDoseGy: 46, exactVolumeCM3: 4 / 3 * Double.pi * 8)

    /// A sphere of radius 2 cm in an oblique gradient: D = 30 + (4, −4, 6)·(r − r_c) Gy.
    static let sphereInObliqueGradient = AnalyticDVHCase(
        name: "sphere r=2 cm, oblique gradient 8.2 Gy/cm", centerCM: center, boundingRadiusCM: 2,
        zExtent: sphereExtent(radius: 2),
        doseGy: { 30 + ($0 - center).dot(Vec3(4, -4, 6)) },
        exactFractionAtOrAbove: { sphereCapFraction(($0 - 30) / Vec3(4, -4, 6).length, radius: 2) },
        maxDoseGy: 30 + 2 * Vec3(4, -4, 6).length, exactVolumeCM3: 4 / 3 * Double.pi * 8)

    /// A cylinder (radius 1.5 cm, length 4 cm along z) in a gradient along its axis:
    /// D = 30 + 10 (z − z_c) Gy, from 10 to 50 Gy, so its flat ends carry the extreme doses.
    static let cylinderAlongGradient = AnalyticDVHCase(
        name: "cylinder r=1.5 cm l=4 cm, gradient along axis 10 Gy/cm", centerCM: center,
        boundingRadiusCM: (1.5 * 1.5 + 2 * 2).squareRoot(),
        zExtent: { dx, dy in dx * dx + dy * dy <= 1.5 * 1.5 ? (-2, 2) : nil },
        doseGy: { 30 + 10 * ($0.z - center.z) },
        exactFractionAtOrAbove: { d in min(1, max(0, (2 - (d - 30) / 10) / 4)) },
        maxDoseGy: 50, exactVolumeCM3: Double.pi * 1.5 * 1.5 * 4)

    /// The same cylinder in a gradient across its axis: D = 30 + 10 (x − x_c) Gy, from 15 to 45 Gy.
    static let cylinderAcrossGradient = AnalyticDVHCase(
        name: "cylinder r=1.5 cm l=4 cm, gradient across axis 10 Gy/cm", centerCM: center,
        boundingRadiusCM: (1.5 * 1.5 + 2 * 2).squareRoot(),
        zExtent: { dx, dy in dx * dx + dy * dy <= 1.5 * 1.5 ? (-2, 2) : nil },
        doseGy: { 30 + 10 * ($0.x - center.x) },
        exactFractionAtOrAbove: { d in
            // Circular segment beyond the chord at x − x_c = t: R² acos(t/R) − t √(R² − t²), over πR².
            let r = 1.5
            let t = min(r, max(-r, (d - 30) / 10))
            return (r * r * acos(t / r) - t * (r * r - t * t).squareRoot()) / (Double.pi * r * r)
        },
        maxDoseGy: 45, exactVolumeCM3: Double.pi * 1.5 * 1.5 * 4)

    /// A cone (base radius 2 cm at z_c − 2, apex at z_c + 2) in a gradient along its axis:
    /// D = 30 + 10 (z − z_c) Gy, so the hottest doses sit in its thin apex.
    static let coneAlongGradient = AnalyticDVHCase(
        name: "cone r=2 cm h=4 cm, gradient along axis 10 Gy/cm", centerCM: center, boundingRadiusCM: 2 * 2.0.squareRoot(),
        zExtent: { dx, dy in
            // Radius (2 − z)/2 at height z: a column at distance ρ runs from the base to z = 2 − 2ρ.
            let rho = (dx * dx + dy * dy).squareRoot()
            return rho <= 2 ? (-2, 2 - 2 * rho) : nil
        },
        doseGy: { 30 + 10 * ($0.z - center.z) },
        exactFractionAtOrAbove: { d in
            // Volume above height t of a cone of length L = 4: ((H − t) / L)³ of the whole, H = 2.
            let t = min(2, max(-2, (d - 30) / 10))
            return pow((2 - t) / 4, 3)
        },
        maxDoseGy: 50, exactVolumeCM3: Double.pi * 4 * 4 / 3)

    /// A sphere of radius 2 cm around the centre of a Gaussian dose D = 60 exp(−r² / (2 · 1.2²)) Gy,
    /// from 14.9 Gy at its surface to 60 Gy.
    static let gaussianInSphere = AnalyticDVHCase(
        name: "sphere r=2 cm, Gaussian 60 Gy sigma=1.2 cm", centerCM: center, boundingRadiusCM: 2,
        zExtent: sphereExtent(radius: 2),
        doseGy: { p in
            let r2 = (p - center).dot(p - center)
            return 60 * exp(-r2 / (2 * 1.2 * 1.2))
        },
        exactFractionAtOrAbove: { d in
            guard d > 0 else { return 1 }
            guard d < 60 else { return 0 }
            let r = 1.2 * (2 * log(60 / d)).squareRoot()
            return min(1, pow(r / 2, 3))
        },
        maxDoseGy: 60, exactVolumeCM3: 4 / 3 * Double.pi * 8)

    static let all: [AnalyticDVHCase] = [
        sphereInZGradient, sphereInObliqueGradient, cylinderAlongGradient, cylinderAcrossGradient, coneAlongGradient, gaussianInSphere,
    ]
}
