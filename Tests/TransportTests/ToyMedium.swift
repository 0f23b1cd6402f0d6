import Foundation
import Transport

/// A deliberately simple medium for kernel tests that must not depend on the physics tables: water's
/// composition, Klein–Nishina Compton scattering only (σ_KN per electron × 3.343·10²³ electrons/g),
/// a constant restricted stopping power of 2 MeV cm²/g and no hard events. It makes transport
/// mechanics (Woodcock, stepping, tallies, threads) testable on their own.
struct ToyMedium: MediumPhysics {
    let composition: [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)] = [
        (1, 1.008, 0.1119), (8, 15.999, 0.8881),
    ]
    static let electronsPerGram = 3.343e23
    static let m = 0.51099895

    /// Klein–Nishina total cross section per electron in cm² (Klein & Nishina 1929).
    static func kleinNishina(_ e: Double) -> Double {
        let k = e / m, r0 = 2.8179403262e-13
        let l = log(1 + 2 * k)
        return 2 * Double.pi * r0 * r0 * ((1 + k) / (k * k) * (2 * (1 + k) / (1 + 2 * k) - l / k) + l / (2 * k)
            - (1 + 3 * k) / ((1 + 2 * k) * (1 + 2 * k)))
    }

    func photonCoefficients(energyMeV: Double) -> PhotonCoefficientSet {
        PhotonCoefficientSet(photoelectric: 0, compton: Self.kleinNishina(energyMeV) * Self.electronsPerGram,
                             rayleigh: 0, pair: 0)
    }

    /// Klein–Nishina by rejection on ε = E′/E with a 1/ε proposal (test-only; the product samplers are
    /// rejection-free tables).
    func sampleCompton(energyMeV: Double, rng: inout RandomStream) -> (energyMeV: Double, cosTheta: Double) {
        let k = energyMeV / Self.m
        let eps0 = 1 / (1 + 2 * k)
        while true {
            let eps = exp(log(eps0) * rng.uniform())
            let cosT = 1 - (1 - eps) / (eps * k)
            let sin2 = max(0, 1 - cosT * cosT)
            let g = 1 - eps * sin2 / (1 + eps * eps)
            if rng.uniform() < g { return (eps * energyMeV, cosT) }
        }
    }

    func sampleRayleighCosTheta(energyMeV: Double, rng: inout RandomStream) -> Double { 1 }
    func samplePair(energyMeV: Double, rng: inout RandomStream) -> (electronMeV: Double, positronMeV: Double) {
        let t = energyMeV - 2 * Self.m
        return (0.5 * t, 0.5 * t)
    }
    func samplePhotoelectronCosTheta(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double { 1 }
    func restrictedStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double { 2 }
    func collisionStoppingPower(positron: Bool, kineticEnergyMeV: Double) -> Double { 2 }
    func hardCollisionCrossSection(positron: Bool, kineticEnergyMeV: Double) -> Double { 0 }
    func hardBremsstrahlungCrossSection(kineticEnergyMeV: Double) -> Double { 0 }
    func sampleHardCollision(positron: Bool, kineticEnergyMeV: Double, rng: inout RandomStream) -> Double { 0 }
    func sampleBremsstrahlung(kineticEnergyMeV: Double, rng: inout RandomStream) -> Double { 0 }
}
