import Geometry

/// The event-based driver's photons in flight, struct of arrays: one lane per photon, each field an
/// array over lanes, so the stages that act on every lane (free paths, energies' logs, random refills)
/// read and write contiguous memory. Lanes die in place and are compacted between events.
struct PhotonBank {
    /// Where a lane is in its flight.
    enum Stage: UInt8 {
        /// New energy or direction: needs ln E, μ per medium, a fresh block walk and a free path.
        case setup
        /// Needs a free path (−ln u) before it walks on.
        case needsPath
        /// At a candidate point: needs the real-or-virtual test.
        case candidate
        /// A real interaction at its position.
        case interacts
        /// Absorbed, below the cut-off or out of the phantom.
        case dead
    }

    var particle: [Particle] = []
    var stage: [Stage] = []
    var lnEnergy: [Double] = []
    /// Majorant mean free paths left to fly.
    var tau: [Double] = []
    /// cm flown along the current straight line since the walk started.
    var travelled: [Double] = []
    var walk: [VoxelWalk] = []
    /// At a candidate point: the point, its voxel, μ there and the block majorant.
    var candidate: [Vec3] = []
    var candidateVoxel: [SIMD3<Int32>] = []
    var muReal: [Double] = []
    var muBlock: [Double] = []
    /// μ/ρ per medium, lane-major (`media` values per lane).
    var muPerMedium: [Double] = []
    let media: Int

    init(media: Int, capacity: Int) {
        self.media = media
        reserve(capacity)
    }

    var count: Int { particle.count }

    mutating func reserve(_ n: Int) {
        particle.reserveCapacity(n)
        stage.reserveCapacity(n)
        lnEnergy.reserveCapacity(n)
        tau.reserveCapacity(n)
        travelled.reserveCapacity(n)
        walk.reserveCapacity(n)
        candidate.reserveCapacity(n)
        candidateVoxel.reserveCapacity(n)
        muReal.reserveCapacity(n)
        muBlock.reserveCapacity(n)
        muPerMedium.reserveCapacity(n * media)
    }

    /// Adds a photon that needs setting up.
    mutating func append(_ p: Particle, walkPlaceholder: VoxelWalk) {
        particle.append(p)
        stage.append(.setup)
        lnEnergy.append(0)
        tau.append(0)
        travelled.append(0)
        walk.append(walkPlaceholder)
        candidate.append(p.r)
        candidateVoxel.append(.zero)
        muReal.append(0)
        muBlock.append(0)
        muPerMedium.append(contentsOf: repeatElement(0, count: media))
    }

    /// Removes the dead lanes (the last live lane moves into each hole: lane order carries no meaning).
    mutating func compact() {
        var l = 0
        while l < particle.count {
            if stage[l] != .dead {
                l += 1
                continue
            }
            let last = particle.count - 1
            if l != last {
                particle[l] = particle[last]
                stage[l] = stage[last]
                lnEnergy[l] = lnEnergy[last]
                tau[l] = tau[last]
                travelled[l] = travelled[last]
                walk[l] = walk[last]
                candidate[l] = candidate[last]
                candidateVoxel[l] = candidateVoxel[last]
                muReal[l] = muReal[last]
                muBlock[l] = muBlock[last]
                for m in 0..<media { muPerMedium[l * media + m] = muPerMedium[last * media + m] }
            }
            particle.removeLast()
            stage.removeLast()
            lnEnergy.removeLast()
            tau.removeLast()
            travelled.removeLast()
            walk.removeLast()
            candidate.removeLast()
            candidateVoxel.removeLast()
            muReal.removeLast()
            muBlock.removeLast()
            muPerMedium.removeLast(media)
        }
    }
}
