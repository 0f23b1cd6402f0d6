import Foundation
import Testing

@testable import Physics

/// The interleaved-point table with its guide search (`TabulatedEnergyDensity`) against the exact sampler
/// of each node density (`PiecewiseLinearDensity.sample`: binary search over three separate arrays, then
/// the quadratic). The table must draw the same node and then the same value, bit for bit: the layout
/// and the guide are speed-ups, not approximations.
@Suite struct TabulatedEnergyDensityTests {
    /// Replays one seeded sequence through the table and through the exact per-node sampler.
    static func expectSameDraws(_ table: TabulatedEnergyDensity, densityAt: (Double) -> PiecewiseLinearDensity,
                                lnEnergies: [Double], draws: Int = 2_000) {
        let nodes = (0..<table.grid.count).map { densityAt(Foundation.exp(table.grid.lnEnergy($0))) }
        var mismatches = 0
        for (n, lnE) in lnEnergies.enumerated() {
            var a = SplitMix64(seed: 17 + UInt64(n))
            var b = a
            for _ in 0..<draws {
                let fromTable = table.sample(lnEnergy: lnE, random: &a)
                // The exact path: the node by the same stochastic interpolation, then the node's own sampler.
                let (i, f) = table.grid.locate(lnE)
                let node = b.nextUniform() < f ? i + 1 : i
                let exact = nodes[node].sample(b.nextUniform())
                if fromTable.bitPattern != exact.bitPattern { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func comptonTableDrawsWhatTheExactSamplerDraws() {
        // The Klein–Nishina table's node densities (the sampler's own construction, free electrons) on a
        // coarser grid: Compton is the hottest sampler of a photon run.
        let grid = EnergyGrid(lnMinMeV: log(1e-3), lnMaxMeV: log(25.0), count: 41)
        let s = (0..<129).map { Double($0) / 128 }
        let densityAt = { (energy: Double) -> PiecewiseLinearDensity in
            let k = energy / CollisionStoppingPower.electronMassMeV
            let lnEps0 = -log1p(2 * k)
            return PiecewiseLinearDensity(x: s, values: s.map { si in
                let eps = exp(lnEps0 * (1 - si))
                return eps * KleinNishinaSampler.density(epsilon: eps, k: k)
            })
        }
        let sampler = KleinNishinaSampler(grid: grid, points: 129, tolerance: nil)
        let lnEnergies = [log(0.011), log(0.1), log(0.511), log(1.25), log(6.0), log(24.9)]
        Self.expectSameDraws(sampler.table, densityAt: densityAt, lnEnergies: lnEnergies)
    }

    @Test func unevenNodesAndSteepDensities() {
        // Nodes of different point counts (the guide's bucket count follows the widest) and densities
        // that vanish at one end (the quadratic's p = 0 branch).
        let grid = EnergyGrid(lnMinMeV: log(0.01), lnMaxMeV: log(10.0), count: 9)
        let densityAt = { (e: Double) -> PiecewiseLinearDensity in
            let points = 5 + Int(10 * e) % 40
            let x = (0..<points).map { Double($0) / Double(points - 1) * e }
            return PiecewiseLinearDensity(x: x, values: x.map { pow($0 / e, 3) * (1 + 0.5 * sin(7 * $0 / e)) })
        }
        let table = TabulatedEnergyDensity(grid: grid, densityAt: densityAt)
        Self.expectSameDraws(table, densityAt: densityAt, lnEnergies: [log(0.01), log(0.05), log(0.7), log(3.3), log(10.0)])
    }
}
