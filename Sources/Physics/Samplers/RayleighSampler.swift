import Foundation

/// Samples the angle of coherent (Rayleigh) scattering from Thomson × F²(q) (form factors: xraylib
/// `FF_Rayl`, Hubbell et al. 1975, JPCRD 4:471, mixed over the material's atoms by the generator).
///
/// The table variable is x = q² (Å⁻²), q = sin(θ/2)/λ: with K = E/hc, x = K²(1 − cos θ)/2 ∈ [0, K²] and
/// dσ/dx ∝ F²(x) (1 + cos²θ). The density at each node is tabulated on the form-factor grid, which is
/// fine enough (36 points per decade) for a piecewise-linear density. Consumes two uniforms per call.
public struct RayleighSampler: Sendable {
    /// The tabulated densities of x at each node energy.
    public let table: TabulatedEnergyDensity
    /// h c in keV Å (CODATA 2018).
    public static let hcKeVAngstrom = 12.398_419_843_320_026

    /// Builds the table from the material's form factor F²(x) on the generator's x grid.
    public init(formFactorX: [Double], formFactorSquared f2: [Double], grid: EnergyGrid) {
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let kk = pow(energy * 1e3 / Self.hcKeVAngstrom, 2)
            var xs = [0.0], values = [f2[0] * 2]
            for (x, f) in zip(formFactorX, f2) where x < kk {
                let mu = 1 - 2 * x / kk
                xs.append(x)
                values.append(f * (1 + mu * mu))
            }
            let last = Self.interpolateLogLog(formFactorX, f2, at: kk)
            xs.append(kk)
            values.append(last * 2)
            return PiecewiseLinearDensity(x: xs, values: values)
        }
    }

    /// F² between grid points, log–log (F² falls as a power of x far out); the linear value near 0.
    static func interpolateLogLog(_ xs: [Double], _ ys: [Double], at x: Double) -> Double {
        guard x > xs[0] else { return ys[0] }
        guard let j = xs.firstIndex(where: { $0 >= x }), j > 0 else { return ys[ys.count - 1] }
        let t = log(x / xs[j - 1]) / log(xs[j] / xs[j - 1])
        guard ys[j - 1] > 0, ys[j] > 0 else { return ys[j - 1] + t * (ys[j] - ys[j - 1]) }
        return exp(log(ys[j - 1]) + t * log(ys[j] / ys[j - 1]))
    }

    /// Samples cos θ for a photon of `energyMeV`.
    @inlinable public func sample<R: UniformRandomSource>(energyMeV: Double, random: inout R) -> Double {
        let x = table.sample(lnEnergy: log(energyMeV), random: &random)
        let kk = pow(energyMeV * 1e3 / Self.hcKeVAngstrom, 2)
        return max(-1, 1 - 2 * x / kk)
    }
}
