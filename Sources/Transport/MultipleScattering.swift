import Foundation

/// Elastic multiple scattering of electrons and positrons: screened Rutherford (Wentzel) cross sections
/// with Molière's screening, transport moments of the Goudsmit–Saunderson distribution, and sampling
/// of the angular deflection after a path of given scattering strength.
///
/// Per atom of atomic number Z (PHYSICS.md §2.4):
///   dσ/dΩ = Z(Z+1) r₀² / (β⁴γ²) · 1/(1 − μ + 2η)²,
///   η = ¼ (α Z^{1/3} / (0.885 βγ))² (1.13 + 3.76 (αZ/β)²)   (Molière 1947/48; Bethe 1953 Phys. Rev. 89:1256),
/// and the atomic electrons are included through Z(Z+1). In the variable x = 1 − μ the Legendre moments
/// are closed-form (b = 2η, L = ln((2+b)/b)):
///   T₁ = ∫₀² x/(x+b)² dx = L − 2/(2+b),
///   T₂ = ∫₀² (3x − 3x²/2)/(x+b)² dx = 3T₁ − (3/2)(2 − 2bL + 2b/(2+b)),
/// so 1/λ_l = 2π Σᵢ nᵢ Zᵢ(Zᵢ+1) r₀²/(β⁴γ²) T_l(ηᵢ), summed over the elements of the medium.
/// Goudsmit & Saunderson (1940, Phys. Rev. 57:24): after a path s, ⟨P_l(μ)⟩ = exp(−s/λ_l) exactly.
///
/// The deflection is sampled from the modified Wentzel distribution (Fernández-Varea, Mayol, Baró &
/// Salvat 1993, NIM B 73:447), which reproduces the exact GS first and second moments ⟨μ⟩ and ⟨P₂⟩,
/// and reduces to the exact single-scattering mixture (1 − λ)δ + λ·Wentzel(η) for short paths.
public enum MultipleScattering {
    /// Classical electron radius in cm (CODATA 2018).
    public static let r0CM = 2.8179403262e-13
    /// Fine-structure constant (CODATA 2018).
    public static let alpha = 1 / 137.035999084
    /// Electron rest energy in MeV (CODATA 2018).
    public static let electronMassMeV = 0.51099895
    /// Avogadro's constant (SI 2019, exact).
    public static let avogadro = 6.02214076e23

    /// The Molière screening parameter η of element `z` for an electron of kinetic energy `energyMeV`.
    public static func screening(atomicNumber z: Int, kineticEnergyMeV energyMeV: Double) -> Double {
        let tau = energyMeV / electronMassMeV
        let betaGamma2 = tau * (tau + 2)
        let beta2 = betaGamma2 / ((tau + 1) * (tau + 1))
        let zd = Double(z)
        let chi0 = alpha * pow(zd, 1.0 / 3.0) / 0.885
        return 0.25 * chi0 * chi0 / betaGamma2 * (1.13 + 3.76 * alpha * alpha * zd * zd / beta2)
    }

    /// The first and second transport inverse mean free paths 1/λ₁, 1/λ₂ of a medium, in cm²/g; with
    /// `spin`, corrected by the Mott/Rutherford ratio (`SpinCorrection`) for electrons or positrons.
    public static func inverseTransportPaths(
        composition: [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)], kineticEnergyMeV: Double,
        spin: Bool = false, positron: Bool = false
    ) -> (first: Double, second: Double) {
        let tau = kineticEnergyMeV / electronMassMeV
        let gamma = tau + 1
        let beta2 = tau * (tau + 2) / (gamma * gamma)
        let prefactor = 2 * Double.pi * r0CM * r0CM / (beta2 * beta2 * gamma * gamma)
        var l1 = 0.0, l2 = 0.0
        for e in composition {
            let z = Double(e.atomicNumber)
            let atomsPerGram = avogadro * e.massFraction / e.atomicWeight
            let eta = screening(atomicNumber: e.atomicNumber, kineticEnergyMeV: kineticEnergyMeV)
            if spin {
                let nuclear = SpinCorrection.legendreMoments(screening: eta, atomicNumber: e.atomicNumber, beta2: beta2,
                                                             positron: positron)
                let electrons = SpinCorrection.legendreMoments(screening: eta, atomicNumber: 0, beta2: beta2,
                                                               positron: positron)
                l1 += atomsPerGram * prefactor * (z * z * nuclear.0 + z * electrons.0)
                l2 += atomsPerGram * prefactor * (z * z * nuclear.1 + z * electrons.1)
            } else {
                let (t1, t2) = legendreMoments(screening: eta)
                l1 += atomsPerGram * z * (z + 1) * prefactor * t1
                l2 += atomsPerGram * z * (z + 1) * prefactor * t2
            }
        }
        return (l1, l2)
    }

    /// T₁ and T₂ of the screened Rutherford DCS for screening η (see the type's documentation).
    static func legendreMoments(screening eta: Double) -> (Double, Double) {
        let b = 2 * eta
        let l = log((2 + b) / b)
        let t1 = l - 2 / (2 + b)
        let t2 = 3 * t1 - 1.5 * (2 - 2 * b * l + 2 * b / (2 + b))
        return (t1, t2)
    }

    // MARK: - Modified Wentzel sampling

    /// Moments ⟨x⟩ and ⟨x²⟩, x = 1 − μ, of the Wentzel distribution p(x) = 2A(1+A)/(x + 2A)² on [0, 2].
    public static func wentzelMoments(_ a: Double) -> (m1: Double, m2: Double) {
        let l = a > 1e6 ? (1 / a - 0.5 / (a * a)) : log((1 + a) / a)
        let m1 = 2 * a * ((1 + a) * l - 1)
        let m2 = 4 * a * ((1 + a) * (1 - 2 * a * l) + a)
        return (m1, m2)
    }

    /// Samples x = 1 − cos θ from the Wentzel distribution with parameter A.
    public static func sampleWentzel(_ a: Double, _ r: Double) -> Double {
        2 * a * r / (1 + a - r)
    }

    /// The Wentzel parameter A with first moment `m1` (bisection in ln A; m1 increases with A).
    public static func wentzelParameter(firstMoment m1: Double) -> Double {
        var lo = -60.0, hi = 30.0
        for _ in 0..<80 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }  // adjacent Doubles: further steps leave 0.5 (lo + hi) at mid
            if wentzelMoments(exp(mid)).m1 < m1 { lo = mid } else { hi = mid }
        }
        return exp(0.5 * (lo + hi))
    }

    /// The Wentzel parameter A with ⟨x²⟩/⟨x⟩ = `ratio` (the ratio increases with A, from 0 to 4/3).
    public static func wentzelParameter(momentRatio ratio: Double) -> Double {
        var lo = -60.0, hi = 30.0
        for _ in 0..<80 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }  // as above: the result is already exp(mid)
            let m = wentzelMoments(exp(mid))
            if m.m2 / m.m1 < ratio { lo = mid } else { hi = mid }
        }
        return exp(0.5 * (lo + hi))
    }
}

/// How the angular deflection of a condensed-history step is sampled (`TransportSettings.multipleScattering`).
public enum MultipleScatteringModel: String, Sendable, Codable, CaseIterable {
    /// The exact Goudsmit–Saunderson distribution of the screened Rutherford cross section with the
    /// step's λ₁ and λ₂ (`GoudsmitSaundersonTable`).
    case goudsmitSaunderson
    /// The modified Wentzel distribution with the same two moments (Fernández-Varea et al. 1993).
    case modifiedWentzel
}

/// A precomputed sampler of the angular deflection after a path of scattering strength G₁ = s/λ₁ with
/// G₂ = s/λ₂, by the chosen model. For the modified Wentzel model it tabulates the inverse of the
/// Wentzel moment functions on a fine log grid, so sampling costs two table look-ups, two uniforms and no
/// loop; the Goudsmit–Saunderson model reads the shared `GoudsmitSaundersonTable`.
public struct MultipleScatteringSampler: Sendable {
    /// The model `sampleCosTheta` uses.
    public let model: MultipleScatteringModel
    let goudsmitSaunderson: GoudsmitSaundersonTable?
    static let gridCount = 2048
    static let lnMin = -40.0, lnMax = log(2.0)
    /// ln A at equally spaced ln ⟨x⟩.
    let lnAByMoment: [Double]
    /// ln A at equally spaced ratio ⟨x²⟩/⟨x⟩ ∈ (0, 4/3).
    let lnAByRatio: [Double]

    /// Builds the tables (about 4 000 bisections; done once per run; the Goudsmit–Saunderson tables once
    /// per process).
    public init(model: MultipleScatteringModel = .modifiedWentzel) {
        self.model = model
        goudsmitSaunderson = model == .goudsmitSaunderson ? GoudsmitSaundersonTable.shared : nil
        let n = Self.gridCount
        lnAByMoment = (0..<n).map { k in
            let lnM = Self.lnMin + (Self.lnMax - Self.lnMin) * Double(k) / Double(n - 1)
            return log(MultipleScattering.wentzelParameter(firstMoment: min(exp(lnM), 0.999_999)))
        }
        lnAByRatio = (0..<n).map { k in
            let ratio = (4.0 / 3.0) * (Double(k) + 0.5) / Double(n)
            return log(MultipleScattering.wentzelParameter(momentRatio: ratio))
        }
    }

    func interpolate(_ table: [Double], _ f: Double) -> Double {
        let t = min(max(f, 0), Double(table.count - 1) - 1e-9)
        let i = Int(t)
        let w = t - Double(i)
        return table[i] + w * (table[i + 1] - table[i])
    }

    func parameter(firstMoment m1: Double) -> Double {
        let f = (log(m1) - Self.lnMin) / (Self.lnMax - Self.lnMin) * Double(Self.gridCount - 1)
        return exp(interpolate(lnAByMoment, f))
    }

    func parameter(ratio: Double) -> Double {
        let f = ratio / (4.0 / 3.0) * Double(Self.gridCount) - 0.5
        return exp(interpolate(lnAByRatio, f))
    }

    /// Samples cos θ after a path with G₁ = s/λ₁ and G₂ = s/λ₂ in a medium whose screened Rutherford
    /// cross section without spin has λ₁/λ₂ = `rutherfordMomentRatio`.
    ///
    /// Goudsmit–Saunderson: `GoudsmitSaundersonTable.sampleCosTheta(g1:momentRatio:rng:)` (`g2` is not
    /// used: with spin the second moment is that of the screened Rutherford shape, docs/transport.md).
    ///
    /// Modified Wentzel: targets t₁ = ⟨1−μ⟩ = 1 − e^{−G₁} and t₂ = ⟨(1−μ)²⟩ = 1 − 2e^{−G₁} + (1 + 2e^{−G₂})/3. With A₁
    /// the Wentzel parameter of first moment t₁: if t₂ exceeds its second moment, the distribution is
    /// (1−B)δ(x) + B·W(A) with A set by the ratio t₂/t₁ and B = t₁/⟨x⟩_A; otherwise it is
    /// (1−B)·W(A₁) + B·δ(x − t₁) with B = (⟨x²⟩_{A₁} − t₂)/(⟨x²⟩_{A₁} − t₁²) (Fernández-Varea et al. 1993).
    public func sampleCosTheta(g1: Double, g2: Double, rutherfordMomentRatio: Double, rng: inout RandomStream) -> Double {
        if let goudsmitSaunderson {
            return goudsmitSaunderson.sampleCosTheta(g1: g1, momentRatio: rutherfordMomentRatio, rng: &rng)
        }
        let e1 = exp(-g1)
        let t1 = 1 - e1
        let r1 = rng.uniform(), r2 = rng.uniform()
        guard t1 > 1e-12 else { return 1 }
        if t1 > 0.999 { return 1 - 2 * r1 }  // fully randomised: isotropic
        let t2 = max(1 - 2 * e1 + (1 + 2 * exp(-g2)) / 3, t1 * t1)
        let a1 = parameter(firstMoment: t1)
        let m = MultipleScattering.wentzelMoments(a1)
        var x: Double
        if t2 > m.m2 {
            let a = parameter(ratio: min(t2 / t1, 4.0 / 3.0 - 1e-9))
            let b = t1 / MultipleScattering.wentzelMoments(a).m1
            x = r1 < b ? MultipleScattering.sampleWentzel(a, r2) : 0
        } else {
            let b = (m.m2 - t2) / (m.m2 - t1 * t1)
            x = r1 < b ? t1 : MultipleScattering.sampleWentzel(a1, r2)
        }
        x = min(max(x, 0), 2)
        return 1 - x
    }
}
