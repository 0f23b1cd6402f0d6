import Foundation
import Testing
@testable import Transport

/// The charged lanes' table arithmetic (`ChargedLaneMath`, `Simulation.lnEnergyForRange`) against the
/// scalar functions it stands in for, bit for bit, on the real tables of water, bone and lung (1 keV to
/// 21 MeV, the water 6 MV case's grid), electrons and positrons mixed across the four lanes.
@Suite struct ChargedSegmentLanesTests {
    static let limits = ChargedLimits(TransportSettings())
    static let laneTables = ChargedLaneTable.all(TableInversionTests.tables, limits: limits)

    /// Random lanes of `count` values: (table index, value) drawn by `value(table, rng)`.
    static func lanes(_ count: Int, _ value: (ChargedLaneTable, inout SystemRandomNumberGenerator) -> Double)
        -> [(SIMD4<Int>, SIMD4<Double>)] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            var table = SIMD4<Int>(), x = SIMD4<Double>()
            for q in 0..<4 {
                table[q] = Int.random(in: 0..<laneTables.count, using: &rng)
                x[q] = value(laneTables[table[q]], &rng)
            }
            return (table, x)
        }
    }

    /// `locate` and `value` for ln E below, inside (at grid points and between) and above the grid.
    @Test func locateAndValueMatchTheScalarTables() throws {
        try #require(TableInversionTests.tables.count == 3)
        let all = Self.lanes(20_000) { t, rng in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: t.lnMin + Double(Int.random(in: -2...Int(t.last) + 2, using: &rng)) * t.step
            case 1: t.lnMin - Double.random(in: 0...3, using: &rng)
            case 2: t.lnMin + t.last * t.step + Double.random(in: 0...3, using: &rng)
            default: Double.random(in: t.lnMin...(t.lnMin + t.last * t.step), using: &rng)
            }
        }
        for (table, ln) in all {
            var lnMin = SIMD4<Double>(), inverseStep = SIMD4<Double>(), last = SIMD4<Double>(), secondLast = SIMD4<Double>()
            for q in 0..<4 {
                let t = Self.laneTables[table[q]]
                (lnMin[q], inverseStep[q], last[q], secondLast[q]) = (t.lnMin, t.inverseStep, t.last, t.secondLast)
            }
            let at = ChargedLaneMath.locate(ln, lnMin, inverseStep, last, secondLast)
            let range = ChargedLaneMath.value({ Self.laneTables[table[$0]].range }, at)
            for q in 0..<4 {
                let t = Self.laneTables[table[q]].tables
                let scalar = t.locate(lnEnergy: ln[q])
                #expect(Int(at.0[q]) == scalar.0 && at.1[q].bitPattern == scalar.1.bitPattern, "ln E \(ln[q])")
                #expect(range[q].bitPattern == t.value(Self.laneTables[table[q]].range, scalar).bitPattern)
            }
        }
    }

    /// The fixed-length inversion of the range: the scalar inversion's bits for values at and next to the
    /// grid's points, between them, below the first and above the last, with inactive lanes left alone.
    @Test func rangeInversionMatchesTheScalarSearch() throws {
        try #require(TableInversionTests.tables.count == 3)
        let sim = try EventDriverTests.simulation()
        let all = Self.lanes(40_000) { t, rng in
            let c = t.range
            let i = Int.random(in: 0...Int(t.last), using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return c[i]
            case 1: return c[i].nextUp
            case 2: return c[i].nextDown
            case 3: return Double.random(in: 0...c[0], using: &rng)
            case 4: return c[Int(t.last)] * Double.random(in: 1...2, using: &rng)
            default: return Double.random(in: c[0]...c[Int(t.last)], using: &rng)
            }
        }
        var rng = SystemRandomNumberGenerator()
        try Self.laneTables.withUnsafeBufferPointer { laneTables in
            for (table, value) in all {
                let active = Simulation.laneMask(UInt8.random(in: 1...15, using: &rng))
                let ln = sim.lnEnergyForRange(value, table, try #require(laneTables.baseAddress), active)
                for q in 0..<4 where active[q] {
                    let t = Self.laneTables[table[q]]
                    let scalar = t.tables.lnEnergy(forCumulative: t.range, value[q])
                    #expect(ln[q].bitPattern == scalar.bitPattern, "range \(value[q]): \(ln[q]) vs \(scalar)")
                }
            }
        }
        // The search's length: a few points per guide bucket (32 compares would make the lanes pointless).
        #expect(Self.laneTables.allSatisfy { $0.range.scanLength <= 6 }, "\(Self.laneTables.map(\.range.scanLength))")
    }
}
