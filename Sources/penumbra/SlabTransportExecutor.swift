import Cluster
import Dispatch
import Foundation
import PhaseSpace
import Synchronization
import Transport

/// Runs the units of decomposed jobs: `simulate`'s (workload `transport-slab`: the beam and settings in
/// `JobSpec.parameters` as `TransportJob`, the spectrum, if any, as a common input), `simulate
/// --phase-space`'s (workload `phase-space-slab`: `PhaseSpaceSlabJob`, the phase space's two files as the
/// common inputs) and `run`'s (workload `plan-slab`: `PlanSlabJob`, the RT Plan as the common input); each
/// slab's part of the phantom (`SlabPhantomInput`) is that slab's input. A worker holds only the slabs it runs; the physics (media
/// tables, source) is prepared once per job (once per plan for every beam and round of a plan), each slab
/// once per job and slab.
final class SlabTransportExecutor: UnitExecutor {
    /// The workload name of decomposed `simulate` jobs.
    static let workload = "transport-slab"
    let workloads = [SlabTransportExecutor.workload, PlanSlabJob.workload, PhaseSpaceSlabJob.workload]
    /// Prepared physics by job parameters, common inputs and media, and prepared slabs by those and
    /// the slab input.
    private let prepared = Mutex<(physics: [ContentDigest: Physics], slabs: [ContentDigest: Slab])>(([:], [:]))
    /// A job's physics, with its phase-space source for a phase-space job (its reads can fail mid-run).
    private typealias Physics = (simulation: Simulation, phaseSpace: PhaseSpaceSource?)
    private typealias Slab = (transport: SlabTransport, phaseSpace: PhaseSpaceSource?)
    /// Round 0's start particles, sampled once per batch for the slabs this executor runs.
    private let sources = BatchSources()

    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        throw ClusterError.invalidJob("workload '\(unit.spec.workload)' runs decomposed units only (ASSIGN_SLAB)")
    }

    func execute(slab unit: SlabWorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> SlabUnitResult {
        let spec = unit.spec
        guard let decomposition = spec.decomposition else { throw ClusterError.invalidJob("\(unit.key): not a decomposed job") }
        let common = decomposition.commonInputs(of: spec)
        let plan = spec.workload == PlanSlabJob.workload
            ? try JSONDecoder().decode(PlanSlabJob.self, from: Data(spec.parameters)) : nil
        let (transport, phaseSpace) = try prepared(
            unit, plan: plan, common: common.map { inputs[$0] ?? [] }, slabInput: inputs[unit.slabInput] ?? [])
        var bank = ParticleBank()
        if unit.key.round == 0 {
            // A plan job's histories are one beam's streams (`PlanSlabJob.streams(of:)`).
            let histories = try plan?.streams(of: unit.histories) ?? unit.histories
            bank = sources.bank(for: unit, histories: histories, transport: transport)
            // A phase space read short during the sampling: the unit fails rather than miss histories.
            try phaseSpace?.checkReads()
        } else {
            for digest in unit.banks {
                let decoded = try ParticleBank(decoding: inputs[digest] ?? [], for: transport, seed: spec.seed)
                // The first bank is taken as it is: copying particles is a large part of a round's cost.
                if bank.isEmpty { bank = decoded } else { bank.append(contentsOf: decoded) }
            }
        }
        // Contiguous parts on `threads` threads (one thread: the bank itself, not a copy): tallies are
        // integer sums and each particle carries its own stream, so the split changes neither the
        // energy nor any particle sent on.
        let parts = threads <= 1 ? [bank] : bank.chunks(ofAtMost: max(1, (bank.count + threads - 1) / threads))
        let outputs = Mutex([(Int, EnergyTally, ParticleBank)]())
        DispatchQueue.concurrentPerform(iterations: parts.count) { n in
            var tally = EnergyTally(voxelCount: transport.voxelCount)
            let (below, above) = transport.transport(parts[n], tally: &tally)
            var out = below
            out.append(contentsOf: above)
            tally.flush()
            outputs.withLock { [tally] in $0.append((n, tally, out)) }
        }
        var energy = EnergyTally(voxelCount: transport.voxelCount)
        var outgoing = ParticleBank()
        for (_, tally, out) in outputs.withLock({ $0 }).sorted(by: { $0.0 < $1.0 }) {
            energy.merge(tally)
            if outgoing.isEmpty { outgoing = out } else { outgoing.append(contentsOf: out) }
        }
        var banks: [SlabUnitResult.OutgoingBank] = []
        let planeCount = Int(spec.layout.countZ)
        for slab in 0..<decomposition.slabCount where slab != Int(unit.key.slab) {
            let bound = outgoing.filter(planes: decomposition.planes(ofSlab: slab, planeCount: planeCount))
            for chunk in bound.chunks(ofAtMost: ParticleBank.maximumCount) {
                banks.append(SlabUnitResult.OutgoingBank(slab: UInt32(slab), bytes: chunk.encoded()))
            }
        }
        return SlabUnitResult(key: unit.key, slabEnergy: Array(energy.sum), outgoing: banks)
    }

    /// The unit's slab, prepared once per job and slab: its phantom from the slab input, the physics
    /// from the job's beam and settings on the whole grid's front face, or from the plan (the tables once
    /// per job, or per plan: a slab transport takes any simulation with the same media and settings as its
    /// physics).
    private func prepared(_ unit: SlabWorkUnit, plan: PlanSlabJob?, common: [[UInt8]], slabInput: [UInt8]) throws -> Slab {
        let spec = unit.spec
        let jobKey = Array(spec.workload.utf8) + (try plan?.physicsKey() ?? spec.parameters)
            + common.flatMap { ContentDigest(of: $0).bytes }
        let key = ContentDigest(of: jobKey + unit.slabInput.bytes)
        // Built under the lock: embedded workers share this executor, and the second one to start
        // waits for the tables instead of building its own copy.
        return try prepared.withLock { cache in
            if let cached = cache.slabs[key] { return cached }
            let input = try SlabPhantomInput(decoding: slabInput)
            guard input.grid.voxelCount == spec.layout.voxelCount, input.grid.counts.z == Int(spec.layout.countZ),
                input.firstPlane..<input.firstPlane + input.slab.grid.counts.z == unit.planes
            else {
                throw ClusterError.invalidJob(
                    "\(unit.key): the slab input holds planes from \(input.firstPlane) of a \(input.grid.counts) grid, the unit needs planes \(unit.planes) of \(spec.layout.countX)×\(spec.layout.countY)×\(spec.layout.countZ)")
            }
            let physicsKey = ContentDigest(of: jobKey + Array(input.slab.media.joined(separator: "\n").utf8))
            let physics: Physics
            if let cached = cache.physics[physicsKey] {
                physics = cached
            } else {
                physics = try Self.physics(unit, plan: plan, common: common, input: input)
                if cache.physics.count >= 4 { cache.physics.removeAll() }
                cache.physics[physicsKey] = physics
            }
            let built = (
                try SlabTransport(slab: input.slab, of: input.grid, firstPlane: input.firstPlane, physics: physics.simulation),
                physics.phaseSpace
            )
            if cache.slabs.count >= 16 { cache.slabs.removeAll() }
            cache.slabs[key] = built
            return built
        }
    }

    /// The physics of a job on a slab's media: the beam's on the whole grid's front face, the plan's, or
    /// the phase space's (its files written once into the worker's temporary directory).
    private static func physics(_ unit: SlabWorkUnit, plan: PlanSlabJob?, common: [[UInt8]], input: SlabPhantomInput) throws -> Physics {
        let spec = unit.spec
        switch spec.workload {
        case PlanSlabJob.workload:
            guard let plan, let planBytes = common.first else {
                throw ClusterError.invalidJob("\(unit.key): a plan-slab job needs the RT Plan as its common input")
            }
            return (try PlanSlabJob.simulation(plan: plan.plan, planBytes: planBytes, on: input.slab), nil)
        case PhaseSpaceSlabJob.workload:
            guard common.count == 2 else {
                throw ClusterError.invalidJob("\(unit.key): a phase-space-slab job needs the header and the data as its common inputs")
            }
            let job = try JSONDecoder().decode(PhaseSpaceSlabJob.self, from: Data(spec.parameters))
            let (simulation, source) = try job.simulation(
                on: input.slab, of: input.grid, header: common[0], data: common[1],
                cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("penumbra-phase-spaces"))
            return (simulation, source)
        default:
            let job = try JSONDecoder().decode(TransportJob.self, from: Data(spec.parameters))
            return (try job.simulation(on: input.slab, frontZCM: input.grid.originCM.z, spectrum: common.first), nil)
        }
    }
}
