/// Energy in integer fixed point, so that sums are exact and associative (DESIGN.md invariant 1).
///
/// One quantum is 2⁻²⁴ MeV (≈ 6·10⁻⁸ MeV, far below any physical deposit of interest). A voxel's Σ
/// is a `UInt64` (up to 2⁴⁰ MeV ≈ 10¹² MeV per voxel) and Σ of per-history squares a `UInt128`,
/// so merging never rounds and its order never matters.
public enum EnergyQuantum {
    /// Quanta per MeV: 2²⁴.
    public static let perMeV: Double = 16_777_216

    /// The nearest number of quanta to `energyMeV` (negative and non-finite energies are a bug upstream).
    @inlinable
    public static func quanta(fromMeV energyMeV: Double) -> UInt64 {
        precondition(energyMeV >= 0 && energyMeV.isFinite, "deposited energy must be finite and non-negative")
        return UInt64((energyMeV * perMeV).rounded())
    }

    /// Quanta back to MeV.
    @inlinable
    public static func megaelectronvolts(_ quanta: UInt64) -> Double { Double(quanta) / perMeV }

    /// Squared quanta back to MeV².
    @inlinable
    public static func megaelectronvoltsSquared(_ quantaSquared: UInt128) -> Double {
        quantaSquared.nearestDouble / (perMeV * perMeV)
    }
}
