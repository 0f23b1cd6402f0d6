import Foundation
import Geometry
import Transport

/// The Monte Carlo check of `MLCModelComparison`'s blur stand-in: the dose at d_max in water of two complementary
/// picket-fence exposures (step-and-shoot, half the meterset each: even pairs open from −3 to 3 cm with odd pairs closed
/// under the X jaws, then the reverse; jaws 10 × 10 cm; 0.5 cm pairs), with whatever collimation `model` carries — the
/// fluence model, or explicit leaves (`Collimator.leafGeometry`). Gantry 0, the water's surface on the isocentre plane
/// (SSD 100 cm), 0.05 cm voxels across both leaf directions.
///
/// Two readings, both at depths 1–2 cm: the tips' edges (a profile along Xb averaged over |Yb| ≤ 3.5 cm: 50 % points
/// relative to the central dose, 80–20 % penumbra; the tips are at ±3 cm) and the tongue-and-groove pattern (the dose
/// along Yb averaged over |Xb| ≤ 2 cm and folded over the 0.5 cm period of the pairs within |Yb| ≤ 3.5 cm: its mean,
/// lowest and highest phase bin, per history, so that runs of different collimations compare directly).
public struct MLCPicketFenceDose: Sendable, Codable {
    /// Mean 50 % point beyond the tips' plan positions (positive: the field is larger), cm.
    public let tipEdgeOffsetCM: Double
    /// Mean 80–20 % penumbra of the two tips, cm.
    public let tipPenumbraCM: Double
    /// Period-mean, lowest and highest phase-bin dose across the pairs, Gy per history.
    public let periodMean: Double, periodMinimum: Double, periodMaximum: Double
    /// Proposals run.
    public let histories: UInt64

    /// Runs `histories` proposals of the picket fence with `model`'s collimation.
    /// - Throws: what the set-up or the transport throws, `BeamError.badPlan` when a profile has no edges.
    public init(model: SourceModel, histories: UInt64, seed: UInt64, threads: Int) throws {
        func exposure(openParity: Int) -> MachineState {
            var l = MLCModelComparison.bank(pairs: 40, bankACM: 8, bankBCM: 8)
            for i in l.bankACM.indices where i % 2 == openParity {
                l.bankACM[i] = -3
                l.bankBCM[i] = 3
            }
            return MachineState(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                                aperture: Aperture(x1CM: -5, x2CM: 5, y1CM: -5, y2CM: 5, leaves: l))
        }
        let first = exposure(openParity: 0), second = exposure(openParity: 1)
        let delivery = try BeamDelivery(number: 1, name: "picket fence", monitorUnits: 1, states: [first, first, second, second],
                                        cumulativeWeights: [0, 0.5, 0.5, 1])
        // Head-first supine at gantry 0: depth runs along patient +y (`ReferenceSetup`).
        let phantom = try WaterTank.phantom(sizeCM: Vec3(12, 4, 12), voxelCM: Vec3(0.05, 0.5, 0.05), centreCM: Vec3(0, 2, 0))
        let source = try PlanSource(model: model, deliveries: [delivery], patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: source, phantom: phantom, threads: threads).run(histories: histories, seed: seed)
        let beam = first.geometry(sourceAxisDistanceCM: model.machine.sourceAxisDistanceCM, patientPosition: .headFirstSupine)
        let g = dose.grid
        let columns = max(g.counts.x, g.counts.z)
        var xSum = [Double](repeating: 0, count: columns), xCount = [Double](repeating: 0, count: columns)
        var xPosition = [Double](repeating: 0, count: columns)
        let bins = 10
        var phaseSum = [Double](repeating: 0, count: bins), phaseCount = [Double](repeating: 0, count: bins)
        // The voxel columns across Xb are the grid's x or z columns, as the geometry maps Xb.
        let xbAlongGridX = abs((beam.beamToPatient * Vec3(1, 0, 0)).x) > 0.5
        for k in 0..<g.counts.z {
            for j in 0..<g.counts.y {
                for i in 0..<g.counts.x {
                    let r = g.originCM + Vec3((Double(i) + 0.5) * g.spacingCM.x, (Double(j) + 0.5) * g.spacingCM.y,
                                              (Double(k) + 0.5) * g.spacingCM.z)
                    let b = beam.beamCoordinates(ofPatientPoint: r)
                    guard -b.z >= 1, -b.z <= 2 else { continue }
                    let d = dose.doseGyPerHistory[g.index(i, j, k)]
                    if abs(b.y) <= 3.5 {
                        let column = xbAlongGridX ? i : k
                        xSum[column] += d
                        xCount[column] += 1
                        xPosition[column] = b.x
                    }
                    if abs(b.x) <= 2, abs(b.y) <= 3.5 {
                        let phase = b.y - 0.5 * (b.y / 0.5).rounded(.down)
                        let bin = min(Int(phase / 0.05), bins - 1)
                        phaseSum[bin] += d
                        phaseCount[bin] += 1
                    }
                }
            }
        }
        let used = xCount.indices.filter { xCount[$0] > 0 }.sorted { xPosition[$0] < xPosition[$1] }
        let profile = BeamProfile(positionCM: used.map { xPosition[$0] }, dose: used.map { xSum[$0] / xCount[$0] })
        guard let half = profile.crossings(0.5), let penumbra = profile.penumbraCM else {
            throw BeamError.badPlan("picket fence: the tip profile has no 50 %, 80 % or 20 % points")
        }
        let phase = zip(phaseSum, phaseCount).map { $0 / max($1, 1) }
        tipEdgeOffsetCM = 0.5 * ((half.positive - 3) + (-3 - half.negative))
        tipPenumbraCM = penumbra
        periodMean = phase.reduce(0, +) / Double(bins)
        periodMinimum = phase.min() ?? 0
        periodMaximum = phase.max() ?? 0
        self.histories = histories
    }
}
