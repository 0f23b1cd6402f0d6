import Foundation

/// The outcome of a Compton scattering.
public struct ComptonSample: Sendable, Hashable {
    /// Scattered photon energy in MeV.
    public var photonEnergyMeV: Double
    /// Cosine of the photon's polar scattering angle.
    public var cosTheta: Double
    /// Kinetic energy given to the electron, MeV.
    public var electronEnergyMeV: Double

    /// Creates a sample.
    public init(photonEnergyMeV: Double, cosTheta: Double, electronEnergyMeV: Double) {
        self.photonEnergyMeV = photonEnergyMeV
        self.cosTheta = cosTheta
        self.electronEnergyMeV = electronEnergyMeV
    }
}

/// Samples Compton scattering on free electrons from the Klein–Nishina cross section (Klein & Nishina
/// 1929, Z. Phys. 52:853) with an inverse-CDF table in (ln E, u): no rejection loop.
///
/// With k = E/mc² and ε = E′/E ∈ [1/(1+2k), 1], dσ/dε ∝ 1/ε + ε − sin²θ with cos θ = 1 − (1/ε − 1)/k.
/// The table variable is s = ln(ε/ε₀)/ln(1/ε₀), whose density ε·dσ/dε is smooth at every energy.
/// Consumes two uniforms per call.
///
/// With a material's incoherent scattering function (`PhysicsData.comptonSampler(for:)`), the density is
/// KN × S(x)/Z (Waller–Hartree binding correction, Hubbell et al. 1975, JPCRD 4:471; EGSnrc's bound
/// Compton without Doppler broadening), x = q² = K²(1 − cos θ)/2, K = E/hc: it suppresses the forward,
/// low-momentum-transfer scatters below ~100 keV and is inert above ~1 MeV.
public struct KleinNishinaSampler: Sendable {
    /// The tabulated densities of s.
    public let table: TabulatedEnergyDensity

    /// Builds the table on `grid` (default: 1 keV–25 MeV, 161 nodes). Each node's points start as `points`
    /// uniform values of s; with a `tolerance`, intervals are halved where the density's chord misses it by
    /// more than that fraction of its largest value (`AdaptiveDensityPoints`, down to widths of 1/8192), and
    /// without one the uniform points are the table.
    ///
    /// The defaults (33 points refined at 10⁻³) give ≈ 50 points per node of bound Compton in water and bone:
    /// 0.24 MB per medium with the guide instead of the 1.16 MB of 257 uniform points, and a cumulative
    /// distribution ten times closer to the exact one (largest difference 3·10⁻⁴ against 3.5·10⁻³: the
    /// uniform points were too sparse where binding bends the density near s = 1). docs/performance.md,
    /// session 7; `ComptonTableTests`.
    /// - Parameter scatteringFunction: S(x)/Z of the material on its x = q² grid (Å⁻²); `nil` for free
    ///   electrons (plain Klein–Nishina).
    public init(
        grid: EnergyGrid = EnergyGrid(lnMinMeV: log(1e-3), lnMaxMeV: log(25.0), count: 161), points: Int = 33,
        tolerance: Double? = Self.defaultTolerance,
        scatteringFunction: (x: [Double], sPerElectron: [Double])? = nil
    ) {
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let density = { (s: Double) in Self.densityOfS(s, energyMeV: energy, scatteringFunction: scatteringFunction) }
            guard let tolerance else {
                let s = (0..<points).map { Double($0) / Double(points - 1) }
                return PiecewiseLinearDensity(x: s, values: s.map(density))
            }
            let (s, values) = AdaptiveDensityPoints.refined(
                from: 0, to: 1, initialPoints: points, tolerance: tolerance, smallestWidth: 1.0 / 8192,
                density: density)
            return PiecewiseLinearDensity(x: s, values: values)
        }
    }

    /// The default refinement tolerance: the largest chord error a node keeps, as a fraction of its largest
    /// density.
    public static let defaultTolerance = 1e-3

    /// ε·dσ/dε (× S(x)/Z when bound) at the table variable's value `s` for a photon of `energyMeV`, up to a
    /// constant factor.
    public static func densityOfS(
        _ s: Double, energyMeV energy: Double, scatteringFunction: (x: [Double], sPerElectron: [Double])?
    ) -> Double {
        let k = energy / CollisionStoppingPower.electronMassMeV
        let eps = exp(-log1p(2 * k) * (1 - s))
        let binding = scatteringFunction.map { Self.binding($0, energyMeV: energy, k: k, epsilon: eps) } ?? 1
        return eps * Self.density(epsilon: eps, k: k) * binding
    }

    /// S(x)/Z at the momentum transfer of a scatter to ε (linear in ln x between grid points).
    public static func binding(
        _ function: (x: [Double], sPerElectron: [Double]), energyMeV: Double, k: Double, epsilon eps: Double
    ) -> Double {
        let oneMinusCos = min(2, max(0, (1 / eps - 1) / k))
        let x = pow(energyMeV * 1e3 / RayleighSampler.hcKeVAngstrom, 2) * oneMinusCos / 2
        let xs = function.x, ss = function.sPerElectron
        guard x > xs[0] else { return ss[0] * x / xs[0] }  // S ∝ x near 0
        guard x < xs[xs.count - 1] else { return ss[ss.count - 1] }
        var lo = 0, hi = xs.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] <= x { lo = mid } else { hi = mid }
        }
        let t = log(x / xs[lo]) / log(xs[hi] / xs[lo])
        return ss[lo] + t * (ss[hi] - ss[lo])
    }

    /// dσ/dε up to a constant factor.
    public static func density(epsilon eps: Double, k: Double) -> Double {
        let t = (1 / eps - 1) / k
        let sin2 = max(0, t * (2 - t))
        return 1 / eps + eps - sin2
    }

    /// Samples the scattered photon for a photon of `energyMeV`.
    @inlinable public func sample<R: UniformRandomSource>(energyMeV: Double, random: inout R) -> ComptonSample {
        let k = energyMeV / CollisionStoppingPower.electronMassMeV
        let s = table.sample(lnEnergy: log(energyMeV), random: &random)
        let eps = exp(-log1p(2 * k) * (1 - s))
        let cosTheta = min(1, max(-1, 1 - (1 / eps - 1) / k))
        let scattered = eps * energyMeV
        return ComptonSample(photonEnergyMeV: scattered, cosTheta: cosTheta, electronEnergyMeV: energyMeV - scattered)
    }
}
