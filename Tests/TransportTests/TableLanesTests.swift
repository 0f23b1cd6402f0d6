import Foundation
import Geometry
import Phantom
import Testing
@testable import Transport

/// The lane arithmetic of the event driver's step set-up (`TableLanes.swift`, `Simulation.chargedStepQuad`)
/// against the scalar functions it replaces, bit for bit, on the real water, bone and lung tables: the set-up
/// is meant to leave every dose bit as it was.
@Suite struct TableLanesTests {
    /// Energies at and next to every grid point, below and above the table, and random ones (ln E).
    static func lnEnergies(_ t: MediumTables, random: Int) -> [Double] {
        var rng = SystemRandomNumberGenerator()
        let top = t.lnMin + Double(t.count - 1) * t.step
        var xs = [t.lnMin - 3, t.lnMin, t.lnMin.nextDown, t.lnMin.nextUp, top, top.nextDown, top.nextUp, top + 2]
        for i in 0..<t.count {
            let x = t.lnMin + Double(i) * t.step
            xs += [x, x.nextUp, x.nextDown]
        }
        for _ in 0..<random { xs.append(Double.random(in: (t.lnMin - 0.5)...(top + 0.5), using: &rng)) }
        return xs
    }

    @Test func locateAndValueHaveTheScalarBits() throws {
        try #require(TableInversionTests.tables.count == 3)
        for t in TableInversionTests.tables {
            let xs = Self.lnEnergies(t, random: 4000)
            for g in stride(from: 0, to: xs.count - 3, by: 4) {
                let lanes = SIMD4(xs[g], xs[g + 1], xs[g + 2], xs[g + 3])
                let at = t.locate(lnEnergies: lanes)
                let values = [t.range[0], t.strength[1], t.inverseLambda1[0]].map { t.value($0, at) }
                for k in 0..<4 {
                    let scalar = t.locate(lnEnergy: lanes[k])
                    #expect(Int(at.0[k]) == scalar.0 && at.1[k].bitPattern == scalar.1.bitPattern, "ln E \(lanes[k])")
                    for (c, v) in zip([t.range[0], t.strength[1], t.inverseLambda1[0]], values) {
                        #expect(v[k].bitPattern == t.value(c, scalar).bitPattern)
                    }
                }
            }
        }
    }

    /// Four values at once from hints at the answer, inside the window, just outside it and far away (the
    /// scalar walk's lanes), mixed in one group: every lane the search's Double.
    @Test func laneInversionHasTheSearchsBits() throws {
        try #require(TableInversionTests.tables.count == 3)
        var rng = SystemRandomNumberGenerator()
        var inWindow = 0
        for t in TableInversionTests.tables {
            for q in 0...1 {
                for c in [t.range[q], t.strength[q]] {
                    var values = TableInversionTests.inversionValues(c, count: t.count, using: &rng)
                    values.shuffle(using: &rng)
                    for offset in [0, -1, 1, -2, 2, -3, 3, -9, 40] {
                        for g in stride(from: 0, to: values.count - 3, by: 4) {
                            let v = SIMD4(values[g], values[g + 1], values[g + 2], values[g + 3])
                            var hints = SIMD4<Int64>(), expected = SIMD4<Double>()
                            for k in 0..<4 {
                                expected[k] = t.lnEnergy(forCumulative: c, v[k])
                                let at = t.locate(lnEnergy: expected[k]).0
                                // Mixed groups: one lane from the answer itself, the others `offset` away.
                                hints[k] = Int64(k == g % 4 ? at : at + offset)
                                if abs(offset) <= 2 && v[k] > c[0] && v[k] < c[t.count - 1] { inWindow += 1 }
                            }
                            let got = t.lnEnergy(forCumulative: c, v, near: hints)
                            for k in 0..<4 {
                                #expect(got[k].bitPattern == expected[k].bitPattern,
                                        "value \(v[k]) hint \(hints[k]): \(got[k]) vs \(expected[k])")
                            }
                        }
                    }
                }
            }
        }
        #expect(inWindow > 100_000)
    }

    /// Water over bone over lung, each 2 cm, real physics; no range rejection, so every particle sets up a
    /// step.
    static func simulation(_ model: MultipleScatteringModel) throws -> Simulation {
        let grid = VoxelGrid(counts: (3, 3, 3), originCM: Vec3(-3, -3, 0), spacingCM: Vec3(2, 2, 2))
        let media = (0..<grid.voxelCount).map { UInt8($0 / 9) }
        let rho: [Float] = (0..<grid.voxelCount).map { [1, 1.85, 0.26][$0 / 9] }
        let phantom = try VoxelPhantom(grid: grid, media: ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"],
                                       mediumIndices: media, densitiesGPerCM3: rho)
        var settings = TransportSettings()
        settings.rangeRejectionBelowMeV = 0
        settings.multipleScattering = model
        let field = try FieldRectangle(x1CM: -1, x2CM: 1, y1CM: -1, y2CM: 1)
        return try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                              source: .pointSource(ssdCM: 100, field: field, energy: .monoenergetic(MeV: 6)), settings: settings)
    }

    /// The whole set-up of four lanes (`chargedStepQuad`) against the scalar `chargedStep` of each, from the
    /// same start and the same random numbers: every field the step's segments read, bit for bit, and the
    /// streams left in the same state. Energies from the cut-off (steps that stop) to 6 MeV, hard-event
    /// fuels from short (steps that end at a hard event) to long, each medium and charge, both models.
    @Test(arguments: [MultipleScatteringModel.modifiedWentzel, .goudsmitSaunderson])
    func quadSetUpHasTheScalarStepsBits(model: MultipleScatteringModel) throws {
        let sim = try Self.simulation(model)
        let limits = ChargedLimits(sim.settings)
        var tally = EnergyTally(voxelCount: sim.phantom.grid.voxelCount)
        var scratch = Simulation.Scratch(for: sim)
        var rng = SystemRandomNumberGenerator()
        var groups = 0, endsAtHard = 0, stops = 0
        for g in 0..<3000 {
            let k = g % 3, charge: Int8 = g % 2 == 0 ? -1 : 1
            var particles: [Particle] = [], readers: [ChargedReader] = [], starts: [ChargedStepStart] = []
            while particles.count < 4 {
                let e = g % 10 == 0 ? limits.eCut * Double.random(in: 1.0001...1.2, using: &rng)
                    : exp(Double.random(in: log(limits.eCut * 1.01)...log(6), using: &rng))
                var p = Particle(r: Vec3(Double.random(in: -2.9...2.9, using: &rng), 0.3, 2 * Double(k) + 1), u: Vec3(0, 0, 1),
                                 e: e, charge: charge, i: 0, j: 1, k: k, rng: RandomStream(seed: 7, history: UInt64(g * 4 + particles.count)))
                p.i = Int((p.r.x + 3) / 2)
                var reader = ChargedReader(medium: k, tables: sim.tables[k])
                guard let s = sim.startChargedStep(&p, &reader, limits, tally: &tally, scratch: &scratch) else { continue }
                particles.append(p)
                readers.append(reader)
                starts.append(s)
            }
            // Fuels −ln u, and now and then a short one so the step ends at a hard event.
            let fuels = SIMD4<Double>((0..<4).map { _ in
                Double.random(in: 0..<1, using: &rng) < 0.2 ? Double.random(in: 1e-4...1e-2, using: &rng)
                    : -log(Double.random(in: 1e-12..<1, using: &rng))
            })
            var scalarParticles = particles, scalarReaders = readers
            let scalar = (0..<4).map { sim.chargedStep(starts[$0], hardFuel: fuels[$0], &scalarParticles[$0], &scalarReaders[$0], limits) }
            var lanes = [ChargedStep](repeating: scalar[0], count: 4)
            particles.withUnsafeMutableBufferPointer { p in
                readers.withUnsafeMutableBufferPointer { r in
                    starts.withUnsafeMutableBufferPointer { s in
                        lanes.withUnsafeMutableBufferPointer { st in
                            sim.chargedStepQuad(SIMD4(0, 1, 2, 3), hardFuel: fuels, particle: p.baseAddress!, reader: r.baseAddress!,
                                                start: s.baseAddress!, step: st.baseAddress!, limits: limits)
                        }
                    }
                }
            }
            for l in 0..<4 {
                let (a, b) = (scalar[l], lanes[l])
                let doubles = [(a.e0, b.e0), (a.sigmaMax0, b.sigmaMax0), (a.hardFuel, b.hardFuel), (a.kStep, b.kStep),
                               (a.inverseLambda1, b.inverseLambda1), (a.inverseLambda2, b.inverseLambda2),
                               (a.rutherfordRatio, b.rutherfordRatio), (a.kHinge, b.kHinge), (a.lnHingeTarget, b.lnHingeTarget),
                               (a.lnEndTarget, b.lnEndTarget), (a.lnEnergy, b.lnEnergy), (a.s, b.s)]
                #expect(doubles.allSatisfy { $0.bitPattern == $1.bitPattern }, "group \(g) lane \(l): \(a) vs \(b)")
                #expect(a.medium0 == b.medium0 && a.endsAtHardEvent == b.endsAtHardEvent && a.stopsInStep == b.stopsInStep
                        && a.hinged == b.hinged && a.inStartMedium == b.inStartMedium)
                #expect(a.walk.i == b.walk.i && a.walk.exitDistance == b.walk.exitDistance)
                #expect(scalarParticles[l].rng.uniform() == particles[l].rng.uniform())
                endsAtHard += a.endsAtHardEvent ? 1 : 0
                stops += a.stopsInStep ? 1 : 0
            }
            groups += 1
        }
        // The sample reached the set-up's special cases.
        #expect(groups == 3000 && endsAtHard > 100 && stops > 100)
    }
}
