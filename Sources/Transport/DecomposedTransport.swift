import Foundation
import Geometry
import Synchronization

/// A decomposed run in one process: the phantom cut into slabs of z planes, each transported by its own
/// `SlabTransport`, in rounds. Round 0 starts the source histories in the slab where their primaries
/// enter; every later round transports, slab by slab, the particles that crossed into it in the round
/// before; the run ends when a round banks no particle. The same exchange the cluster does over the
/// network (docs/cluster.md, "Decomposed mode"), without it.
///
/// Deposits are exactly those of the whole-phantom run (`SlabTransport`), so the summed energy per voxel
/// is bit-identical to `TransportEngine.runRange` of the same histories, for any slab layout.
public struct DecomposedTransport: Sendable {
    /// The slabs, bottom to top, covering every plane once.
    public let slabs: [SlabTransport]
    /// The whole phantom's simulation (its source and geometry start the histories).
    let simulation: Simulation

    /// What one range of histories took.
    public struct Rounds: Sendable, Equatable {
        /// Energy per voxel of the whole grid, in quanta (`EnergyTally.quantumMeV`).
        public var energy: [UInt64]
        /// Rounds until no particle was left (round 0 included).
        public var rounds: Int
        /// Particles handed across a slab face, over all rounds.
        public var bankedParticles: Int
    }

    /// Cuts `simulation`'s phantom into slabs at `boundaries` (the first plane of every slab but the
    /// first, increasing, each a multiple of `TransportSettings.majorantBlockVoxels`).
    /// - Throws: `SlabError` if a boundary does not fit.
    public init(simulation: Simulation, boundaries: [Int]) throws {
        let nz = simulation.phantom.grid.counts.z
        let starts = [0] + boundaries
        let ends = boundaries + [nz]
        guard zip(starts, ends).allSatisfy({ $0 < $1 }) else {
            throw SlabError.badSlab("slab boundaries \(boundaries) must increase strictly inside 1..<\(nz)")
        }
        slabs = try zip(starts, ends).map { try SlabTransport(whole: simulation, planes: $0..<$1) }
        self.simulation = simulation
    }

    /// `count` slabs of nearly equal thickness in whole majorant blocks (fewer if the grid has fewer
    /// blocks along z).
    public static func boundaries(planes nz: Int, slabs count: Int, edge: Int) -> [Int] {
        let blocks = (nz + edge - 1) / edge
        let n = max(1, min(count, blocks))
        return (1..<n).map { s in blocks * s / n * edge }
    }

    /// The slab holding plane `k`.
    public func slab(ofPlane k: Int) -> Int {
        slabs.firstIndex { $0.planes.contains(k) } ?? (k < 0 ? 0 : slabs.count - 1)
    }

    /// Round 0: the start particles of histories `range`, each in the bank of the slab it enters.
    public func sourceBanks(histories range: Range<UInt64>, seed: UInt64) -> [ParticleBank] {
        var banks = [ParticleBank](repeating: ParticleBank(), count: slabs.count)
        var scratch = Simulation.Scratch(for: simulation)
        for h in range {
            scratch.stack.removeAll(keepingCapacity: true)
            simulation.pushStartParticles(h, seed: seed, scratch: &scratch)
            for p in scratch.stack {
                banks[slab(ofPlane: p.k)].particles.append(BankedParticle(particle: p, flight: .start, plane: p.k))
            }
        }
        return banks
    }

    /// Hands each particle of `outgoing` to the bank of the slab it enters.
    public func route(_ outgoing: ParticleBank, into banks: inout [ParticleBank]) {
        for p in outgoing.particles { banks[slab(ofPlane: p.plane)].particles.append(p) }
    }

    /// Runs histories `range` under `seed` until no particle is left, `threads` slabs at a time.
    public func run(histories range: Range<UInt64>, seed: UInt64, threads: Int = 1) -> Rounds {
        var banks = sourceBanks(histories: range, seed: seed)
        let tallies = Mutex(slabs.map { EnergyTally(voxelCount: $0.voxelCount) })
        var rounds = 0, banked = 0
        while banks.contains(where: { !$0.isEmpty }) {
            let busy = banks.indices.filter { !banks[$0].isEmpty }
            let current = banks
            let outgoing = Mutex([(Int, ParticleBank, ParticleBank)]())
            DispatchQueue.concurrentPerform(iterations: min(max(1, threads), busy.count)) { worker in
                for n in stride(from: worker, to: busy.count, by: max(1, threads)) {
                    let s = busy[n]
                    var tally = tallies.withLock { t in
                        let mine = t[s]
                        t[s] = EnergyTally(voxelCount: 0)
                        return mine
                    }
                    let (below, above) = slabs[s].transport(current[s], tally: &tally)
                    tallies.withLock { [tally] in $0[s] = tally }
                    outgoing.withLock { $0.append((s, below, above)) }
                }
            }
            banks = [ParticleBank](repeating: ParticleBank(), count: slabs.count)
            for (_, below, above) in outgoing.withLock({ $0 }).sorted(by: { $0.0 < $1.0 }) {
                route(below, into: &banks)
                route(above, into: &banks)
                banked += below.count + above.count
            }
            rounds += 1
        }
        var energy = [UInt64]()
        energy.reserveCapacity(simulation.phantom.grid.voxelCount)
        for var t in tallies.withLock({ $0 }) {
            t.flush()
            energy.append(contentsOf: t.sum)
        }
        return Rounds(energy: energy, rounds: rounds, bankedParticles: banked)
    }

    /// Runs `histories` histories under `seed` as `batches` consecutive batches (≥ 2; 10 or more for a
    /// trustworthy uncertainty), each to the end of its rounds; `progress` hears of each batch done (its
    /// index, the histories done so far and what its rounds took; `energy` is left empty).
    public func run(histories: UInt64, seed: UInt64, batches: Int, threads: Int = 1,
                    progress: (_ batch: Int, _ historiesDone: UInt64, _ rounds: Rounds) -> Void = { _, _, _ in }) -> BatchTally {
        precondition(batches >= 2 && UInt64(batches) <= histories, "2 ≤ batches ≤ histories")
        var total = BatchTally(voxelCount: simulation.phantom.grid.voxelCount)
        let b = UInt64(batches)
        for n in 0..<b {
            let range = histories * n / b..<histories * (n + 1) / b
            var rounds = run(histories: range, seed: seed, threads: threads)
            total.add(batch: rounds.energy, histories: UInt64(range.count))
            rounds.energy = []
            progress(Int(n), range.upperBound, rounds)
        }
        return total
    }
}
