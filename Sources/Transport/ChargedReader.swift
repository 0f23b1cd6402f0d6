import Foundation

/// Where a charged particle's transport reads the tables: the medium whose tables it read last and ln E
/// of the energy it read last (`LastLog`). One per particle in flight (a local of the scalar transport,
/// a lane of the event driver's `ChargedBank`), so that every read is bit for bit the same in both.
struct ChargedReader {
    /// The tables of `medium`, replaced only when a segment enters another medium: a fresh `tables[m]`
    /// per step and per voxel cost a retain and a release each (docs/performance.md, profile 5).
    private(set) var medium: Int
    private(set) var tables: MediumTables
    var ln = LastLog()

    init(medium: Int, tables: MediumTables) {
        self.medium = medium
        self.tables = tables
    }

    /// Reads medium `m`'s tables (of `all`) from now on.
    @inline(__always)
    mutating func use(_ m: Int, _ all: [MediumTables]) {
        if m != medium { (medium, tables) = (m, all[m]) }
    }
}

/// The settings of charged-particle transport in the form the step reads them, computed once per particle
/// (scalar driver) or per thread (event driver).
struct ChargedLimits {
    let eCut: Double
    let lnCut: Double
    /// ln(1 − the largest continuous energy-loss fraction of a step).
    let lnLossFactor: Double
    /// The largest multiple-scattering strength s/λ₁ of a step.
    let kMax: Double

    init(_ settings: TransportSettings) {
        eCut = settings.electronCutoffMeV
        lnCut = log(eCut)
        lnLossFactor = log(1 - settings.maximumEnergyLossFraction)
        kMax = settings.maximumScatteringStrength
    }
}
