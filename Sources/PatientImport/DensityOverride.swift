import Phantom
import Physics

/// A planning system's density override (ROI Physical Properties, PS3.3 C.8.8.8) resolved into what a voxel
/// of the phantom holds: a medium of the calibration and a mass density.
///
/// The medium is the calibration's own at the lowest HU where its curve reaches the override (mass density for
/// REL_MASS_DENSITY / MASS_DENSITY, relative electron density for REL_ELEC_DENSITY): the material the CT would
/// have shown for a voxel of that density, soft tissue rather than bone where Schneider's two tissue lines both
/// reach it. A REL_ELEC_DENSITY value ρₑ,rel becomes the mass density ρ = ρₑ,rel · (Z/A)_water / (Z/A)_medium, with
/// each Z/A = Σ wᵢ Zᵢ / Aᵢ from the physics tables' compositions (`Material.electronMolesPerGram`).
public struct DensityOverride: Sendable, Equatable {
    /// The property applied, as the structure set names it.
    public let property: String
    /// Its value as written (g/cm³, or relative to water).
    public let value: Double
    /// The medium given to the voxels.
    public let medium: String
    /// The mass density given to the voxels, g/cm³.
    public let densityGPerCM3: Double
    /// An HU at which the calibration gives `medium` (what the voxels' CT number is replaced by before calibration).
    let equivalentHU: Double
    /// Set when the value lies beyond what the calibration's curve reaches: the medium is that of the curve's
    /// nearest end.
    public let beyondCalibration: Bool

    /// Properties whose value sets the density (PS3.3 C.8.8.8 Defined Terms REL_MASS_DENSITY and REL_ELEC_DENSITY;
    /// MASS_DENSITY, g/cm³, is not a defined term but some planning systems write it).
    public static let appliedProperties: Set<String> = ["REL_MASS_DENSITY", "MASS_DENSITY", "REL_ELEC_DENSITY"]

    /// Water's mass density, g/cm³, for REL_MASS_DENSITY: the nominal 1.000 that planning systems take (at 20 °C
    /// water is 0.998 g/cm³, NIST; the 0.2 % is below a TPS override's own precision).
    public static let waterDensityGPerCM3 = 1.0

    /// Resolves an override against a calibration.
    /// - Parameters:
    ///   - property: REL_MASS_DENSITY, MASS_DENSITY or REL_ELEC_DENSITY.
    ///   - value: the property's value (finite, ≥ 0).
    ///   - calibration: the calibration whose media and curve the voxels take.
    ///   - electrons: Z/A (mol/g) of the calibration's media and of water.
    /// - Returns: nil when `property` is not one of `appliedProperties` or the value is negative or not finite.
    public static func resolve(
        property: String, value: Double, calibration: HUCalibration, electrons: MediumElectrons
    ) throws -> DensityOverride? {
        guard appliedProperties.contains(property), value.isFinite, value >= 0 else { return nil }
        let relativeElectrons = property == "REL_ELEC_DENSITY"
        let target = property == "REL_MASS_DENSITY" ? value * waterDensityGPerCM3 : value
        let water = electrons.waterElectronMolesPerGram
        let perGram = try calibration.media.map { relativeElectrons ? try electrons.electronMolesPerGram($0.medium) : 1 }
        // The curve as pieces on which both the density (linear) and the medium (constant) are simple: between
        // consecutive knot and bin bounds.
        let bounds = Array(Set(calibration.densityKnots.map(\.hu) + calibration.media.map(\.fromHU))).sorted()
        func quantity(_ density: Double, _ bin: Int) -> Double { relativeElectrons ? density * perGram[bin] / water : density }
        var pieces: [(fromHU: Double, toHU: Double, from: Double, to: Double, bin: Int)] = []
        for (p, q) in zip(bounds, bounds.dropFirst()) {
            let bin = calibration.mediumIndex(hu: p)
            // Density is linear on [p, q) (no knot inside): its value just below q from the midpoint.
            let atP = calibration.densityGPerCM3(hu: p)
            let belowQ = 2 * calibration.densityGPerCM3(hu: (p + q) / 2) - atP
            pieces.append((p, q, quantity(atP, bin), quantity(belowQ, bin), bin))
        }
        let last = bounds[bounds.count - 1], lastBin = calibration.mediumIndex(hu: last)
        let atLast = quantity(calibration.densityGPerCM3(hu: last), lastBin)
        pieces.append((last, last, atLast, atLast, lastBin))
        var hu: Double?
        var bin = 0
        for piece in pieces where min(piece.from, piece.to) <= target && target <= max(piece.from, piece.to) {
            let t = piece.to == piece.from ? 0 : (target - piece.from) / (piece.to - piece.from)
            hu = piece.fromHU + t * (piece.toHU - piece.fromHU)
            bin = piece.bin
            break
        }
        var beyond = false
        if hu == nil {
            // Beyond the curve: the medium at the end whose value is nearest.
            let nearest = pieces.flatMap { [($0.fromHU, $0.from, $0.bin), ($0.toHU, $0.to, $0.bin)] }
                .min { abs($0.1 - target) < abs($1.1 - target) }!
            hu = nearest.0
            bin = nearest.2
            beyond = true
        }
        let density = relativeElectrons ? value * water / perGram[bin] : target
        return DensityOverride(
            property: property, value: value, medium: calibration.media[bin].medium, densityGPerCM3: density,
            equivalentHU: hu!, beyondCalibration: beyond)
    }
}

/// Electrons per gram (Z/A, mol/g) of media, for relative electron density overrides.
public struct MediumElectrons: Sendable {
    /// Water's Z/A, mol/g.
    public let waterElectronMolesPerGram: Double
    private let perGram: [String: Double]

    /// Z/A of the calibration's media and of `WATER` from the physics tables' compositions. A medium the tables do
    /// not have (`dicom import` may write EGSnrc media of any name) fails only when a REL_ELEC_DENSITY override needs it.
    /// - Throws: `PhysicsDataError.unknownMaterial` when the tables have no WATER.
    public init(calibration: HUCalibration, physics: PhysicsData) throws {
        waterElectronMolesPerGram = try physics.material(named: "WATER").electronMolesPerGram
        var perGram: [String: Double] = [:]
        for bin in calibration.media {
            if let material = try? physics.material(named: bin.medium) { perGram[bin.medium] = material.electronMolesPerGram }
        }
        self.perGram = perGram
    }

    /// Explicit values (mol/g), e.g. for tests.
    public init(water: Double, media: [String: Double]) {
        waterElectronMolesPerGram = water
        perGram = media
    }

    /// Z/A of a medium, mol/g.
    /// - Throws: `PatientImportError.unknownMediumElectrons` when the medium was not given.
    public func electronMolesPerGram(_ medium: String) throws -> Double {
        guard let value = perGram[medium] else { throw PatientImportError.unknownMediumElectrons(medium) }
        return value
    }
}
