import Cluster
import Synchronization
import Transport

/// The start particles of decomposed batches, sampled once per batch by an executor and dealt to the
/// slabs it runs, instead of once by every slab's round-0 unit. A slab's bank is exactly what
/// `SlabTransport.sourceBank` gives it (`sourceBanks` deals one sampling by plane), so units, their
/// tallies and the particles they send on are bit for bit those of a fresh sampling.
///
/// Only the slabs this executor has run for the job are dealt (every slab for embedded workers, which
/// share one executor; a worker process's own slabs otherwise), and the banks wait here until their
/// slab's round-0 unit takes them. A unit that finds no bank (the first batch, a retry, a slab new to
/// this executor) samples anew. At most `maximumParticles` wait at a time; beyond that the oldest
/// batches are dropped, which costs a sampling, never a particle.
final class BatchSources: Sendable {
    /// The most start particles kept waiting (a `BankedParticle` is a few hundred bytes in memory).
    static let maximumParticles = 500_000

    private struct Key: Hashable {
        let spec: JobSpec
        let histories: Range<UInt64>
    }

    private struct State {
        var waiting: [Key: [Int: ParticleBank]] = [:]
        var order: [Key] = []
        var particles = 0
        var slabsRun: [JobSpec: Set<Int>] = [:]

        mutating func forget(_ key: Key) {
            order.removeAll { $0 == key }
            guard let banks = waiting.removeValue(forKey: key) else { return }
            particles -= banks.values.reduce(0) { $0 + $1.count }
        }
    }

    private let state = Mutex(State())

    /// Slab `unit.key.slab`'s start particles of the unit's batch.
    /// - Parameters:
    ///   - histories: the random-stream indices of the batch's histories (`unit.histories`, or those shifted
    ///     to a plan beam's streams, `PlanSlabJob`).
    ///   - transport: the unit's slab (the source and the geometry are the whole grid's).
    func bank(for unit: SlabWorkUnit, histories: Range<UInt64>, transport: SlabTransport) -> ParticleBank {
        let spec = unit.spec, slab = Int(unit.key.slab)
        let key = Key(spec: spec, histories: histories)
        // Sampled under the lock, so two embedded workers starting the same batch sample it once.
        return state.withLock { state in
            if state.slabsRun.count > 4, state.slabsRun[spec] == nil { state.slabsRun.removeAll() }
            state.slabsRun[spec, default: []].insert(slab)
            if let bank = state.waiting[key]?.removeValue(forKey: slab) {
                state.particles -= bank.count
                if state.waiting[key]!.isEmpty { state.forget(key) }
                return bank
            }
            let decomposition = spec.decomposition!
            let slabs = [slab] + state.slabsRun[spec]!.subtracting([slab]).sorted()
            let planes = slabs.map { decomposition.planes(ofSlab: $0, planeCount: Int(spec.layout.countZ)) }
            let banks = transport.sourceBanks(histories: histories, seed: spec.seed, slabs: planes)
            if slabs.count > 1 {
                state.forget(key)
                state.waiting[key] = Dictionary(uniqueKeysWithValues: zip(slabs.dropFirst(), banks.dropFirst()))
                state.order.append(key)
                state.particles += banks.dropFirst().reduce(0) { $0 + $1.count }
                while state.particles > Self.maximumParticles, let oldest = state.order.first { state.forget(oldest) }
            }
            return banks[0]
        }
    }
}
