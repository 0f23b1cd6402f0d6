import Geometry

extension Simulation {
    /// Puts the particles history `history` starts with on `scratch.stack`, where they enter the
    /// phantom: its primaries (or their split copies); a primary that misses the phantom adds nothing.
    /// A single primary continues the history's stream after the source's draws; when a history has
    /// several (a phase-space history), each gets its own stream spawned from it, as secondaries do.
    /// The order of the particles on the stack does not matter: each carries its own stream, and tallies
    /// are integer sums.
    func pushStartParticles(_ history: UInt64, seed: UInt64, scratch: inout Scratch) {
        var rng = RandomStream(seed: seed, history: history)
        scratch.primaries.removeAll(keepingCapacity: true)
        source.emitPrimaries(history: history, rng: &rng, into: &scratch.primaries)
        let g = region.grid
        let single = scratch.primaries.count == 1
        for first in scratch.primaries {
            let stream = single ? rng : rng.spawn()
            guard let entry = g.entry(from: first.positionCM, direction: first.direction) else { continue }
            let r = first.positionCM + first.direction * entry.distanceCM
            let particle = Particle(r: r, u: first.direction, e: first.energyMeV, charge: first.charge,
                                    i: entry.voxel.i, j: entry.voxel.j, k: entry.voxel.k, rng: stream, weight: first.weight)
            if first.charge == 0 && settings.photonSplitting > 1 {
                pushSplitCopies(of: particle, scratch: &scratch)
            } else {
                scratch.stack.append(particle)
            }
        }
    }
}
