import Phantom

/// A validation beam (`BeamSource`) aimed at a phantom's front face: the plane z = `frontZCM`, where
/// the source's field rectangle lies.
public struct FrontFaceBeam: PrimarySource, Equatable {
    public let beam: BeamSource
    public let frontZCM: Double

    /// The beam on the front face of `phantom`.
    public init(_ beam: BeamSource, on phantom: VoxelPhantom) {
        self.beam = beam
        frontZCM = phantom.grid.originCM.z
    }

    /// The beam on the plane z = `frontZCM` (the front face of a phantom held in slabs elsewhere).
    public init(_ beam: BeamSource, frontZCM: Double) {
        self.beam = beam
        self.frontZCM = frontZCM
    }

    public var maximumEnergyMeV: Double { beam.energy.maximumMeV }

    public func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        let p = beam.sample(frontZCM: frontZCM, rng: &rng)
        primaries.append(PrimaryParticle(positionCM: p.positionCM, direction: p.direction, energyMeV: p.energyMeV, charge: 0))
    }

    /// The field must land on the phantom's front face (with a rounding allowance of 1 µm) and a point
    /// source needs a positive SSD.
    public func check(against phantom: VoxelPhantom) throws {
        let f = beam.field
        let g = phantom.grid
        guard f.x1CM >= g.originCM.x - 1e-4, f.x2CM <= g.endCM.x + 1e-4, f.y1CM >= g.originCM.y - 1e-4,
              f.y2CM <= g.endCM.y + 1e-4 else {
            throw SimulationError.fieldOutsidePhantom(
                "field x \(f.x1CM)…\(f.x2CM), y \(f.y1CM)…\(f.y2CM) cm is not inside the phantom's front face "
                    + "x \(g.originCM.x)…\(g.endCM.x), y \(g.originCM.y)…\(g.endCM.y) cm")
        }
        if case .pointSource(let ssd, _, _) = beam, !(ssd > 0) || !ssd.isFinite {
            throw SimulationError.badEnergy("SSD must be positive, got \(ssd) cm")
        }
    }
}
