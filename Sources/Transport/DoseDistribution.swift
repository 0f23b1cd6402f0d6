import Geometry
import Phantom

/// Whether dose is reported to the voxel's medium or to water.
public enum DoseQuantity: String, Sendable, Codable {
    /// Dose to medium, D_m (the default; what DOSXYZnrc reports).
    case medium = "dose-to-medium"
    /// Dose to water in medium, D_w,m (Siebers et al. 2000, PMB 45:983).
    case water = "dose-to-water"
}

/// Dose per incident history in every voxel, with its relative (1σ) statistical uncertainty.
public struct DoseDistribution: Sendable {
    /// The grid the dose lives on.
    public let grid: VoxelGrid
    /// Dose per incident history in Gy (x fastest).
    public let doseGyPerHistory: [Double]
    /// Relative 1σ uncertainty of each voxel's dose (0 where the dose is 0).
    public let relativeUncertainty: [Double]
    /// Which dose this is.
    public let quantity: DoseQuantity

    /// J per MeV (CODATA 2018 exact value of the elementary charge, 1.602176634e-19 C).
    public static let joulePerMeV = 1.602176634e-13

    /// Dose from an energy tally over a phantom: E / (ρ V), Gy per history; voxels of zero density get 0.
    public init(tally: EnergyTally, phantom: VoxelPhantom, quantity: DoseQuantity = .medium) {
        let (e, rel) = tally.meanEnergyPerHistory()
        self.init(meanEnergyMeV: e, relativeUncertainty: rel, phantom: phantom, quantity: quantity)
    }

    /// Dose from a decomposed run's batch tally (uncertainty from the batches' spread).
    public init(batches: BatchTally, phantom: VoxelPhantom, quantity: DoseQuantity = .medium) {
        let (e, rel) = batches.meanEnergyPerHistory()
        self.init(meanEnergyMeV: e, relativeUncertainty: rel, phantom: phantom, quantity: quantity)
    }

    init(meanEnergyMeV e: [Double], relativeUncertainty rel: [Double], phantom: VoxelPhantom, quantity: DoseQuantity) {
        let volume = phantom.grid.voxelVolumeCM3
        var dose = [Double](repeating: 0, count: e.count)
        var r = rel
        for v in 0..<e.count {
            let massKG = Double(phantom.densitiesGPerCM3[v]) * volume * 1e-3
            if massKG > 0 { dose[v] = e[v] * Self.joulePerMeV / massKG } else { r[v] = 0 }
        }
        grid = phantom.grid
        doseGyPerHistory = dose
        relativeUncertainty = r
        self.quantity = quantity
    }

    /// A distribution from arrays (e.g. read from a `.3ddose` file).
    public init(grid: VoxelGrid, doseGyPerHistory: [Double], relativeUncertainty: [Double], quantity: DoseQuantity) {
        self.grid = grid
        self.doseGyPerHistory = doseGyPerHistory
        self.relativeUncertainty = relativeUncertainty
        self.quantity = quantity
    }

    /// The maximum dose.
    public var maximumDose: Double { doseGyPerHistory.max() ?? 0 }

    /// Mean relative uncertainty over voxels above half the maximum dose (the DOSXYZnrc / DPM convention,
    /// PHYSICS.md §5).
    public var meanRelativeUncertaintyAboveHalfMax: Double {
        let half = 0.5 * maximumDose
        var s = 0.0, n = 0
        for v in 0..<doseGyPerHistory.count where doseGyPerHistory[v] > half {
            s += relativeUncertainty[v]
            n += 1
        }
        return n > 0 ? s / Double(n) : 0
    }
}
