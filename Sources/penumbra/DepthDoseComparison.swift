import Beam

/// A measured depth dose against a simulated one: 1D gamma (`LineGamma`: 2 %/2 mm global, 10 % threshold) and the
/// largest difference beyond d_max, % of maximum.
struct DepthDoseComparison: Codable {
    let fieldCM: Double
    let gammaPassPercent: Double
    let maximumDifferencePercent: Double

    init(measured: MeasuredScans.DepthDose, simulated: SimulatedField) throws {
        // The measured scan resampled on the simulation's depth voxels (both in % of their maxima).
        let inside = simulated.depthCM.indices.filter { measured.percent(atDepthCM: simulated.depthCM[$0]) != nil }
        guard inside.count >= 3 else {
            throw CommandFailure("pdd_\(measured.fieldCM)x\(measured.fieldCM).csv does not overlap the simulated depths")
        }
        let depths = inside.map { simulated.depthCM[$0] }
        fieldCM = measured.fieldCM
        gammaPassPercent = try LineGamma.passPercent(positionsCM: depths, reference: depths.map { measured.percent(atDepthCM: $0)! },
                                                     evaluated: inside.map { simulated.percent[$0] })
        maximumDifferencePercent = inside.filter { simulated.depthCM[$0] > simulated.dMaxCM }
            .map { abs(simulated.percent[$0] - measured.percent(atDepthCM: simulated.depthCM[$0])!) }.max() ?? 0
    }
}
