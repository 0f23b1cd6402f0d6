import Foundation

/// Samples the energy of a bremsstrahlung photon above the cut k_c from the material's ψ(T, κ) table.
///
/// The table variable is s = ln(k/k_c)/ln(T/k_c): since dσ/d(ln k) = k dσ/dk = ψ, the density of s is
/// ψ(T, k/T), nearly flat. Consumes two uniforms per call.
public struct BremsstrahlungSampler: Sendable {
    /// The photon cut k_c in MeV.
    public let cutMeV: Double
    /// The tabulated densities of s.
    public let table: TabulatedEnergyDensity

    /// Builds the table on kinetic energies from k_c to 25 MeV.
    public init(bremsstrahlung: BremsstrahlungTable, cutMeV: Double, nodes: Int = 97, points: Int = 129) {
        self.cutMeV = cutMeV
        let grid = EnergyGrid(lnMinMeV: log(cutMeV * (1 + 1e-9)), lnMaxMeV: log(25.0), count: nodes)
        let s = (0..<points).map { Double($0) / Double(points - 1) }
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let row = bremsstrahlung.row(lnKineticEnergy: log(energy))
            let span = log(energy / cutMeV)
            return PiecewiseLinearDensity(
                x: s,
                values: s.map { si in
                    bremsstrahlung.value(row: row, kappa: cutMeV * exp(span * si) / energy)
                })
        }
    }

    /// Samples the photon energy (MeV) emitted by an electron of kinetic energy `kineticEnergyMeV` > k_c.
    @inlinable public func samplePhotonEnergy<R: UniformRandomSource>(kineticEnergyMeV: Double, random: inout R)
        -> Double
    {
        let s = table.sample(lnEnergy: log(kineticEnergyMeV), random: &random)
        return min(cutMeV * exp(log(kineticEnergyMeV / cutMeV) * s), kineticEnergyMeV)
    }
}
