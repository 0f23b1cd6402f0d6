import Beam
import Geometry
import Logging
import Phantom
import Physics

/// What a `penumbra run` dose needs, whichever way it transports: replicated (`ClusterPlanDose`) or
/// slab-decomposed (`DecomposedPlanDose`).
struct PlanDoseRequest {
    let machine: MachineModel
    let deliveries: [BeamDelivery]
    /// The fraction group whose monitor units the deliveries carry (the workers read the plan's MU from it).
    let fractionGroup: Int?
    let phantom: VoxelPhantom
    let patientPosition: PatientPosition
    /// The RT Plan file's bytes (the workers rebuild the deliveries from it).
    let planBytes: [UInt8]
    let targetUncertainty: Double
    let maximumHistories: UInt64
    /// Histories of the first round, and the fewest of any later one.
    let firstRoundHistories: UInt64
    /// Copies of each primary photon (1: off).
    let photonSplitting: Int
    let seed: UInt64
    let compute: ComputeOptions
    let logger: Logger

    /// One source per beam (open aperture sampling) and the job that deals the histories to them.
    /// - Throws: `BeamError.badPlan` when the plan has no beam to compute.
    func beams() throws -> (job: PlanJob, sources: [PlanSource]) {
        guard !deliveries.isEmpty else { throw BeamError.badPlan("the plan has no treatment beams with monitor units") }
        let model = try SourceModel(machine: machine, physics: try PhysicsData.bundled())
        let sources = try deliveries.map {
            try PlanSource(model: model, deliveries: [$0], patientPosition: patientPosition, sampling: .openAperture)
        }
        var job = PlanJob(
            machine: machine, patientPosition: patientPosition, beamNumbers: deliveries.map(\.number), sources: sources)
        job.photonSplitting = photonSplitting
        job.fractionGroup = fractionGroup
        return (job, sources)
    }
}
