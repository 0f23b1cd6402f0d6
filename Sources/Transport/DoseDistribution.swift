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
    ///
    /// The same values as `init(meanEnergyMeV:…)` of the tally's `meanEnergyPerHistory()` (same expressions,
    /// same bits; `DoseFileTests`), read from the tally's records in one pass into the two arrays, each
    /// written once: no zero-filled arrays of mean energies and doses first, whose page faults and fills
    /// were a fixed cost of every run (docs/performance.md, session 9).
    public init(tally: EnergyTally, phantom: VoxelPhantom, quantity: DoseQuantity = .medium) {
        var t = tally
        t.flush()  // copies nothing when no history is open (the engine's merged tallies)
        let count = t.voxelCount
        let histories = t.histories
        let n = Double(histories)
        var dose: [Double] = []
        relativeUncertainty = [Double](unsafeUninitializedCapacity: count) { rel, relCount in
            dose = [Double](unsafeUninitializedCapacity: count) { d, doseCount in
                for v in 0..<count {
                    let s1 = t.sum(ofVoxel: v)
                    var e = 0.0, r = 0.0
                    if histories == 1 {
                        e = Double(s1) * EnergyTally.quantumMeV
                    } else if histories > 1 && s1 > 0 {
                        e = Double(s1) / n * EnergyTally.quantumMeV
                        r = t.relativeUncertainty(ofVoxel: v)
                    }
                    let massKG = Self.massKG(ofVoxel: v, in: phantom)
                    (d[v], rel[v]) = massKG > 0 ? (e * Self.joulePerMeV / massKG, r) : (0, 0)
                }
                doseCount = count
            }
            relCount = count
        }
        grid = phantom.grid
        doseGyPerHistory = dose
        self.quantity = quantity
    }

    /// Dose from a decomposed run's batch tally (uncertainty from the batches' spread).
    public init(batches: BatchTally, phantom: VoxelPhantom, quantity: DoseQuantity = .medium) {
        let (e, rel) = batches.meanEnergyPerHistory()
        self.init(meanEnergyMeV: e, relativeUncertainty: rel, phantom: phantom, quantity: quantity)
    }

    init(meanEnergyMeV e: [Double], relativeUncertainty rel: [Double], phantom: VoxelPhantom, quantity: DoseQuantity) {
        var dose = [Double](repeating: 0, count: e.count)
        var r = rel
        for v in 0..<e.count {
            let massKG = Self.massKG(ofVoxel: v, in: phantom)
            if massKG > 0 { dose[v] = e[v] * Self.joulePerMeV / massKG } else { r[v] = 0 }
        }
        grid = phantom.grid
        doseGyPerHistory = dose
        relativeUncertainty = r
        self.quantity = quantity
    }

    /// The mass of voxel `v` in kg (ρ V; g → kg).
    @inline(__always)
    static func massKG(ofVoxel v: Int, in phantom: VoxelPhantom) -> Double {
        Double(phantom.densitiesGPerCM3[v]) * phantom.grid.voxelVolumeCM3 * 1e-3
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

    /// `DoseDistribution(tally: tally, phantom: phantom).meanRelativeUncertaintyAboveHalfMax`, the same
    /// bits, without building the distribution: two passes over the sums, a square root only above half
    /// the maximum and nothing allocated. The engine reports it after every round (building four arrays
    /// of the grid's size each time was ≈ 4 % of a 300 000-history run, docs/performance.md).
    public static func meanRelativeUncertaintyAboveHalfMax(of tally: EnergyTally, phantom: VoxelPhantom) -> Double {
        var tally = tally
        tally.flush()  // copies nothing when no history is open (the engine's merged tallies)
        guard tally.histories > 1 else { return 0 }
        let n = Double(tally.histories)
        @inline(__always) func dose(_ v: Int) -> Double {
            let massKG = Self.massKG(ofVoxel: v, in: phantom)
            let s1 = tally.sum(ofVoxel: v)
            guard massKG > 0, s1 > 0 else { return 0 }
            return Double(s1) / n * EnergyTally.quantumMeV * joulePerMeV / massKG
        }
        var maximum = 0.0
        for v in 0..<tally.voxelCount { maximum = max(maximum, dose(v)) }
        let half = 0.5 * maximum
        var s = 0.0, count = 0
        for v in 0..<tally.voxelCount where dose(v) > half {
            s += tally.relativeUncertainty(ofVoxel: v)
            count += 1
        }
        return count > 0 ? s / Double(count) : 0
    }

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
