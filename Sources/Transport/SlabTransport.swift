import Geometry
import Phantom

/// Transport inside one slab of z planes of a larger phantom, for a decomposed run (docs/cluster.md,
/// "Decomposed mode"): it holds the media and densities of its planes only, takes a bank of particles,
/// tallies what they deposit in its planes, and banks every particle that crosses one of its two faces
/// for the neighbour slab.
///
/// A particle is banked at the face with the exact state of its flight (`PhotonFlight`, `ChargedStep`)
/// and its random stream, and geometry is always computed on the whole grid, so the neighbour finishes
/// the flight with the same operations on the same numbers: a decomposed run deposits, voxel by voxel,
/// exactly the energies of the whole-phantom run, and its Σ per voxel is bit-identical
/// (`SlabTransportTests`). No halo is needed.
public struct SlabTransport: Sendable {
    let simulation: Simulation
    /// The planes of the whole grid this slab transports in.
    public var planes: Range<Int> { simulation.region.planes }
    /// The whole phantom's grid.
    public var grid: VoxelGrid { simulation.region.grid }
    /// Voxels held (the slab's planes).
    public var voxelCount: Int { simulation.phantom.grid.voxelCount }

    /// The slab `planes` of `whole`'s phantom, with `whole`'s physics and settings.
    /// - Throws: `SlabError` if `whole` is itself a slab, or the planes are empty, outside the grid, or
    ///   do not start and end on a photon-majorant block face (`TransportSettings.majorantBlockVoxels`;
    ///   the last slab may end at the grid's last plane).
    public init(whole: Simulation, planes: Range<Int>) throws {
        let g = whole.phantom.grid
        guard whole.region.grid == g else {
            throw SlabError.badSlab("cannot cut a slab out of a slab: pass the whole phantom's simulation")
        }
        try Self.check(planes, grid: g, edge: whole.settings.majorantBlockVoxels)
        let slab = try whole.phantom.planes(planes)
        try self.init(slab: slab, of: g, firstPlane: planes.lowerBound, physics: whole)
    }

    /// A slab held on its own: `slab` is planes `firstPlane…` of `grid` (same x, y and spacing);
    /// `physics` is any simulation with the same media and settings (its phantom is not used), e.g. one
    /// prepared on the slab itself.
    /// - Throws: `SlabError` if the slab does not fit `grid` or the block faces.
    public init(slab: VoxelPhantom, of grid: VoxelGrid, firstPlane: Int, physics: Simulation) throws {
        let planes = firstPlane..<(firstPlane + slab.grid.counts.z)
        try Self.check(planes, grid: grid, edge: physics.settings.majorantBlockVoxels)
        guard slab.grid.counts.x == grid.counts.x, slab.grid.counts.y == grid.counts.y,
              slab.grid.spacingCM == grid.spacingCM else {
            throw SlabError.badSlab("the slab's x, y counts and spacing must be the whole grid's")
        }
        guard slab.media == physics.phantom.media else {
            throw SlabError.badSlab("the slab's media \(slab.media) differ from the physics' \(physics.phantom.media)")
        }
        var s = physics
        let voxels = zip(slab.densitiesGPerCM3, slab.mediumIndices).map { VoxelMaterial(density: $0, medium: UInt32($1)) }
        s.phantom = slab
        s.density = DensityColumn(voxels: voxels)
        s.medium = MediumColumn(voxels: voxels)
        s.region = SlabRegion(grid: grid, planes: planes)
        s.majorant = PhotonMajorant(slab: slab, of: grid, firstPlane: firstPlane, edge: physics.settings.majorantBlockVoxels)
        simulation = s
    }

    static func check(_ planes: Range<Int>, grid: VoxelGrid, edge: Int) throws {
        guard !planes.isEmpty, planes.lowerBound >= 0, planes.upperBound <= grid.counts.z else {
            throw SlabError.badSlab("planes \(planes) are not a non-empty part of the grid's 0..<\(grid.counts.z)")
        }
        guard planes.lowerBound % edge == 0, planes.upperBound % edge == 0 || planes.upperBound == grid.counts.z else {
            throw SlabError.badSlab("planes \(planes) must start and end on a multiple of the majorant block edge "
                + "\(edge) (or end at the last plane, \(grid.counts.z))")
        }
    }

    /// Round 0 of this slab alone: the start particles of histories `range` under `seed` that enter the
    /// phantom in this slab's planes (as `DecomposedTransport.sourceBanks` deals them, without the rest
    /// of the phantom: the source and the geometry are the whole grid's).
    public func sourceBank(histories range: Range<UInt64>, seed: UInt64) -> ParticleBank {
        sourceBanks(histories: range, seed: seed, slabs: [planes])[0]
    }

    /// Round 0 of several slabs from one sampling of the source: bank n holds the start particles that
    /// enter the phantom in `slabs[n]` (any planes of the whole grid, disjoint), each exactly as
    /// `sourceBank` of that slab gives them.
    public func sourceBanks(histories range: Range<UInt64>, seed: UInt64, slabs: [Range<Int>]) -> [ParticleBank] {
        var banks = [ParticleBank](repeating: ParticleBank(), count: slabs.count)
        var scratch = Simulation.Scratch(for: simulation)
        for h in range {
            scratch.stack.removeAll(keepingCapacity: true)
            simulation.pushStartParticles(h, seed: seed, scratch: &scratch)
            for p in scratch.stack {
                if let n = slabs.firstIndex(where: { $0.contains(p.k) }) {
                    banks[n].particles.append(BankedParticle(particle: p, flight: .start, plane: p.k))
                }
            }
        }
        return banks
    }

    /// Transports every particle of `bank` (all in this slab) until it is absorbed, leaves the phantom
    /// or leaves the slab, adding deposits to `tally` (this slab's voxels, `voxelCount`) and returning
    /// the particles that left through the lower face (to planes below) and the upper face.
    public func transport(_ bank: ParticleBank, tally: inout EnergyTally) -> (below: ParticleBank, above: ParticleBank) {
        precondition(tally.voxelCount == voxelCount, "the tally must cover the slab's voxels")
        var scratch = Simulation.Scratch(for: simulation)
        var below = ParticleBank(), above = ParticleBank()
        for banked in bank.particles {
            precondition(planes.contains(banked.plane), "a banked particle for plane \(banked.plane) is not in slab \(planes)")
            tally.beginHistory(banked.particle.rng.history)
            scratch.stack.removeAll(keepingCapacity: true)
            var first = banked.particle
            switch banked.flight {
            case .start: scratch.stack.append(first)
            case .photon(let f): simulation.transportPhoton(&first, tally: &tally, scratch: &scratch, resuming: f)
            case .charged(let s): simulation.transportCharged(&first, tally: &tally, scratch: &scratch, resuming: s)
            }
            while var p = scratch.stack.popLast() {
                if p.charge == 0 {
                    simulation.transportPhoton(&p, tally: &tally, scratch: &scratch)
                } else {
                    simulation.transportCharged(&p, tally: &tally, scratch: &scratch)
                }
            }
            for out in scratch.outgoing {
                if out.plane < planes.lowerBound { below.particles.append(out) } else { above.particles.append(out) }
            }
            scratch.outgoing.removeAll(keepingCapacity: true)
        }
        return (below, above)
    }
}

/// A slab that does not fit its grid.
public enum SlabError: Error, CustomStringConvertible, Equatable {
    case badSlab(String)

    public var description: String {
        switch self {
        case .badSlab(let s): "decomposed transport: \(s)"
        }
    }
}
