import Beam
import Physics

/// One simulated open square field at SSD 100 cm: its depth dose (% of maximum), d_max, PDD(10) and doses
/// per MU·cm² (`ReferenceSetup`'s fits).
struct SimulatedField {
    let fieldCM: Double
    let depthCM: [Double]
    let percent: [Double]
    let relativeUncertainty: [Double]
    let dMaxCM: Double
    let pdd10Percent: Double
    let dose10PerMUArea: Double
    let referenceDosePerMUArea: Double
    /// Profiles along Xb at `profileDepthsCM` (0.2 cm voxels across the field), empty if none were asked for.
    let profiles: [(depthCM: Double, profile: BeamProfile)]

    init(machine: MachineModel, fieldCM: Double, histories: UInt64, seed: UInt64, threads: Int, physics: PhysicsData,
         profileDepthsCM: [Double] = []) throws {
        let setup = try ReferenceSetup(machine: machine, fieldCM: fieldCM, ssdCM: 100,
                                       profileVoxelCM: profileDepthsCM.isEmpty ? nil : 0.2)
        let plan = try PlanSource(model: try SourceModel(machine: machine, physics: physics), deliveries: [try setup.delivery()],
                                  patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: plan, phantom: setup.phantom, threads: threads).run(histories: histories, seed: seed)
        let axis = setup.centralAxis(dose)
        self.fieldCM = fieldCM
        dMaxCM = setup.depthOfMaximum(dose)
        let atMax = setup.fittedAxisDose(dose, depthCM: dMaxCM, halfWidthCM: 0.6)
        let d10 = setup.fittedAxisDose(dose, depthCM: 10)
        depthCM = axis.map(\.depthCM)
        percent = axis.map { 100 * $0.dose / atMax }
        relativeUncertainty = axis.map(\.uncertainty)
        pdd10Percent = 100 * d10 / atMax
        dose10PerMUArea = d10 * plan.muAreaSum
        referenceDosePerMUArea = setup.fittedAxisDose(dose, depthCM: machine.calibration.referenceDepthCM, halfWidthCM: 0.6)
            * plan.muAreaSum
        profiles = profileDepthsCM.map { ($0, setup.profile(dose, depthCM: $0)) }
    }
}
