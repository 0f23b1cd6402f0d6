import Foundation
import Physics
import Transport

/// MU calibration: simulates the machine's reference field and finds how many source proposals per cm²
/// on the isocentre plane make one MU, i.e. give `calibration.doseGyPerMU` at the reference depth.
///
/// Monitor back-scatter (the monitor chamber's extra signal from jaws closed over it) is not modelled:
/// field-size dependence of output comes from the phantom scatter and the extra-focal source only.
public struct MUCalibration: Sendable {
    /// Proposals per cm² per MU to store in the machine file.
    public let proposalsPerCM2PerMU: Double
    /// The reference dose per history at the reference point and its relative uncertainty.
    public let referenceDosePerHistory: Double
    public let relativeUncertainty: Double
    /// The machine with the calibration filled in.
    public let calibratedMachine: MachineModel

    /// Runs the reference field with `histories` proposals.
    public init(machine: MachineModel, physics: PhysicsData, histories: UInt64, threads: Int, seed: UInt64 = 1) throws {
        let c = machine.calibration
        let setup = try ReferenceSetup(machine: machine, fieldCM: c.referenceFieldCM, ssdCM: c.referenceSSDCM)
        let model = try SourceModel(machine: machine, physics: physics)
        let source = try PlanSource(model: model, deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: threads).run(histories: histories, seed: seed)
        let d = setup.axisDose(dose, depthCM: c.referenceDepthCM)
        guard d > 0 else { throw BeamError.notCalibrated("machine '\(machine.name)': no dose at the reference point") }
        // Dose (Gy) = D_h × Φ₀ × S with S = 1 MU × sampling area (PlanSource); solve for Φ₀.
        proposalsPerCM2PerMU = c.doseGyPerMU / (d * source.muAreaSum)
        referenceDosePerHistory = d
        let j = Int(c.referenceDepthCM / setup.depthVoxelCM)
        relativeUncertainty = setup.centralAxis(dose)[j].uncertainty
        var m = machine
        m.calibration.proposalsPerCM2PerMU = proposalsPerCM2PerMU
        calibratedMachine = m
    }
}
