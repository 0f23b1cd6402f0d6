import Foundation
import Geometry

extension Simulation {
    /// Transports a photon until it is absorbed, falls below the cut-off or leaves the phantom (or the
    /// active slab).
    ///
    /// Woodcock (delta) tracking against per-block majorants (Woodcock et al. 1965, ANL-7050): the
    /// photon flies an exponential number of majorant mean free paths block by block; at the end point a
    /// real interaction happens with probability μ(voxel)/μ_block, otherwise the collision is virtual and
    /// the flight continues.
    ///
    /// A flight that enters a majorant block outside the active slab stops there and is banked in
    /// `scratch.outgoing`.
    func transportPhoton(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch) {
        photonTransport(&p, tally: &tally, scratch: &scratch, resuming: nil)
    }

    /// Continues a flight that stopped at a slab face (`BankedParticle`), then transports the photon on.
    func transportPhoton(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch,
                         resuming: PhotonFlight) {
        photonTransport(&p, tally: &tally, scratch: &scratch, resuming: resuming)
    }

    /// The body of both entries, inlined into each so that a fresh photon's call copies no optional
    /// flight (as `chargedTransport`).
    @inline(__always)
    private func photonTransport(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch,
                                 resuming: PhotonFlight?) {
        let blocks = majorant.blocks
        let edge = majorant.edge
        var resumed = resuming
        while true {
            var flight: PhotonFlight
            if let r = resumed {
                flight = r
                resumed = nil
            } else {
                if p.e < settings.photonCutoffMeV {
                    depositLocally(p.e, p, &tally)
                    return
                }
                // Fly to the next real interaction.
                flight = PhotonFlight(tau: -log(p.rng.uniform()), travelled: 0,
                                      walk: VoxelWalk(grid: blocks, voxel: (p.i / edge, p.j / edge, p.k / edge),
                                                      pointCM: p.r, direction: p.u))
            }
            // ln E once for every medium's μ and the interaction's branching fractions.
            let lnE = log(p.e)
            for m in 0..<tables.count { scratch.muPerMedium[m] = tables[m].photonMu(lnEnergy: lnE) }
            var interacts = false
            var leavesSlab = false
            scratch.muPerMedium.withUnsafeBufferPointer { mu in
                while true {
                    let b = blocks.index(flight.walk.i, flight.walk.j, flight.walk.k) - majorant.blockOffset
                    let muB = majorant.mu(block: b, muPerMedium: mu)
                    let exit = flight.walk.exitDistance
                    if muB > 0 && flight.tau <= muB * (exit - flight.travelled) {
                        flight.travelled += flight.tau / muB
                        let q = p.r + p.u * flight.travelled
                        let c = candidate(at: q, inBlock: flight.walk, mu: mu)
                        if p.rng.uniform() * muB < c.muReal {
                            p.r = q
                            (p.i, p.j, p.k) = c.voxel
                            interacts = true
                            return
                        }
                        flight.tau = -log(p.rng.uniform())
                    } else {
                        flight.tau -= muB * (exit - flight.travelled)
                        flight.travelled = exit
                        if !flight.walk.advance() { return }
                        if !region.planes.contains(flight.walk.k * edge) {
                            leavesSlab = true
                            return
                        }
                    }
                }
            }
            if leavesSlab {
                scratch.outgoing.append(BankedParticle(particle: p, flight: .photon(flight), plane: flight.walk.k * edge))
                return
            }
            guard interacts else { return }  // left the phantom
            if !interact(&p, lnEnergy: lnE, tally: &tally, scratch: &scratch) { return }
        }
    }

    /// The voxel at a Woodcock candidate point `q` of a flight in majorant block `walk`, kept inside that
    /// block, and the real attenuation coefficient there (`mu`: μ/ρ per medium at the photon's energy).
    /// The last block of an axis may reach past the phantom (counts not a multiple of the edge): a
    /// candidate point there lies in vacuum, μ = 0, and is always virtual. Both drivers test here.
    @inline(__always)
    func candidate(at q: Vec3, inBlock walk: VoxelWalk, mu: UnsafeBufferPointer<Double>)
        -> (voxel: (Int, Int, Int), muReal: Double)
    {
        let voxel = candidateVoxel(at: q, inBlock: walk)
        return (voxel, realMu(voxel, mu: mu))
    }

    /// The voxel part of `candidate`: no voxel data read (the event driver reads the data of all its
    /// lanes' candidates in one pass afterwards, so that their cache misses overlap).
    @inline(__always)
    func candidateVoxel(at q: Vec3, inBlock walk: VoxelWalk) -> (Int, Int, Int) {
        let g = region.grid
        let edge = majorant.edge
        let i = voxelInBlock((q.x - g.originCM.x) / g.spacingCM.x, walk.i * edge, edge)
        let j = voxelInBlock((q.y - g.originCM.y) / g.spacingCM.y, walk.j * edge, edge)
        let k = voxelInBlock((q.z - g.originCM.z) / g.spacingCM.z, walk.k * edge, edge)
        return (i, j, k)
    }

    /// The real attenuation coefficient in a candidate's voxel (0 past the phantom).
    @inline(__always)
    func realMu(_ voxel: (Int, Int, Int), mu: UnsafeBufferPointer<Double>) -> Double {
        let g = region.grid
        guard voxel.0 < g.counts.x && voxel.1 < g.counts.y && voxel.2 < g.counts.z else { return 0 }
        let v = region.dataIndex(voxel.0, voxel.1, voxel.2)
        return density[v] * mu[medium[v]]
    }

    /// The voxel index at fractional position `f` along one axis, kept inside the block that starts at
    /// `blockStart` (rounding at the block's faces must not move the point into a neighbour block). It
    /// may be past the phantom's last voxel when the block reaches beyond the phantom.
    @inline(__always)
    func voxelInBlock(_ f: Double, _ blockStart: Int, _ edge: Int) -> Int {
        min(max(Int(f.rounded(.down)), blockStart), blockStart + edge - 1)
    }

    /// One real photon interaction at the particle's position; `lnEnergy` is ln of its energy. Returns
    /// false when the photon is gone.
    func interact(_ p: inout Particle, lnEnergy: Double, tally: inout EnergyTally, scratch: inout Scratch) -> Bool {
        let v = voxelIndex(p)
        let t = tables[medium[v]]
        let at = t.locate(lnEnergy: lnEnergy)
        let r = p.rng.uniform()
        if r < t.value(t.fractionPhoto, at) {
            // Photoelectric: the photo-electron takes the photon's energy (atomic relaxation off, as in
            // the reference runs; binding energies < 4 keV in tissue are absorbed with it).
            let cosTheta = t.physics.samplePhotoelectronCosTheta(kineticEnergyMeV: p.e, rng: &p.rng)
            let u = p.u.rotated(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
            emitElectron(energyMeV: p.e, direction: u, charge: -1, from: &p, tally: &tally, scratch: &scratch)
            return false
        } else if r < t.value(t.fractionPhotoCompton, at) {
            let (e1, cosTheta) = t.physics.sampleCompton(energyMeV: p.e, rng: &p.rng)
            let phi = 2 * Double.pi * p.rng.uniform()
            let u1 = p.u.rotated(cosTheta: cosTheta, phi: phi)
            // The electron takes the momentum difference: p_e = E u − E′ u′ (units of MeV/c).
            let pe = p.u * p.e - u1 * e1
            emitElectron(energyMeV: p.e - e1, direction: pe.normalized, charge: -1, from: &p, tally: &tally, scratch: &scratch)
            p.e = e1
            p.u = u1
            return survivesRoulette(&p)
        } else if r < t.value(t.fractionNoPair, at) {
            let cosTheta = t.physics.sampleRayleighCosTheta(energyMeV: p.e, rng: &p.rng)
            p.u = p.u.rotated(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
            return survivesRoulette(&p)
        } else {
            let (tMinus, tPlus) = t.physics.samplePair(energyMeV: p.e, rng: &p.rng)
            // Polar angles θ = mc²/E (EGSnrc's "Pair angular sampling = Off"), opposite azimuths.
            let phi = 2 * Double.pi * p.rng.uniform()
            let m = MultipleScattering.electronMassMeV
            let uMinus = p.u.rotated(cosTheta: cos(min(m / (tMinus + m), .pi)), phi: phi)
            let uPlus = p.u.rotated(cosTheta: cos(min(m / (tPlus + m), .pi)), phi: phi + .pi)
            emitElectron(energyMeV: tMinus, direction: uMinus, charge: -1, from: &p, tally: &tally, scratch: &scratch)
            emitElectron(energyMeV: tPlus, direction: uPlus, charge: 1, from: &p, tally: &tally, scratch: &scratch)
            return false
        }
    }

    /// Puts a new electron or positron on the stack, or absorbs it locally below the cut-off (a positron
    /// then annihilates at rest).
    func emitElectron(energyMeV: Double, direction: Vec3, charge: Int8, from p: inout Particle,
                      tally: inout EnergyTally, scratch: inout Scratch) {
        if energyMeV < settings.electronCutoffMeV {
            depositLocally(max(energyMeV, 0), p, &tally)
            if charge > 0 { annihilateAtRest(at: &p, scratch: &scratch) }
            return
        }
        var child = p
        child.rng = p.rng.spawn()
        child.e = energyMeV
        child.u = direction
        child.charge = charge
        scratch.stack.append(child)
    }

    /// Two 511 keV photons back to back in an isotropic direction (PHYSICS.md §2.6).
    func annihilateAtRest(at p: inout Particle, scratch: inout Scratch) {
        var photon = p
        photon.rng = p.rng.spawn()
        photon.charge = 0
        photon.e = MultipleScattering.electronMassMeV
        photon.u = Vec3.isotropic(&photon.rng)
        var other = photon
        other.u = -photon.u
        other.rng = photon.rng.spawn()
        if survivesRoulette(&photon) { scratch.stack.append(photon) }
        if survivesRoulette(&other) { scratch.stack.append(other) }
    }

    /// Emits a photon from a particle (bremsstrahlung).
    func emitPhoton(energyMeV: Double, direction: Vec3, from p: inout Particle, scratch: inout Scratch) {
        var photon = p
        photon.rng = p.rng.spawn()
        photon.charge = 0
        photon.e = energyMeV
        photon.u = direction
        if survivesRoulette(&photon) { scratch.stack.append(photon) }
    }
}
