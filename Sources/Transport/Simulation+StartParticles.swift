import Geometry

extension Simulation {
    /// Puts the particles history `history` starts with on `scratch.stack`, where they enter the
    /// phantom: its primary (or its split copies), or nothing when the primary misses. A primary outside
    /// the phantom is moved along its direction to where it enters.
    func pushStartParticles(_ history: UInt64, seed: UInt64, scratch: inout Scratch,
                            primary: (inout RandomStream) -> PrimaryParticle) {
        var rng = RandomStream(seed: seed, history: history)
        let g = region.grid
        let first = primary(&rng)
        guard let entry = g.entry(from: first.positionCM, direction: first.direction) else { return }
        let r = first.positionCM + first.direction * entry.distanceCM
        let particle = Particle(r: r, u: first.direction, e: first.energyMeV, charge: first.charge,
                                i: entry.voxel.i, j: entry.voxel.j, k: entry.voxel.k, rng: rng)
        if first.charge == 0 && settings.photonSplitting > 1 {
            pushSplitCopies(of: particle, scratch: &scratch)
        } else {
            scratch.stack.append(particle)
        }
    }
}

extension Simulation {
    /// `pushStartParticles` from the beam source.
    func pushStartParticles(_ history: UInt64, seed: UInt64, scratch: inout Scratch) {
        guard let source else {
            preconditionFailure("Simulation.pushStartParticles: this simulation has no beam source")
        }
        let front = phantom.grid.originCM.z
        pushStartParticles(history, seed: seed, scratch: &scratch) { rng in
            let p = source.sample(frontZCM: front, rng: &rng)
            return PrimaryParticle(positionCM: p.positionCM, direction: p.direction, energyMeV: p.energyMeV, charge: 0)
        }
    }
}
