/// Which part of a machine's dose a kernel run of `OffAxisFluenceFit` scores.
///
/// The focal photons' acceptance is the off-axis fluence table f(r) = Σᵢ vᵢ·hᵢ(r), hᵢ the hat function of the
/// table's i-th radius (1 there, 0 at its neighbours, held constant beyond the last radius as the table is), so the
/// focal dose of a table v is Σᵢ vᵢ·Kᵢ with Kᵢ the dose of focal photons accepted with hᵢ(r). The extra-focal and
/// electron proposals do not see the table: their dose E is one more kernel. Every kernel run draws the same
/// proposals and rejects those it does not score, so the kernels share the full run's normalisation per proposal
/// and the dose of any table v (with maximum 1) is Σᵢ vᵢ·Kᵢ + E.
public enum OffAxisFluenceKernel: Sendable, Equatable {
    /// Focal photons accepted with the hat function of the off-axis table's radius at this index (instead of the table).
    case focalBasis(Int)
    /// Extra-focal and contaminant-electron proposals only (as the machine has them); focal photons rejected.
    case nonFocal

    /// The hat function of table radius `index` on `table`'s radii.
    static func basis(_ index: Int, of table: RadialTable) -> RadialTable {
        RadialTable(radiusCM: table.radiusCM, value: table.radiusCM.indices.map { $0 == index ? 1 : 0 })
    }
}
