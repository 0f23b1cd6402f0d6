import Foundation

/// A grid of energies uniform in ln E (energies in MeV).
public struct EnergyGrid: Sendable, Hashable {
    /// ln of the first energy (MeV).
    public let lnMinMeV: Double
    /// ln of the last energy (MeV).
    public let lnMaxMeV: Double
    /// Number of points (≥ 2).
    public let count: Int
    /// Points per unit of ln E: 1 / spacing.
    public let inverseSpacing: Double

    /// Creates a grid of `count` points from `exp(lnMinMeV)` to `exp(lnMaxMeV)`.
    public init(lnMinMeV: Double, lnMaxMeV: Double, count: Int) {
        precondition(count >= 2 && lnMaxMeV > lnMinMeV, "an energy grid needs two increasing points")
        self.lnMinMeV = lnMinMeV
        self.lnMaxMeV = lnMaxMeV
        self.count = count
        inverseSpacing = Double(count - 1) / (lnMaxMeV - lnMinMeV)
    }

    /// The energy range covered, in MeV (rounded to 12 significant digits: exp(ln 25) is not 25).
    public var rangeMeV: ClosedRange<Double> {
        func rounded(_ x: Double) -> Double { Double(String(format: "%.12g", x)) ?? x }
        return rounded(Foundation.exp(lnMinMeV))...rounded(Foundation.exp(lnMaxMeV))
    }

    /// Whether `energyMeV` lies on the grid's range (to 1e-12 in ln E, so that the end points given in
    /// decimal, e.g. 25 MeV, count as inside).
    public func contains(energyMeV: Double) -> Bool {
        guard energyMeV > 0 else { return false }
        let lnE = Foundation.log(energyMeV)
        return lnE >= lnMinMeV - 1e-12 && lnE <= lnMaxMeV + 1e-12
    }

    /// ln E of point `i`.
    @inlinable public func lnEnergy(_ i: Int) -> Double {
        lnMinMeV + Double(i) / inverseSpacing
    }

    /// The interval holding `lnEnergy` and the position inside it, clamped to the grid.
    @inlinable public func locate(_ lnEnergy: Double) -> (index: Int, fraction: Double) {
        let x = (lnEnergy - lnMinMeV) * inverseSpacing
        let i = min(max(Int(x.rounded(.down)), 0), count - 2)
        return (i, min(max(x - Double(i), 0), 1))
    }

    /// Linear interpolation in ln E of `values` tabulated on this grid.
    @inlinable public func interpolate(_ values: [Double], lnEnergy: Double) -> Double {
        let (i, f) = locate(lnEnergy)
        return values[i] + f * (values[i + 1] - values[i])
    }
}
