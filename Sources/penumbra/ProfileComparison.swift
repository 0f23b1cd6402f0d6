import Beam

/// A measured crossline profile against a simulated one: both in % of their central dose, the measured profile
/// resampled on the simulation's positions inside its range; 1D gamma (`LineGamma`: 2 %/2 mm global, 10 % threshold),
/// the 50 % width and the 80–20 % penumbra of each.
struct ProfileComparison: Codable {
    let fieldCM: Double
    let depthCM: Double
    let gammaPassPercent: Double
    let measuredWidthCM: Double?
    let simulatedWidthCM: Double?
    let measuredPenumbraCM: Double?
    let simulatedPenumbraCM: Double?

    init(measured: MeasuredScans.Profile, simulated: BeamProfile) throws {
        let m = measured.profile
        func percent(_ p: BeamProfile, at x: Double) -> Double? { p.dose(atCM: x).map { 100 * $0 / p.centralDose } }
        let inside = simulated.positionCM.indices.filter { percent(m, at: simulated.positionCM[$0]) != nil }
        guard inside.count >= 3, simulated.centralDose > 0 else {
            throw CommandFailure("profile_\(measured.fieldCM)x\(measured.fieldCM)_d\(measured.depthCM).csv does not overlap the simulated profile")
        }
        let positions = inside.map { simulated.positionCM[$0] }
        fieldCM = measured.fieldCM
        depthCM = measured.depthCM
        gammaPassPercent = try LineGamma.passPercent(
            positionsCM: positions, reference: positions.map { percent(m, at: $0)! },
            evaluated: inside.map { 100 * simulated.dose[$0] / simulated.centralDose })
        measuredWidthCM = m.fieldWidthCM
        simulatedWidthCM = simulated.fieldWidthCM
        measuredPenumbraCM = m.penumbraCM
        simulatedPenumbraCM = simulated.penumbraCM
    }
}
