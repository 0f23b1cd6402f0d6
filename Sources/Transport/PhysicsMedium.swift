import Foundation
import Physics

/// A medium of the bundled physics tables, in the form transport consumes (`MediumPhysics`).
public struct PhysicsMedium: MediumPhysics {
    /// The material the tables describe.
    public let material: Material
    public let composition: [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)]
    let photons: PhotonCrossSections
    let electrons: ElectronData
    let compton: KleinNishinaSampler
    let rayleigh: RayleighSampler
    let pair: PairEnergySampler
    let sauter: SauterSampler

    /// The physics of each named medium (EGSnrc names such as `H2O700ICRU` resolve through the
    /// materials' aliases), with the collision and radiative cuts of `settings`.
    /// - Throws: `PhysicsDataError.unknownMaterial` listing the known names, or a table error.
    public static func media(named names: [String], settings: TransportSettings) throws -> [any MediumPhysics] {
        let data = try PhysicsData.bundled()
        let cuts = ElectronCuts(collisionCutMeV: settings.collisionCutMeV, radiativeCutMeV: settings.radiativeCutMeV)
        let compton = KleinNishinaSampler()
        let sauter = SauterSampler()
        return try names.map { name in
            let material = try data.material(named: name)
            return PhysicsMedium(
                material: material,
                composition: material.elements.map { ($0.atomicNumber, $0.atomicWeight, $0.massFraction) },
                photons: data.photonCrossSections(for: material),
                electrons: try data.electronData(for: material, cuts: cuts),
                compton: compton, rayleigh: data.rayleighSampler(for: material), pair: data.pairSampler(for: material),
                sauter: sauter)
        }
    }

    public func photonCoefficients(energyMeV: Double) -> PhotonCoefficientSet {
        let r = photons.energyRangeMeV
        let c = photons.coefficients(lnEnergy: log(min(max(energyMeV, r.lowerBound), r.upperBound)))
        return PhotonCoefficientSet(photoelectric: c.photoelectric, compton: c.incoherent, rayleigh: c.coherent, pair: c.pair)
    }

    public func sampleCompton(energyMeV: Double, rng: inout RandomStream) -> (energyMeV: Double, cosTheta: Double) {
        let s = compton.sample(energyMeV: energyMeV, random: &rng)
        return (s.photonEnergyMeV, s.cosTheta)
    }

    public func sampleRayleighCosTheta(energyMeV: Double, rng: inout RandomStream) -> Double {
        rayleigh.sample(energyMeV: energyMeV, random: &rng)
    }

    public func samplePair(energyMeV: Double, rng: inout RandomStream) -> (electronMeV: Double, positronMeV: Double) {
        let s = pair.sample(energyMeV: energyMeV, random: &rng)
        return (s.electronEnergyMeV, s.positronEnergyMeV)
    }

    public func samplePhotoelectronCosTheta(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double {
        sauter.sampleCosTheta(kineticEnergyMeV: max(kineticEnergyMeV, 1e-3), random: &rng)
    }

    public func restrictedStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double {
        electrons.restrictedStoppingPower(positron ? .positron : .electron, kineticEnergyMeV: clamp(kineticEnergyMeV))
    }

    public func collisionStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double {
        electrons.collisionStoppingPower(positron ? .positron : .electron, kineticEnergyMeV: clamp(kineticEnergyMeV),
                                         restricted: false)
    }

    /// The physics of liquid water (EGSnrc `H2O700ICRU`), the reference medium of dose to water.
    public static func water(settings: TransportSettings) throws -> any MediumPhysics {
        try media(named: ["H2O700ICRU"], settings: settings)[0]
    }

    public func hardCollisionCrossSection(positron: Bool, kineticEnergyMeV: Double) -> Double {
        electrons.hardCollisionCrossSection(positron ? .positron : .electron, kineticEnergyMeV: clamp(kineticEnergyMeV))
    }

    public func hardBremsstrahlungCrossSection(kineticEnergyMeV: Double) -> Double {
        electrons.hardBremsstrahlungCrossSection(kineticEnergyMeV: clamp(kineticEnergyMeV))
    }

    public func sampleHardCollision(positron: Bool, kineticEnergyMeV: Double, rng: inout RandomStream) -> Double {
        (positron ? electrons.bhabha : electrons.moller).sampleEnergyTransfer(kineticEnergyMeV: kineticEnergyMeV, random: &rng)
    }

    public func sampleBremsstrahlung(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double {
        electrons.bremsstrahlungSampler.samplePhotonEnergy(kineticEnergyMeV: kineticEnergyMeV, random: &rng)
    }

    private func clamp(_ e: Double) -> Double {
        let r = electrons.energyRangeMeV
        return min(max(e, r.lowerBound), r.upperBound)
    }
}
