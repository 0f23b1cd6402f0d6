/// Transport parameters of a run: one validated value with the defaults in one place.
///
/// The defaults match the EGSnrc settings of the reference doses (../shared/reference/README.md:
/// ECUT 0.700 MeV total = 0.189 MeV kinetic, AE the same, PCUT = AP = 0.010 MeV) and are used unchanged
/// for every case (never tuned per case).
public struct TransportSettings: Sendable, Codable, Equatable {
    /// Electrons and positrons below this kinetic energy deposit it locally (ECUT − mc²).
    public var electronCutoffMeV: Double = 0.189
    /// Photons below this energy deposit it locally (PCUT).
    public var photonCutoffMeV: Double = 0.010
    /// Knock-on electrons above this kinetic energy are created discretely (AE − mc²).
    public var collisionCutMeV: Double = 0.189
    /// Bremsstrahlung photons above this energy are created discretely (AP).
    public var radiativeCutMeV: Double = 0.010
    /// Largest multiple-scattering strength s/λ₁ of one condensed-history step.
    public var maximumScatteringStrength: Double = 0.3
    /// Largest fraction of its energy an electron may lose continuously in one step (EGSnrc ESTEPE).
    public var maximumEnergyLossFraction: Double = 0.2
    /// Kill an electron and deposit its energy when its restricted range cannot reach the voxel's faces
    /// (below this kinetic energy, where its radiative yield is < 0.5 % in water).
    public var rangeRejectionBelowMeV: Double = 1.0
    /// Correct the elastic scattering of electrons and positrons for spin (Mott/Rutherford ratio,
    /// `SpinCorrection`), as EGSnrc's default `Spin effects= On` of the reference runs.
    public var spinEffects: Bool = true
    /// The angular distribution of a step's multiple scattering (docs/transport.md "Multiple scattering").
    /// Modified Wentzel until the Goudsmit–Saunderson model is shown to validate at least as well (it
    /// passes `make validate`, but not resolvably better or equal at 3 M histories; docs/transport.md).
    public var multipleScattering: MultipleScatteringModel = .modifiedWentzel
    /// Macro-block edge, in voxels, of the photon majorant (PHYSICS.md §1.5).
    public var majorantBlockVoxels: Int = 8
    /// Dose to medium (default) or dose to water in medium (Siebers et al. 2000, applied per energy-loss
    /// step with the collision stopping-power ratio water/medium at the electron's energy).
    public var doseQuantity: DoseQuantity = .medium
    /// Photon splitting: each primary photon is replaced by this many copies of weight 1/N (1: off).
    /// Unbiased; see docs/performance.md for its gain.
    public var photonSplitting: Int = 1
    /// Russian roulette of photons of weight < 1 (scattered split photons, photons of weighted charged
    /// particles): survival probability = weight, survivors weigh 1. Unbiased; no effect without splitting.
    public var russianRoulette: Bool = true

    /// The default settings.
    public init() {}

    /// Reads settings written by this or an earlier version: a key an earlier version did not write
    /// takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        let d = TransportSettings()
        electronCutoffMeV = try read(.electronCutoffMeV, d.electronCutoffMeV)
        photonCutoffMeV = try read(.photonCutoffMeV, d.photonCutoffMeV)
        collisionCutMeV = try read(.collisionCutMeV, d.collisionCutMeV)
        radiativeCutMeV = try read(.radiativeCutMeV, d.radiativeCutMeV)
        maximumScatteringStrength = try read(.maximumScatteringStrength, d.maximumScatteringStrength)
        maximumEnergyLossFraction = try read(.maximumEnergyLossFraction, d.maximumEnergyLossFraction)
        rangeRejectionBelowMeV = try read(.rangeRejectionBelowMeV, d.rangeRejectionBelowMeV)
        spinEffects = try read(.spinEffects, d.spinEffects)
        multipleScattering = try read(.multipleScattering, d.multipleScattering)
        majorantBlockVoxels = try read(.majorantBlockVoxels, d.majorantBlockVoxels)
        doseQuantity = try read(.doseQuantity, d.doseQuantity)
        photonSplitting = try read(.photonSplitting, d.photonSplitting)
        russianRoulette = try read(.russianRoulette, d.russianRoulette)
    }

    /// Checks that every value is usable.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw TransportSettingsError.invalid(what) }
        }
        try check(electronCutoffMeV > 0.001 && electronCutoffMeV < 10, "electron cut-off must be in (0.001, 10) MeV")
        try check(photonCutoffMeV >= 0.001 && photonCutoffMeV < 10, "photon cut-off must be in [0.001, 10) MeV")
        try check(collisionCutMeV > 0 && collisionCutMeV <= electronCutoffMeV + 1e-12,
                  "collision cut must be positive and not above the electron cut-off")
        try check(radiativeCutMeV > 0 && radiativeCutMeV <= photonCutoffMeV + 1e-12,
                  "radiative cut must be positive and not above the photon cut-off")
        try check(maximumScatteringStrength > 0 && maximumScatteringStrength <= 1, "scattering strength per step must be in (0, 1]")
        try check(maximumEnergyLossFraction > 0 && maximumEnergyLossFraction <= 0.5, "energy-loss fraction per step must be in (0, 0.5]")
        try check(majorantBlockVoxels >= 1, "majorant block must be at least one voxel")
        try check(photonSplitting >= 1 && photonSplitting <= 1000, "photon splitting must be 1…1000")
        try check(rangeRejectionBelowMeV >= 0, "range rejection threshold must not be negative (0 turns it off)")
    }
}

/// A transport setting outside its valid range.
public enum TransportSettingsError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let s): "transport settings: \(s)"
        }
    }
}
