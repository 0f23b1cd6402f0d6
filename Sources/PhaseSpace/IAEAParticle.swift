/// The particle type codes of the IAEA phase-space format (Capote et al., INDC(NDS)-0484, IAEA 2006):
/// the absolute value of a record's first byte.
public enum IAEAParticleType: Int8, Sendable, CaseIterable, Codable {
    case photon = 1
    case electron = 2
    case positron = 3
    case neutron = 4
    case proton = 5

    /// The electric charge in units of e (0 for photons and neutrons).
    public var charge: Int8 {
        switch self {
        case .photon, .neutron: 0
        case .electron: -1
        case .positron, .proton: 1
        }
    }

    /// The name the header's counting sections use (`$PHOTONS`, `$ELECTRONS`, …).
    public var headerSection: String {
        switch self {
        case .photon: "PHOTONS"
        case .electron: "ELECTRONS"
        case .positron: "POSITRONS"
        case .neutron: "NEUTRONS"
        case .proton: "PROTONS"
        }
    }

    /// Whether Penumbra's transport can follow this particle (photons, electrons and positrons).
    public var isTransported: Bool { self == .photon || self == .electron || self == .positron }
}

/// One particle of an IAEA phase space, as the file stores it (single precision, cm, MeV).
///
/// Fields the record layout keeps constant carry the header's constant. `w` is never stored: it is
/// rebuilt from `u`, `v` and the sign of the particle-type byte.
public struct IAEAParticle: Sendable, Equatable {
    /// Photon, electron, positron, neutron or proton.
    public var type: IAEAParticleType
    /// Kinetic energy, MeV (positive; the file's sign is the new-history flag).
    public var energyMeV: Float
    /// Whether this particle is the first one of an original history (the file's negative energy).
    public var isNewHistory: Bool
    /// Position, cm.
    public var xCM: Float
    /// Position, cm.
    public var yCM: Float
    /// Position, cm.
    public var zCM: Float
    /// Direction cosine along x.
    public var u: Float
    /// Direction cosine along y.
    public var v: Float
    /// Direction cosine along z: ±√(1 − u² − v²), the sign from the type byte.
    public var w: Float
    /// Statistical weight.
    public var weight: Float
    /// The extra floats, in the order of the layout's `extraFloats`.
    public var extraFloats: [Float]
    /// The extra longs (32-bit), in the order of the layout's `extraLongs`.
    public var extraLongs: [Int32]

    /// Creates a particle.
    public init(
        type: IAEAParticleType, energyMeV: Float, isNewHistory: Bool, xCM: Float, yCM: Float, zCM: Float,
        u: Float, v: Float, w: Float, weight: Float = 1, extraFloats: [Float] = [], extraLongs: [Int32] = []
    ) {
        self.type = type
        self.energyMeV = energyMeV
        self.isNewHistory = isNewHistory
        self.xCM = xCM
        self.yCM = yCM
        self.zCM = zCM
        self.u = u
        self.v = v
        self.w = w
        self.weight = weight
        self.extraFloats = extraFloats
        self.extraLongs = extraLongs
    }
}
