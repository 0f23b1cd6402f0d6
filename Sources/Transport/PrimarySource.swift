import Geometry
import Phantom

/// Where a simulation's primaries come from: the validation beams (`FrontFaceBeam`), a linac model, a
/// phase-space file, the uniform source of a Fano test. The one way every driver gets its primaries.
///
/// A source draws everything from the history's own random stream, so a history's primaries depend only
/// on (seed, history index) and runs stay bit-identical for any thread count (DESIGN.md invariant 1).
public protocol PrimarySource: Sendable {
    /// The largest energy a primary can have, MeV (sizes the interaction tables).
    var maximumEnergyMeV: Double { get }

    /// Appends the primaries of history `history` (usually one; several for a phase-space history that
    /// holds several particles; none for a proposal the source rejects), drawn from the history's own
    /// stream `rng`. `primaries` arrives empty. A primary outside the phantom is moved along its
    /// direction to where it enters; one that misses the phantom deposits nothing.
    func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle])

    /// Throws a clear error if the source does not fit `phantom`.
    func check(against phantom: VoxelPhantom) throws
}

extension PrimarySource {
    /// Accepts every phantom.
    public func check(against phantom: VoxelPhantom) throws {}
}

/// A primary particle: where it starts, its direction, kinetic energy, charge (0 photon, −1 electron,
/// +1 positron) and statistical weight (1 unless the source is weighted, e.g. a phase space).
public struct PrimaryParticle: Sendable, Equatable {
    public var positionCM: Vec3
    public var direction: Vec3
    public var energyMeV: Double
    public var charge: Int8
    public var weight: Double

    public init(positionCM: Vec3, direction: Vec3, energyMeV: Double, charge: Int8, weight: Double = 1) {
        self.positionCM = positionCM
        self.direction = direction
        self.energyMeV = energyMeV
        self.charge = charge
        self.weight = weight
    }
}
