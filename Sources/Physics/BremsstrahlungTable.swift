import Foundation

/// The scaled bremsstrahlung cross section ψ(T, κ) = k dσ/dk per gram (cm²/g) of one material, κ = k/T,
/// as the generator tabulated it (Koch & Motz 1959 formula 3BN × Elwert factor × Tsai screening ratio,
/// nucleus plus electrons; PHYSICS.md §2.2 model A).
///
/// Bilinear: linear in ln T between nodes and linear in κ between points; below the first κ point ψ is
/// taken as flat (it is, to 0.1 %, in the table).
public struct BremsstrahlungTable: Sendable {
    /// Kinetic-energy nodes.
    public let grid: EnergyGrid
    /// κ points, increasing, ending at 1.
    public let kappa: [Double]
    /// ψ, row-major: `psi[i * kappa.count + j]` at node i, point j.
    public let psi: [Double]

    init(grid: EnergyGrid, kappa: [Double], psi: [Double]) {
        precondition(psi.count == grid.count * kappa.count, "bremsstrahlung table shape mismatch")
        self.grid = grid
        self.kappa = kappa
        self.psi = psi
    }

    /// ψ at every κ point for kinetic energy exp(lnT) (linear in ln T between nodes).
    public func row(lnKineticEnergy lnT: Double) -> [Double] {
        let (i, f) = grid.locate(lnT)
        let n = kappa.count
        return (0..<n).map { j in psi[i * n + j] + f * (psi[(i + 1) * n + j] - psi[i * n + j]) }
    }

    /// ψ(T, κ) for one κ, from a row.
    public func value(row: [Double], kappa k: Double) -> Double {
        if k <= kappa[0] { return row[0] }
        var j = 1
        while j < kappa.count - 1 && kappa[j] < k { j += 1 }
        let t = (k - kappa[j - 1]) / (kappa[j] - kappa[j - 1])
        return row[j - 1] + min(max(t, 0), 1) * (row[j] - row[j - 1])
    }

    /// For kinetic energy T and photon cut k_c: the radiative stopping power (MeV cm²/g), its part from
    /// photons below k_c, and the cross section for photons above k_c (cm²/g).
    public func integrals(kineticEnergyMeV t: Double, cutMeV: Double) -> (
        total: Double, restricted: Double, hard: Double
    ) {
        let r = row(lnKineticEnergy: log(t))
        let kc = min(cutMeV / t, 1)
        // [0, κ₀]: flat.
        var total = r[0] * kappa[0]
        var restricted = r[0] * min(kc, kappa[0])
        var hard = 0.0
        for j in 1..<kappa.count {
            let a = kappa[j - 1], b = kappa[j]
            let fa = r[j - 1], fb = r[j]
            total += 0.5 * (fa + fb) * (b - a)
            // Part of [a, b] below k_c for the restricted stopping power, above it for the hard cross
            // section ∫ ψ/κ dκ, exact for ψ linear in κ: α ln(b/a) + β(b − a).
            let split = min(max(kc, a), b)
            let fs = fa + (fb - fa) * (split - a) / (b - a)
            restricted += 0.5 * (fa + fs) * (split - a)
            if split < b {
                let slope = (fb - fa) / (b - a)
                let intercept = fa - slope * a
                hard += intercept * log(b / split) + slope * (b - split)
            }
        }
        if kc < kappa[0] {
            hard += r[0] * log(kappa[0] / kc)
        }
        return (total * t, restricted * t, hard)
    }
}
