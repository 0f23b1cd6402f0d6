import Beam
import Cluster
import DICOM
import Foundation
import Phantom
import Physics
import Transport

/// One beam's histories of a decomposed `penumbra run` as a cluster job (workload `"plan-slab"`): the plan
/// (`PlanJob`: machine, patient position, beams, sampling, photon splitting, fraction group) and which beam
/// and which of its histories in `JobSpec.parameters`; the RT Plan file as the common input (as the
/// replicated `"plan"` job carries it), one `SlabPhantomInput` per slab.
///
/// The job's history h is history `firstHistory + h` of beam `beam`, random stream
/// `PlanStreamSource.streams(ofBeam:histories:)`: the same stream the replicated run gives that history.
/// Every beam and every round of a plan shares one physics (`physicsKey`), so a worker builds the media
/// tables and cuts its slabs once per plan.
struct PlanSlabJob: Codable, Equatable, Sendable {
    /// The workload name in `JobSpec.workload`.
    static let workload = "plan-slab"

    /// The plan's beams and how they run (its `cycle` and `firstHistory` are not used).
    var plan: PlanJob
    /// The index of the beam in `plan.beamNumbers`.
    var beam: Int
    /// The beam's histories before this job's first.
    var firstHistory: UInt64

    /// The job as `JobSpec.parameters` (sorted keys: the same job, the same bytes).
    func parameters() throws -> [UInt8] { try Self.sortedJSON(self) }

    /// What the physics depends on: the plan without the beam and histories of one job.
    func physicsKey() throws -> [UInt8] { try Self.sortedJSON(plan) }

    private static func sortedJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(value))
    }

    /// The random streams of the job's histories `histories`.
    /// - Throws: `ClusterError.invalidJob` for a beam the plan does not have, or histories beyond the
    ///   beam's 2⁴⁰ streams.
    func streams(of histories: Range<UInt64>) throws -> Range<UInt64> {
        guard plan.beamNumbers.indices.contains(beam) else {
            throw ClusterError.invalidJob("plan-slab job for beam index \(beam) of a plan with \(plan.beamNumbers.count) beams")
        }
        let (end, overflow) = firstHistory.addingReportingOverflow(histories.upperBound)
        guard !overflow, end <= 1 << PlanStreamSource.beamShift else {
            throw ClusterError.invalidJob("plan-slab job: beam history \(firstHistory) + \(histories.upperBound) is past the beam's 2⁴⁰ streams")
        }
        return PlanStreamSource.streams(ofBeam: beam, histories: firstHistory + histories.lowerBound..<end)
    }

    /// The plan's simulation on `phantom` (the whole phantom, or a slab of it: the sources are in patient
    /// coordinates) with the RT Plan file `planBytes`: every beam in one `PlanStreamSource`, the media
    /// tables and settings exactly those of `PlanExecutor`'s per-beam engines.
    static func simulation(plan: PlanJob, planBytes: [UInt8], on phantom: VoxelPhantom) throws -> Simulation {
        let rtPlan = try Plan(try DICOMFile.parse(planBytes).dataSet)
        let sources = try plan.sources(plan: rtPlan, physics: try PhysicsData.bundled())
        var settings = TransportSettings()
        settings.photonSplitting = plan.photonSplitting
        try settings.validate()
        let media = try PhysicsMedium.media(named: phantom.media, settings: settings)
        return try Simulation(
            phantom: phantom, mediumPhysics: media, source: PlanStreamSource(beams: sources), settings: settings)
    }
}
