import Foundation
import Testing
@testable import Transport

/// The electron step's table inversions (`MediumTables.lnEnergy(forCumulative:)`) and the identity that
/// lets a step invert its strength targets once (`ChargedStep.lnHingeTarget`, `lnEndTarget`), on the real
/// tables of water, bone and lung from 1 keV to 21 MeV (the water 6 MV case's range).
@Suite struct TableInversionTests {
    static let tables: [MediumTables] = {
        let settings = TransportSettings()
        let media = (try? PhysicsMedium.media(named: ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"], settings: settings)) ?? []
        return media.map { MediumTables(physics: $0, minimumMeV: 0.001, maximumMeV: 21) }
    }()

    /// Inverting a cumulative column at its own interpolated value gives back the ln E, for range and
    /// strength, electrons and positrons, across the whole grid (between and at the points).
    @Test func inversionReturnsTheInterpolatedEnergy() throws {
        try #require(Self.tables.count == 3)
        var rng = SystemRandomNumberGenerator()
        for t in Self.tables {
            for q in 0...1 {
                for column in [t.range[q], t.strength[q]] {
                    for n in 0..<2000 {
                        // Every grid point once, then random energies between.
                        let lnE = n < t.count - 1 ? t.lnMin + Double(n) * t.step
                            : Double.random(in: t.lnMin...(t.lnMin + Double(t.count - 1) * t.step), using: &rng)
                        let value = t.value(column, t.locate(lnEnergy: lnE))
                        let back = t.lnEnergy(forCumulative: column, value)
                        // Exact in real arithmetic; what is left is rounding of the value and of the grid
                        // position (|ln E| ≤ 7, ulp ≈ 1e-15): 1e-12 leaves a thousandfold margin.
                        #expect(abs(back - lnE) < 1e-12, "ln E \(lnE) gave \(back)")
                    }
                }
            }
        }
    }

    /// S(E) + k_used = S(E₀) while a step stays in its starting medium, whatever the density of each
    /// voxel: so the per-segment target, S(E_here) − (k_target − k_used), inverts to the target the step
    /// inverted once at its start. Checked over random steps cut into random segments.
    @Test func strengthTargetsHoldAcrossSegments() throws {
        try #require(Self.tables.count == 3)
        var rng = SystemRandomNumberGenerator()
        for t in Self.tables {
            for q in 0...1 {
                let s = t.strength[q]
                for _ in 0..<500 {
                    let lnE0 = Double.random(in: log(0.05)...log(20), using: &rng)
                    let strength0 = t.value(s, t.locate(lnEnergy: lnE0))
                    let kHinge = Double.random(in: 0...0.9, using: &rng) * strength0
                    let lnTarget = t.lnEnergy(forCumulative: s, strength0 - kHinge)
                    // Segments end at random energies between the start and the target.
                    var lnHere = lnE0, kUsed = 0.0
                    for _ in 0..<4 {
                        let lnNext = Double.random(in: min(lnTarget, lnHere)...lnHere, using: &rng)
                        kUsed += t.value(s, t.locate(lnEnergy: lnHere)) - t.value(s, t.locate(lnEnergy: lnNext))
                        lnHere = lnNext
                        let perSegment = t.lnEnergy(forCumulative: s, t.value(s, t.locate(lnEnergy: lnHere)) - (kHinge - kUsed))
                        // Rounding only, as above, now of a sum of up to nine table values.
                        #expect(abs(perSegment - lnTarget) < 1e-11, "target \(lnTarget), per segment \(perSegment)")
                    }
                }
            }
        }
    }

    /// The inversion from a nearby index (`lnEnergy(forCumulative:_:near:)`, the electron step's mid-point,
    /// hinge and segment ends) gives the search's Double bit for bit, for any hint: at the answer, a few
    /// points either side, far away and outside the table. Values at and next to the table's points (where
    /// the interval changes), below its first and above its last point, and random ones between.
    @Test func inversionFromAHintHasTheSearchsBits() throws {
        try #require(Self.tables.count == 3)
        var rng = SystemRandomNumberGenerator()
        for t in Self.tables {
            for q in 0...1 {
                for c in [t.range[q], t.strength[q]] {
                    var values: [Double] = [0, -1, c[0] * 0.5, c[0], c[0].nextUp, c[t.count - 1], c[t.count - 1].nextDown,
                                            c[t.count - 1] * 2]
                    for i in 0..<t.count { values += [c[i], c[i].nextUp, c[i].nextDown] }
                    for _ in 0..<3000 { values.append(Double.random(in: c[0]...c[t.count - 1], using: &rng)) }
                    for value in values {
                        let expected = t.lnEnergy(forCumulative: c, value)
                        let at = t.locate(lnEnergy: expected).0
                        let hints = [at, at - 1, at + 1, at - 5, at + 7, 0, t.count - 2, -3, t.count + 4,
                                     Int.random(in: 0..<t.count, using: &rng)]
                        for hint in hints {
                            let got = t.lnEnergy(forCumulative: c, value, near: hint)
                            #expect(got.bitPattern == expected.bitPattern, "value \(value) hint \(hint): \(got) vs \(expected)")
                        }
                    }
                }
            }
        }
    }
}
