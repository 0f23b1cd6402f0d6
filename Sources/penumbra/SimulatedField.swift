import Beam
import Physics
import Transport

/// One simulated open square field at SSD 100 cm: its depth dose (% of maximum), d_max, PDD(10) and doses
/// per MU·cm² (`ReferenceSetup`'s fits).
///
/// With `batches` > 1 the histories are run as that many consecutive ranges under the one seed (the merged
/// tally is the same, bit for bit, as one run), and the fitted numbers get a standard error from the spread of
/// the batches' own fits: the depth voxels of one run are correlated (one photon's secondaries cross many), so
/// the voxels' own σ understates the σ of a fit through them (docs/beam-model.md).
struct SimulatedField {
    let fieldCM: Double
    let histories: UInt64
    let depthCM: [Double]
    let percent: [Double]
    let relativeUncertainty: [Double]
    let dMaxCM: Double
    let pdd10Percent: Double
    let dose10PerMUArea: Double
    let referenceDosePerMUArea: Double
    /// Standard errors from the batches (nil with one batch): of PDD(10) in percentage points, and relative, of
    /// the dose at 10 cm and at the reference depth; each nil when a batch is too small for its own fit.
    let batchUncertainty: BatchUncertainty?
    /// Profiles along Xb at `profileDepthsCM` (0.2 cm voxels across the field), empty if none were asked for.
    let profiles: [(depthCM: Double, profile: BeamProfile)]

    struct BatchUncertainty: Codable {
        let batches: Int
        let pdd10Points: Double?
        let dose10Relative: Double?
        let referenceDoseRelative: Double?
    }

    init(machine: MachineModel, fieldCM: Double, histories: UInt64, seed: UInt64, threads: Int, physics: PhysicsData,
         profileDepthsCM: [Double] = [], batches: Int = 1) throws {
        let setup = try ReferenceSetup(machine: machine, fieldCM: fieldCM, ssdCM: 100,
                                       profileVoxelCM: profileDepthsCM.isEmpty ? nil : 0.2)
        let plan = try PlanSource(model: try SourceModel(machine: machine, physics: physics), deliveries: [try setup.delivery()],
                                  patientPosition: .headFirstSupine)
        let simulation = try BeamSimulation(source: plan, phantom: setup.phantom, threads: threads)
        let dose: DoseDistribution
        var parts: [DoseDistribution] = []
        if batches > 1 {
            let count = UInt64(batches)
            var total = EnergyTally(voxelCount: setup.phantom.grid.voxelCount)
            for k in 0..<count {
                simulation.engine.runRange(histories * k / count..<histories * (k + 1) / count, seed: seed) { tally in
                    parts.append(DoseDistribution(tally: tally, phantom: setup.phantom))
                    total.merge(tally)
                }
            }
            dose = DoseDistribution(tally: total, phantom: setup.phantom)
        } else {
            dose = try simulation.run(histories: histories, seed: seed)
        }
        let axis = setup.centralAxis(dose)
        let referenceDepthCM = machine.calibration.referenceDepthCM
        self.fieldCM = fieldCM
        self.histories = histories
        let dMax = setup.depthOfMaximum(dose)
        dMaxCM = dMax
        let atMax = setup.fittedAxisDose(dose, depthCM: dMax, halfWidthCM: 0.6)
        let d10 = setup.fittedAxisDose(dose, depthCM: 10)
        depthCM = axis.map(\.depthCM)
        percent = axis.map { 100 * $0.dose / atMax }
        relativeUncertainty = axis.map(\.uncertainty)
        pdd10Percent = 100 * d10 / atMax
        dose10PerMUArea = d10 * plan.muAreaSum
        let reference = setup.fittedAxisDose(dose, depthCM: referenceDepthCM, halfWidthCM: 0.6)
        referenceDosePerMUArea = reference * plan.muAreaSum
        profiles = profileDepthsCM.map { ($0, setup.profile(dose, depthCM: $0)) }
        if parts.count > 1 {
            // Each batch fitted at the merged run's d_max; σ of the mean = sample standard deviation / √batches.
            func standardError(_ values: [Double]) -> Double? {
                let n = Double(values.count), mean = values.reduce(0, +) / n
                let e = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) / n).squareRoot()
                return e.isFinite ? e : nil
            }
            let d10s = parts.map { setup.fittedAxisDose($0, depthCM: 10) }
            let maxima = parts.map { setup.fittedAxisDose($0, depthCM: dMax, halfWidthCM: 0.6) }
            let references = parts.map { setup.fittedAxisDose($0, depthCM: referenceDepthCM, halfWidthCM: 0.6) }
            batchUncertainty = BatchUncertainty(
                batches: parts.count, pdd10Points: standardError(zip(d10s, maxima).map { 100 * $0 / $1 }),
                dose10Relative: standardError(d10s).map { $0 / d10 },
                referenceDoseRelative: standardError(references).map { $0 / reference })
        } else {
            batchUncertainty = nil
        }
    }
}
