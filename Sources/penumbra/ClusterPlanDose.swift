import Beam
import Cluster
import Foundation
import Geometry
import Logging
import Phantom
import Physics
import Transport

/// `penumbra run`'s dose on the cluster code path (embedded workers or a running coordinator): one
/// `PlanJob` that stops at the target uncertainty, its stacked per-beam tallies turned into Gy.
struct ClusterPlanDose {
    /// Per-beam doses and their sum, Gy per fraction.
    struct Result {
        let beamDoses: [DoseDistribution]
        let total: DoseDistribution
        let histories: UInt64
        let seconds: Double
        /// The stop rule's figure for the committed histories: the mean relative uncertainty above half
        /// the maximum dose, over voxels of at least `PlanJob.minimumStopDensityGPerCM3`.
        let relativeUncertainty: Double
    }

    let machine: MachineModel
    let deliveries: [BeamDelivery]
    let phantom: VoxelPhantom
    let patientPosition: PatientPosition
    /// The RT Plan file's bytes (the workers rebuild the deliveries from it).
    let planBytes: [UInt8]
    let targetUncertainty: Double
    let maximumHistories: UInt64
    let seed: UInt64
    let compute: ComputeOptions
    let logger: Logger

    /// Histories per unit (spans of units adapt to each worker's pace), more for history limits that
    /// would make over half the cluster's maximum unit count.
    var historiesPerUnit: UInt64 { max(1_000, maximumHistories / (JobSpec.maximumUnitCount / 2)) }
    /// Units before the first stop decision; later decisions come at 2×, 4×, … as many.
    static let firstCheckpointUnits: UInt32 = 100

    func run() throws -> Result {
        let start = Date()
        guard !deliveries.isEmpty else { throw BeamError.badPlan("the plan has no treatment beams with monitor units") }
        // The workers transport in the phantom as its text reads back; so does the dose conversion here.
        let phantomText = Array(try EGSPhantomFile.format(phantom).utf8)
        let phantom = try EGSPhantomFile.parse(String(decoding: phantomText, as: UTF8.self), file: "phantom")
        let model = try SourceModel(machine: machine, physics: try PhysicsData.bundled())
        let sources = try deliveries.map {
            try PlanSource(model: model, deliveries: [$0], patientPosition: patientPosition)
        }
        let job = PlanJob(
            machine: machine, patientPosition: patientPosition, beamNumbers: deliveries.map(\.number), sources: sources)
        // Throws `BeamError.notCalibrated` before any transport when the machine has no MU calibration.
        let weights = try job.stopWeights(phantom: phantom, sources: sources)
        let inputs = [
            phantomText, planBytes, weights.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) },
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let spec = JobSpec(
            workload: PlanJob.workload, layout: try SlabLayout(grid: phantom.grid, stackedGroups: sources.count),
            seed: seed,
            historyCount: maximumHistories, historiesPerUnit: historiesPerUnit,
            inputs: inputs.map { ContentDigest(of: $0) }, parameters: Array(try encoder.encode(job)),
            stop: UncertaintyTarget(
                relativeUncertainty: targetUncertainty, doseFraction: 0.5,
                firstCheckpointUnits: Self.firstCheckpointUnits,
                weightsInput: 2, groups: UInt32(sources.count)))
        try spec.validate()
        let (status, tally) = try compute.run(spec, inputs: inputs, executor: AllWorkloads(), logger: logger)
        let n = phantom.grid.voxelCount
        let beamDoses = try sources.indices.map { b -> DoseDistribution in
            let slice = b * n..<(b + 1) * n
            let beam = EnergyTally(
                histories: job.histories(ofBeam: b, before: tally.historyCount), sum: Array(tally.energySum[slice]),
                sumOfSquares: Array(tally.energySquaredSum[slice]))
            let perHistory = DoseDistribution(tally: beam, phantom: phantom)
            let scale = try sources[b].gyPerHistoryScale()
            return DoseDistribution(
                grid: phantom.grid, doseGyPerHistory: perHistory.doseGyPerHistory.map { $0 * scale },
                relativeUncertainty: perHistory.relativeUncertainty, quantity: perHistory.quantity)
        }
        return Result(
            beamDoses: beamDoses, total: PlanDoseCalculation.sum(beamDoses, grid: phantom.grid),
            histories: tally.historyCount,
            seconds: Date().timeIntervalSince(start), relativeUncertainty: status.relativeUncertainty ?? .infinity)
    }
}
