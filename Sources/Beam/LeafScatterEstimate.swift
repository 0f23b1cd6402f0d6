import Foundation
import Physics
import Transport

/// How much of what passes a closed leaf is scattered in it: a photon-only Monte Carlo through a slab of leaf alloy
/// of the leaf's height, the beam's photons entering normally, with Penumbra's own cross sections (Compton with the
/// bound-electron sampler, pair production giving two 0.511 MeV photons emitted back to back in a random direction,
/// photoelectric absorption; coherent scattering is left out as a small-angle deflection). Every photon leaving the
/// far face is counted, unscattered or scattered, by number and by energy: a broad closed-leaf field's transmission
/// at a point, by reciprocity, includes scatter from the whole slab.
///
/// `LeafBankGeometry` attenuates rays exponentially (the unscattered part only); the ratio of the scattered to the
/// unscattered part is what a narrow-beam leaf model leaves out and what a measured closed-leaf transmission holds.
/// Secondary electrons deposit locally (their bremsstrahlung in tungsten is a further, smaller part).
public struct LeafScatterEstimate: Sendable {
    /// Photons leaving the far face per incident photon: unscattered, and scattered at least once.
    public let unscatteredPerPhoton: Double, scatteredPerPhoton: Double
    /// Energy leaving the far face per unit incident energy: unscattered, and scattered.
    public let unscatteredEnergyFraction: Double, scatteredEnergyFraction: Double
    /// Photons followed.
    public let photons: Int

    /// Runs `photons` photons of `spectrum` through `heightCM` of tungsten at `densityGPerCM3`.
    /// - Throws: `BeamError.badMachine` when the physics data has no tungsten (`W`).
    public init(spectrum: PhotonSpectrum, physics: PhysicsData, heightCM: Double, densityGPerCM3: Double, photons: Int,
                seed: UInt64 = 1) throws {
        let tungsten: Material
        do { tungsten = try physics.material(named: "W") } catch { throw BeamError.badMachine("leaf scatter: \(error)") }
        let xs = physics.photonCrossSections(for: tungsten)
        let compton = physics.comptonSampler(for: tungsten)
        var nU = 0.0, nS = 0.0, eU = 0.0, eS = 0.0, eIn = 0.0
        let cutoffMeV = 0.01
        for history in 0..<photons {
            var rng = RandomStream(seed: seed, history: UInt64(history))
            let e0 = spectrum.sampleEnergyMeV(&rng)
            eIn += e0
            // Stack of (depth z, direction cosine along the slab w, transverse unit direction is irrelevant: only w
            // matters for reaching the far face), energy, scattered flag.
            var stack: [(z: Double, w: Double, e: Double, scattered: Bool)] = [(0, 1, e0, false)]
            while let p = stack.popLast() {
                var (z, w, e, scattered) = p
                while e > cutoffMeV {
                    let c = xs.coefficients(lnEnergy: log(e))
                    let mu = (c.total - c.coherent) * densityGPerCM3
                    z += w * (-log(rng.uniform()) / mu)
                    if z >= heightCM {
                        if scattered { nS += 1; eS += e } else { nU += 1; eU += e }
                        break
                    }
                    if z < 0 { break }  // back out of the entrance face
                    let u = rng.uniform() * (c.total - c.coherent)
                    if u < c.incoherent {
                        let s = compton.sample(energyMeV: e, random: &rng)
                        w = Self.rotatedAxisCosine(w, cosTheta: s.cosTheta, phi: 2 * .pi * rng.uniform())
                        e = s.photonEnergyMeV
                        scattered = true
                    } else if u < c.incoherent + c.pair {
                        // Annihilation at rest: two 0.511 MeV photons back to back, isotropic.
                        let w1 = 2 * rng.uniform() - 1
                        stack.append((z, w1, 0.511, true))
                        stack.append((z, -w1, 0.511, true))
                        break
                    } else {
                        break  // photoelectric absorption
                    }
                }
            }
        }
        let n = Double(max(photons, 1))
        unscatteredPerPhoton = nU / n
        scatteredPerPhoton = nS / n
        unscatteredEnergyFraction = eU / max(eIn, .leastNonzeroMagnitude)
        scatteredEnergyFraction = eS / max(eIn, .leastNonzeroMagnitude)
        self.photons = photons
    }

    /// The new cosine to the slab normal of a direction with cosine `w` after a deflection by θ (cos θ) at azimuth φ.
    static func rotatedAxisCosine(_ w: Double, cosTheta: Double, phi: Double) -> Double {
        let sinTheta = max(0, 1 - cosTheta * cosTheta).squareRoot(), sinW = max(0, 1 - w * w).squareRoot()
        return min(max(w * cosTheta + sinW * sinTheta * cos(phi), -1), 1)
    }
}
