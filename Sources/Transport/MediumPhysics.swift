/// Photon interaction coefficients of a medium at one energy, in cm²/g (multiply by ρ for cm⁻¹).
public struct PhotonCoefficientSet: Sendable {
    public var photoelectric: Double
    public var compton: Double
    public var rayleigh: Double
    /// Pair production in the nuclear and the electron field (triplet simulated as pair, as EGSnrc does).
    public var pair: Double

    public init(photoelectric: Double, compton: Double, rayleigh: Double, pair: Double) {
        self.photoelectric = photoelectric
        self.compton = compton
        self.rayleigh = rayleigh
        self.pair = pair
    }

    /// The total mass attenuation coefficient.
    public var total: Double { photoelectric + compton + rayleigh + pair }
}

/// What transport needs to know about one medium: cross sections per gram and samplers for each
/// interaction's final state. Implementations are immutable values; samplers take the random stream
/// explicitly. Transport tabulates the smooth functions once (`MediumTables`), so these are called only
/// at set-up, except the samplers.
///
/// Energies are kinetic, in MeV. The collision cut Δ (Møller/Bhabha) and radiative cut k_c
/// (bremsstrahlung) are fixed when the value is made (`TransportSettings`).
public protocol MediumPhysics: Sendable {
    /// Medium composition as (Z, atomic weight g/mol, mass fraction), for multiple scattering.
    var composition: [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)] { get }

    /// Photon coefficients at `energyMeV`.
    func photonCoefficients(energyMeV: Double) -> PhotonCoefficientSet
    /// Compton (Klein–Nishina): the scattered photon's energy and cos θ.
    func sampleCompton(energyMeV: Double, rng: inout RandomStream) -> (energyMeV: Double, cosTheta: Double)
    /// Rayleigh: cos θ of the scattered photon.
    func sampleRayleighCosTheta(energyMeV: Double, rng: inout RandomStream) -> Double
    /// Pair: the kinetic energies of the electron and the positron.
    func samplePair(energyMeV: Double, rng: inout RandomStream) -> (electronMeV: Double, positronMeV: Double)
    /// Photoelectric: cos θ of the photo-electron relative to the photon (Sauter).
    func samplePhotoelectronCosTheta(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double

    /// Unrestricted collision stopping power, MeV cm²/g (for dose-to-water conversion).
    func collisionStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double
    /// Restricted stopping power (collision below Δ plus radiative below k_c), MeV cm²/g.
    func restrictedStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double
    /// Hard Møller (e⁻) or Bhabha (e⁺) cross section above Δ, cm²/g.
    func hardCollisionCrossSection(positron: Bool, kineticEnergyMeV: Double) -> Double
    /// Hard bremsstrahlung cross section for photons above k_c, cm²/g.
    func hardBremsstrahlungCrossSection(kineticEnergyMeV: Double) -> Double
    /// Møller (e⁻) or Bhabha (e⁺): the kinetic energy given to the knocked-on electron.
    func sampleHardCollision(positron: Bool, kineticEnergyMeV: Double, rng: inout RandomStream) -> Double
    /// Bremsstrahlung: the photon energy (> k_c).
    func sampleBremsstrahlung(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double
}
