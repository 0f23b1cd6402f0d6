import Foundation
import Physics
import Transport

/// Generates a linac's photon spectrum from first principles: thick-target bremsstrahlung of a
/// monoenergetic electron beam stopping in a tungsten target, attenuated by the rest of the target and
/// by the flattening filter with Penumbra's own photon cross sections.
///
/// Thick-target yield (Kramers' integration of the thin-target cross section over the electron's
/// continuous slowing down): N(k) dk ∝ dk ∫ₖ^{T₀} (dσ/dk)(E, k) / S(E) dE, with
///
/// * dσ/dk the complete-screening Bethe–Heitler cross section, Koch & Motz, Rev. Mod. Phys. 31, 920
///   (1959), formula 3BS(a): dσ/dk ∝ (1/k)·[(4/3 − 4y/3 + y²)·ln(183 Z^−1/3) + (1 − y)/9], y = k/E_total;
/// * S(E) the total stopping power of tungsten, approximated as S_col·(1 + E/E_c) with the critical energy
///   E_c = 7.97 MeV of tungsten (Particle Data Group, "Atomic and nuclear properties of materials",
///   tungsten); S_col is a constant factor and cancels in the normalised spectrum.
///
/// The angular spread of the thin-target emission is not modelled here; the off-axis softening of a
/// flattened beam comes from the filter being thinner off axis (`FlatteningFilter`).
public struct BremsstrahlungSpectrumGenerator: Sendable {
    /// Kinetic energy of the electrons hitting the target, MeV.
    public let electronEnergyMeV: Double
    /// Atomic number of the target (74 for tungsten).
    public let targetAtomicNumber: Double
    /// Critical energy of the target material, MeV (radiative = collision stopping power).
    public let criticalEnergyMeV: Double
    /// Number of energy bins.
    public let binCount: Int

    /// Creates a generator.
    public init(electronEnergyMeV: Double, targetAtomicNumber: Double = 74, criticalEnergyMeV: Double = 7.97,
                binCount: Int = 60) {
        self.electronEnergyMeV = electronEnergyMeV
        self.targetAtomicNumber = targetAtomicNumber
        self.criticalEnergyMeV = criticalEnergyMeV
        self.binCount = binCount
    }

    /// Bin edges in MeV: from `lowestMeV` up to the electron energy, equal widths.
    public func edgesMeV(lowestMeV: Double = 0.05) -> [Double] {
        (0...binCount).map { lowestMeV + (electronEnergyMeV - lowestMeV) * Double($0) / Double(binCount) }
    }

    /// Unfiltered thick-target photon number per bin (arbitrary units) at each bin's mid energy times
    /// its width.
    public func unfilteredCounts(edgesMeV edges: [Double]) -> [Double] {
        let mc2 = 0.51099895
        let screening = log(183 * pow(targetAtomicNumber, -1.0 / 3.0))
        let t0 = electronEnergyMeV
        return (0..<(edges.count - 1)).map { b in
            let k = 0.5 * (edges[b] + edges[b + 1])
            // ∫ₖ^{T₀} dσ/dk / S dE by the midpoint rule on 200 steps.
            let steps = 200
            let h = (t0 - k) / Double(steps)
            var sum = 0.0
            for s in 0..<steps {
                let e = k + (Double(s) + 0.5) * h
                let y = k / (e + mc2)
                let sigma = ((4.0 / 3.0 - 4.0 * y / 3.0 + y * y) * screening + (1 - y) / 9) / k
                sum += sigma / (1 + e / criticalEnergyMeV) * h
            }
            return max(sum, 0) * (edges[b + 1] - edges[b])
        }
    }

    /// The spectrum after `layers` of attenuating material (each: a material's photon cross sections and
    /// its mass thickness in g/cm²), primary (unscattered) photons only.
    public func spectrum(title: String, layers: [(crossSections: PhotonCrossSections, massThicknessGPerCM2: Double)],
                         lowestMeV: Double = 0.05) throws -> PhotonSpectrum {
        let edges = edgesMeV(lowestMeV: lowestMeV)
        var counts = unfilteredCounts(edgesMeV: edges)
        for b in counts.indices {
            let k = 0.5 * (edges[b] + edges[b + 1])
            var attenuation = 0.0
            for layer in layers {
                let mu = try layer.crossSections.coefficients(energyMeV: k)
                // Rayleigh scattering removes photons from a narrow beam only at small angles; it is
                // counted as attenuation like the other processes (narrow-beam geometry).
                attenuation += mu.total * layer.massThicknessGPerCM2
            }
            counts[b] *= exp(-attenuation)
        }
        return try PhotonSpectrum(title: title, edgesMeV: edges, countsPerBin: counts)
    }
}
