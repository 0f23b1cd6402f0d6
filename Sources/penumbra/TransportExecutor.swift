import Cluster
import Foundation
import Phantom
import Synchronization
import Transport

/// A `simulate` job as it travels through the cluster: the beam and settings in
/// `JobSpec.parameters` (JSON), the phantom (`.egsphant` text) as input 0 and, for a spectrum beam,
/// the `.spectrum` text as input 1. Workers fetch inputs once by SHA-256 and cache them.
struct TransportJob: Codable, Equatable, Sendable {
    /// The workload name in `JobSpec.workload`.
    static let workload = "transport"
    /// Field on the front face: X1, X2, Y1, Y2 in cm.
    var fieldCM: [Double]
    /// Source-to-surface distance of the point source in cm; nil for a parallel beam.
    var ssdCM: Double?
    /// Monoenergetic photon energy in MeV; nil when input 1 is a spectrum.
    var energyMeV: Double?
    /// Transport cut-offs and step controls.
    var settings: TransportSettings

    /// The job as `JobSpec.parameters`: JSON with sorted keys, so the same job gives the same bytes (and
    /// the same job digest) on every run.
    func parameters() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    /// The configured simulation of a job whose inputs are `inputs` (phantom, then optional spectrum).
    func simulation(inputs: [[UInt8]]) throws -> Simulation {
        guard let phantomText = inputs.first else { throw ClusterError.invalidJob("transport job without a phantom input") }
        let phantom = try EGSPhantomFile.parse(String(decoding: phantomText, as: UTF8.self), file: "phantom input")
        return try simulation(on: phantom, frontZCM: phantom.grid.originCM.z, spectrum: inputs.count == 2 ? inputs[1] : nil)
    }

    /// The simulation of this beam on `phantom` (the whole phantom, or one slab of it whose whole grid's
    /// front face is at z = `frontZCM`), with the spectrum text when the job has no energy.
    func simulation(on phantom: VoxelPhantom, frontZCM: Double, spectrum: [UInt8]?) throws -> Simulation {
        let energy: SourceEnergy
        if let energyMeV {
            energy = .monoenergetic(MeV: energyMeV)
        } else {
            guard let spectrum else { throw ClusterError.invalidJob("transport job without energy or spectrum") }
            energy = .spectrum(try PhotonSpectrum.parse(String(decoding: spectrum, as: UTF8.self), file: "spectrum input"))
        }
        guard fieldCM.count == 4 else { throw ClusterError.invalidJob("the field needs X1, X2, Y1, Y2") }
        let field = try FieldRectangle(x1CM: fieldCM[0], x2CM: fieldCM[1], y1CM: fieldCM[2], y2CM: fieldCM[3])
        let source: BeamSource = ssdCM.map { .pointSource(ssdCM: $0, field: field, energy: energy) }
            ?? .parallel(field: field, energy: energy)
        let media = try PhysicsMedium.media(named: phantom.media, settings: settings)
        return try Simulation(
            phantom: phantom, mediumPhysics: media, source: FrontFaceBeam(source, frontZCM: frontZCM), settings: settings,
            water: settings.doseQuantity == .water ? try PhysicsMedium.water(settings: settings) : nil)
    }
}

/// Runs transport units: the transport engine on the unit's history range, its fixed-point tally
/// returned as per-slab sparse tallies. A history's random stream depends only on (seed, history
/// index), so the merged result is bit-identical to a single-machine run.
final class TransportExecutor: UnitExecutor {
    let workloads = [TransportJob.workload]
    /// Prepared engines by job (digest of its parameters and inputs) and thread count: media tables are
    /// built once, and each engine keeps its threads' tallies from unit to unit (emptied, not reallocated).
    private let engines = Mutex<[ContentDigest: TransportEngine]>([:])

    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        let spec = unit.spec
        let key = ContentDigest(of: spec.parameters + spec.inputs.flatMap(\.bytes) + [UInt8(clamping: threads)])
        // Built under the lock: embedded workers share this executor, and the second one to start
        // waits for the tables instead of building its own copy.
        let engine = try engines.withLock { cache in
            if let cached = cache[key] { return cached }
            let job = try JSONDecoder().decode(TransportJob.self, from: Data(spec.parameters))
            let built = try TransportEngine(
                simulation: try job.simulation(inputs: spec.inputs.map { inputs[$0] ?? [] }), threads: threads)
            if cache.count >= 4 { cache.removeAll() }
            cache[key] = built
            return built
        }
        guard engine.simulation.phantom.grid.voxelCount == spec.layout.voxelCount else {
            throw ClusterError.invalidJob(
                "the phantom has \(engine.simulation.phantom.grid.voxelCount) voxels, the job's grid \(spec.layout.voxelCount)")
        }
        let (histories, slabs) = engine.runRange(unit.histories, seed: spec.seed) { tally in
            var slabs = SlabTallyBuilder(layout: spec.layout)
            slabs.append(tally)
            return (tally.histories, slabs.finish())
        }
        return UnitResult(
            key: unit.key, historyCount: histories, slabs: slabs, tallyMemory: TallyMemory(engine.tallyBytesPerThread))
    }
}

/// Every workload this build of `penumbra` can run, dispatched by `JobSpec.workload`.
struct AllWorkloads: UnitExecutor {
    private let transport = TransportExecutor()
    private let plan = PlanExecutor()
    let executors: [any UnitExecutor]
    var workloads: [String] { executors.flatMap(\.workloads) }

    init() {
        executors = [transport, SlabTransportExecutor(), plan, SyntheticWorkload()]
    }

    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        try executor(for: unit.spec).execute(unit, inputs: inputs, threads: threads)
    }

    func execute(slab unit: SlabWorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> SlabUnitResult {
        try executor(for: unit.spec).execute(slab: unit, inputs: inputs, threads: threads)
    }

    private func executor(for spec: JobSpec) throws -> any UnitExecutor {
        guard let executor = executors.first(where: { $0.workloads.contains(spec.workload) }) else {
            throw ClusterError.invalidJob("this worker cannot run workload '\(spec.workload)'")
        }
        return executor
    }
}
