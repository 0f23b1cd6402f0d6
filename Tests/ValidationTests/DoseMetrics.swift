import Foundation
import Geometry
import Transport

/// Depth doses, profiles and their landmarks, computed the same way from Penumbra's and the
/// reference's dose grids (absolute: Gy per incident history).
struct DoseMetrics {
    let dose: DoseDistribution
    /// Multiplies the independent-voxel variance of 3×3 central-axis averages and of profile points, for
    /// the positive correlation between neighbouring voxels (measured by `BatchStatistics`; 1 = none).
    var averageVarianceFactor: (depth: Double, profile: Double) = (1, 1)

    /// Central-axis voxel indices (the voxel containing x = y = 0).
    var axis: (i: Int, j: Int) {
        let g = dose.grid
        return (Int(((0 - g.originCM.x) / g.spacingCM.x).rounded(.down)), Int(((0 - g.originCM.y) / g.spacingCM.y).rounded(.down)))
    }

    /// Mean dose and its absolute 1σ over a set of voxels: voxel σ combined in quadrature (as if
    /// independent), times √`varianceFactor`.
    func average(_ voxels: [Int], varianceFactor: Double = 1) -> (dose: Double, sigma: Double) {
        var s = 0.0, v = 0.0
        for n in voxels {
            let d = dose.doseGyPerHistory[n]
            s += d
            v += pow(d * dose.relativeUncertainty[n], 2)
        }
        let c = Double(voxels.count)
        return (s / c, (v * varianceFactor).squareRoot() / c)
    }

    /// The central-axis depth dose: the average of the 3×3 voxels around the axis at each depth.
    func depthDose() -> [(depthCM: Double, dose: Double, sigma: Double)] {
        let g = dose.grid
        let (ci, cj) = axis
        return (0..<g.counts.z).map { k in
            var voxels: [Int] = []
            for dj in -1...1 { for di in -1...1 { voxels.append(g.index(ci + di, cj + dj, k)) } }
            let a = average(voxels, varianceFactor: averageVarianceFactor.depth)
            return (g.originCM.z + (Double(k) + 0.5) * g.spacingCM.z, a.dose, a.sigma)
        }
    }

    /// A profile along x (or y) at `depthCM`: averaged over the z voxels whose centres lie within ±0.5 cm of
    /// the depth (1 cm thick) and over the 3 voxels around the axis in the other lateral direction.
    func profile(alongX: Bool, depthCM: Double) -> [(positionCM: Double, dose: Double, sigma: Double)] {
        let g = dose.grid
        let (ci, cj) = axis
        let ks = (0..<g.counts.z).filter { abs(g.originCM.z + (Double($0) + 0.5) * g.spacingCM.z - depthCM) <= 0.5 + 1e-9 }
        let n = alongX ? g.counts.x : g.counts.y
        return (0..<n).map { a in
            var voxels: [Int] = []
            for k in ks {
                for d in -1...1 {
                    voxels.append(alongX ? g.index(a, cj + d, k) : g.index(ci + d, a, k))
                }
            }
            let avg = average(voxels, varianceFactor: averageVarianceFactor.profile)
            let pos = alongX ? g.originCM.x + (Double(a) + 0.5) * g.spacingCM.x : g.originCM.y + (Double(a) + 0.5) * g.spacingCM.y
            return (pos, avg.dose, avg.sigma)
        }
    }

    /// Depth of the maximum of the depth dose, and the maximum.
    static func maximum(_ pdd: [(depthCM: Double, dose: Double, sigma: Double)]) -> (index: Int, depthCM: Double, dose: Double) {
        let k = pdd.indices.max(by: { pdd[$0].dose < pdd[$1].dose })!
        return (k, pdd[k].depthCM, pdd[k].dose)
    }

    /// Landmarks of a profile normalised to its central value (mean of the 3 central points), found by
    /// linear interpolation, with their 1σ statistical uncertainty: σ_x = σ_D / |dD/dx| at each crossing.
    struct Edges {
        var left50: Double, right50: Double, leftPenumbra: Double, rightPenumbra: Double
        var sigmaLeft50: Double, sigmaRight50: Double, sigmaLeftPenumbra: Double, sigmaRightPenumbra: Double
    }

    static func edges(_ p: [(positionCM: Double, dose: Double, sigma: Double)]) -> Edges {
        let c = p.count / 2
        let centre = (p[c - 1].dose + p[c].dose + p[c + 1].dose) / 3
        func crossing(_ level: Double, from start: Int, step: Int) -> (x: Double, sigma: Double) {
            var a = start
            while a + step >= 0 && a + step < p.count && p[a + step].dose / centre >= level { a += step }
            let b = a + step
            guard b >= 0 && b < p.count else { return (p[a].positionCM, 0) }
            let da = p[a].dose / centre, db = p[b].dose / centre
            let w = (da - level) / (da - db)
            let slope = abs(da - db) / abs(p[b].positionCM - p[a].positionCM)
            let sigmaD = ((1 - w) * p[a].sigma + w * p[b].sigma) / centre
            return (p[a].positionCM + w * (p[b].positionCM - p[a].positionCM), slope > 0 ? sigmaD / slope : 0)
        }
        let l50 = crossing(0.5, from: c, step: -1), r50 = crossing(0.5, from: c, step: 1)
        let l80 = crossing(0.8, from: c, step: -1), r80 = crossing(0.8, from: c, step: 1)
        let l20 = crossing(0.2, from: c, step: -1), r20 = crossing(0.2, from: c, step: 1)
        return Edges(left50: l50.x, right50: r50.x, leftPenumbra: l80.x - l20.x, rightPenumbra: r20.x - r80.x,
                     sigmaLeft50: l50.sigma, sigmaRight50: r50.sigma,
                     sigmaLeftPenumbra: (l80.sigma * l80.sigma + l20.sigma * l20.sigma).squareRoot(),
                     sigmaRightPenumbra: (r80.sigma * r80.sigma + r20.sigma * r20.sigma).squareRoot())
    }
}
