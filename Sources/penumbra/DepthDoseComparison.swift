import Analysis
import Beam
import Geometry

/// A measured depth dose against a simulated one: 1D gamma (Analysis' `GammaIndex` on a depth-only grid,
/// 2 %/2 mm global, 10 % threshold, Low et al. 1998) and the largest difference beyond d_max, % of maximum.
struct DepthDoseComparison: Codable {
    let fieldCM: Double
    let gammaPassPercent: Double
    let maximumDifferencePercent: Double

    init(measured: MeasuredScans.DepthDose, simulated: SimulatedField) throws {
        func grid(_ depths: [Double], _ values: [Double]) throws -> DoseGrid {
            let step = depths.count > 1 ? depths[1] - depths[0] : 1
            let g = VoxelGrid(counts: (x: 1, y: depths.count, z: 1), originCM: Vec3(-0.5, depths[0] - step / 2, -0.5),
                              spacingCM: Vec3(1, step, 1))
            return try DoseGrid(grid: g, doseGy: values)
        }
        // The measured scan resampled on the simulation's depth voxels (both in % of their maxima).
        let inside = simulated.depthCM.indices.filter { measured.percent(atDepthCM: simulated.depthCM[$0]) != nil }
        guard inside.count >= 3 else {
            throw CommandFailure("pdd_\(measured.fieldCM)x\(measured.fieldCM).csv does not overlap the simulated depths")
        }
        let depths = inside.map { simulated.depthCM[$0] }
        let reference = try grid(depths, depths.map { measured.percent(atDepthCM: $0)! })
        let evaluated = try grid(depths, inside.map { simulated.percent[$0] })
        let gamma = try GammaIndex(reference: reference, evaluated: evaluated,
                                   options: GammaOptions(doseDifferencePercent: 2, distanceToAgreementCM: 0.2))
        fieldCM = measured.fieldCM
        gammaPassPercent = 100 * Double(gamma.passedCount) / Double(max(gamma.evaluatedCount, 1))
        maximumDifferencePercent = inside.filter { simulated.depthCM[$0] > simulated.dMaxCM }
            .map { abs(simulated.percent[$0] - measured.percent(atDepthCM: simulated.depthCM[$0])!) }.max() ?? 0
    }
}
