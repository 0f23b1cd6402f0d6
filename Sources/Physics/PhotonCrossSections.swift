import Foundation

/// Mass attenuation coefficients of one material at one photon energy, in cm²/g.
public struct PhotonCoefficients: Sendable, Hashable {
    /// Photoelectric absorption.
    public var photoelectric: Double
    /// Incoherent (Compton) scattering.
    public var incoherent: Double
    /// Coherent (Rayleigh) scattering.
    public var coherent: Double
    /// Pair production in the nuclear and the electron field (triplet), simulated as pair.
    public var pair: Double
    /// The sum of the four.
    public var total: Double { photoelectric + incoherent + coherent + pair }

    /// Creates coefficients from the four processes (cm²/g).
    public init(photoelectric: Double, incoherent: Double, coherent: Double, pair: Double) {
        self.photoelectric = photoelectric
        self.incoherent = incoherent
        self.coherent = coherent
        self.pair = pair
    }
}

/// Photon cross sections of one material on its energy grid (the common ln E grid plus its absorption
/// edges, each twice: just below and just above the jump), interpolated log–log (PHYSICS.md §1.6).
public struct PhotonCrossSections: Sendable {
    /// The common grid the material's points are merged into.
    public let grid: EnergyGrid
    /// ln E of the material's points (non-decreasing; an edge appears twice).
    public let lnEnergies: [Double]
    /// Per process, the values (cm²/g) and their logarithms (−∞ where zero).
    private let values: [[Double]]
    private let logValues: [[Double]]
    /// For each interval of the common grid, the first material point at or after its start.
    private let firstPoint: [Int]

    /// Creates the table from the generator's arrays (photo, incoherent, coherent, pair), all on `lnEnergies`.
    init(grid: EnergyGrid, lnEnergies: [Double], processes: [[Double]]) {
        self.grid = grid
        self.lnEnergies = lnEnergies
        values = processes
        logValues = processes.map { $0.map { $0 > 0 ? Foundation.log($0) : -Double.infinity } }
        var first = [Int](repeating: 0, count: grid.count)
        var j = 0
        for i in 0..<grid.count {
            while j < lnEnergies.count - 1 && lnEnergies[j] < grid.lnEnergy(i) - 1e-12 { j += 1 }
            first[i] = j
        }
        firstPoint = first
    }

    /// The energy range of the table, in MeV.
    public var energyRangeMeV: ClosedRange<Double> { grid.rangeMeV }

    /// The coefficients at `energyMeV`.
    /// - Throws: `PhysicsDataError.energyOutOfRange` outside 1 keV–25 MeV (the table's range).
    public func coefficients(energyMeV: Double) throws -> PhotonCoefficients {
        guard grid.contains(energyMeV: energyMeV) else {
            throw PhysicsDataError.energyOutOfRange(
                quantity: "photon cross sections", energyMeV: energyMeV, range: energyRangeMeV)
        }
        return coefficients(lnEnergy: Foundation.log(energyMeV))
    }

    /// The coefficients at ln E (MeV), without range checks: the hot path. Outside the table the end
    /// intervals are extrapolated.
    public func coefficients(lnEnergy: Double) -> PhotonCoefficients {
        // Start at the common-grid interval, then step over the (at most a few) edge points in it.
        var j = firstPoint[grid.locate(lnEnergy).index]
        while j + 2 < lnEnergies.count && lnEnergies[j + 1] <= lnEnergy { j += 1 }
        if j > 0 && lnEnergies[j] > lnEnergy { j -= 1 }
        let width = lnEnergies[j + 1] - lnEnergies[j]
        let t = width > 0 ? (lnEnergy - lnEnergies[j]) / width : 1
        func value(_ p: Int) -> Double {
            let a = logValues[p][j], b = logValues[p][j + 1]
            if a.isFinite && b.isFinite { return Foundation.exp(a + t * (b - a)) }
            // A zero end (pair threshold): linear in ln E.
            return values[p][j] + t * (values[p][j + 1] - values[p][j])
        }
        return PhotonCoefficients(photoelectric: value(0), incoherent: value(1), coherent: value(2), pair: value(3))
    }
}
