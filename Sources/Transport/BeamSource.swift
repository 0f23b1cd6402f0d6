import Geometry

/// The energy of source photons: one line or a spectrum.
public enum SourceEnergy: Sendable, Equatable {
    /// Every photon has this energy (MeV).
    case monoenergetic(MeV: Double)
    /// Energies drawn from a spectrum.
    case spectrum(PhotonSpectrum)

    /// The largest energy this source emits, in MeV.
    public var maximumMeV: Double {
        switch self {
        case .monoenergetic(let e): e
        case .spectrum(let s): s.maximumEnergyMeV
        }
    }

    func sample(_ rng: inout RandomStream) -> Double {
        switch self {
        case .monoenergetic(let e): e
        case .spectrum(let s): s.sampleEnergyMeV(&rng)
        }
    }
}

/// A rectangle on the phantom's front face (the plane z = front), in cm, x1 < x2 and y1 < y2.
public struct FieldRectangle: Sendable, Equatable, Codable {
    public let x1CM: Double, x2CM: Double, y1CM: Double, y2CM: Double

    /// Creates a rectangle; throws unless x1 < x2 and y1 < y2.
    public init(x1CM: Double, x2CM: Double, y1CM: Double, y2CM: Double) throws {
        guard x1CM < x2CM, y1CM < y2CM, [x1CM, x2CM, y1CM, y2CM].allSatisfy(\.isFinite) else {
            throw SourceError.badField("field \(x1CM),\(x2CM),\(y1CM),\(y2CM) cm: need X1 < X2 and Y1 < Y2")
        }
        self.x1CM = x1CM
        self.x2CM = x2CM
        self.y1CM = y1CM
        self.y2CM = y2CM
    }

    /// The area in cm².
    public var areaCM2: Double { (x2CM - x1CM) * (y2CM - y1CM) }
}

/// A primary photon: where it enters the phantom, its direction and energy.
public struct PrimaryPhoton: Sendable {
    public var positionCM: Vec3
    public var direction: Vec3
    public var energyMeV: Double
}

/// The validation sources: beams travelling along +z onto the phantom's front face.
public enum BeamSource: Sendable, Equatable {
    /// A point source on the z axis at `ssdCM` in front of the front face, collimated to `field` on that
    /// face: positions uniform in the rectangle, kept with probability cos³θ, i.e. the fluence of an
    /// isotropic point source on a plane (DOSXYZnrc `isource = 3`, as ../shared/reference/README.md states).
    case pointSource(ssdCM: Double, field: FieldRectangle, energy: SourceEnergy)
    /// A parallel beam along +z, uniform over `field`.
    case parallel(field: FieldRectangle, energy: SourceEnergy)

    /// The field on the front face.
    public var field: FieldRectangle {
        switch self {
        case .pointSource(_, let f, _), .parallel(let f, _): f
        }
    }

    /// The source energy.
    public var energy: SourceEnergy {
        switch self {
        case .pointSource(_, _, let e), .parallel(_, let e): e
        }
    }

    /// Samples a primary photon on the plane `z = frontZCM`, the axis at x = y = 0.

    public func sample(frontZCM: Double, rng: inout RandomStream) -> PrimaryPhoton {
        switch self {
        case .pointSource(let ssd, let f, let energy):
            // cos³θ rejection; the acceptance is ≥ cos³θ_max, > 0.7 for a 40×40 field at 100 cm.
            let ssd2 = ssd * ssd
            var x = 0.0, y = 0.0
            while true {
                x = f.x1CM + rng.uniform() * (f.x2CM - f.x1CM)
                y = f.y1CM + rng.uniform() * (f.y2CM - f.y1CM)
                let r2 = ssd2 + x * x + y * y
                let c = ssd / r2.squareRoot()
                if rng.uniform() <= c * c * c { break }
            }
            let u = Vec3(x, y, ssd).normalized
            return PrimaryPhoton(positionCM: Vec3(x, y, frontZCM), direction: u, energyMeV: energy.sample(&rng))
        case .parallel(let f, let energy):
            let x = f.x1CM + rng.uniform() * (f.x2CM - f.x1CM)
            let y = f.y1CM + rng.uniform() * (f.y2CM - f.y1CM)
            return PrimaryPhoton(positionCM: Vec3(x, y, frontZCM), direction: Vec3(0, 0, 1), energyMeV: energy.sample(&rng))
        }
    }
}

/// Why a source cannot be used.
public enum SourceError: Error, CustomStringConvertible, Equatable {
    case badField(String)
    case badEnergy(String)
    case badSSD(String)

    public var description: String {
        switch self {
        case .badField(let s), .badEnergy(let s), .badSSD(let s): s
        }
    }
}
