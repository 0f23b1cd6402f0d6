import Foundation
import Geometry
import Physics
import Testing
import Transport
@testable import Beam

/// `PlanSource.Sampling.openAperture` against `.jawRectangle`: the same fluence (open field, leaf
/// transmission, penumbrae, extra-focal and electron components), from far fewer proposals.
@Suite struct PlanSourceSamplingTests {
    static let model: SourceModel = { try! SourceModel(machine: GenericMachines.sixMV, physics: try! PhysicsData.bundled()) }()

    /// An MLCX field: 10 pairs of 1 cm across Yb −5…5, an L-shaped opening with two closed pairs, jaws
    /// X −4…5, Y −4…4 (the outer pairs lie under the Y jaws).
    static func mlcField(gantry: Double = 0, bankShiftCM: Double = 0) -> MachineState {
        let a: [Double] = [-1, -1, -3, -3, -3, 0.5, 0.5, -2, -2, -1].map { $0 + bankShiftCM }
        let b: [Double] = [1, 1, 4, 4, 4, 0.5, 0.5, 1, 1, 1].map { $0 + bankShiftCM }
        let leaves = LeafPositions(travelAlongX: true, boundariesCM: (0...10).map { Double($0) - 5 }, bankACM: a, bankBCM: b)
        return MachineState(gantryDeg: gantry, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                            aperture: Aperture(x1CM: -4, x2CM: 5, y1CM: -4, y2CM: 4, leaves: leaves))
    }

    static func delivery(_ states: [MachineState]) throws -> BeamDelivery {
        try BeamDelivery(number: 1, name: "mlc", monitorUnits: 1, states: states,
                         cumulativeWeights: states.count == 1 ? [0] : states.indices.map { Double($0) / Double(states.count - 1) })
    }

    /// Fluence per unit proposal density (kept primaries × weight × S/N per cm²) in 0.25 cm bins of the
    /// isocentre plane, Xb −8…8 by Yb −8…8 (gantry 0, HFS: Xb = patient x, Yb = patient z), with each bin's
    /// variance, plus the kept fraction. Electrons and photons are binned apart (index 0 photons).
    struct Fluence {
        static let bins = 64, binCM = 0.25, lowCM = -8.0
        var value = [[Double]](repeating: [Double](repeating: 0, count: bins * bins), count: 2)
        var variance = [[Double]](repeating: [Double](repeating: 0, count: bins * bins), count: 2)
        var kept = 0.0

        init(_ source: PlanSource, proposals: Int, seed: UInt64) {
            let scale = source.muAreaSum / Double(proposals) / (Self.binCM * Self.binCM)
            var primaries: [PrimaryParticle] = []
            for h in 0..<UInt64(proposals) {
                var rng = RandomStream(seed: seed, history: h)
                primaries.removeAll(keepingCapacity: true)
                source.emitPrimaries(history: h, rng: &rng, into: &primaries)
                guard let p = primaries.first else { continue }
                kept += 1
                let hit = p.positionCM + p.direction * (-p.positionCM.y / p.direction.y)
                let i = Int(((hit.x - Self.lowCM) / Self.binCM).rounded(.down))
                let j = Int(((hit.z - Self.lowCM) / Self.binCM).rounded(.down))
                guard (0..<Self.bins).contains(i), (0..<Self.bins).contains(j) else { continue }
                let c = p.charge == 0 ? 0 : 1
                value[c][j * Self.bins + i] += p.weight * scale
                variance[c][j * Self.bins + i] += (p.weight * scale) * (p.weight * scale)
            }
            kept /= Double(proposals)
        }

        /// Sum and variance over the bins whose centres satisfy `inside` (Xb, Yb).
        func region(_ c: Int, _ inside: (Double, Double) -> Bool) -> (sum: Double, variance: Double) {
            var s = 0.0, v = 0.0
            for j in 0..<Self.bins {
                for i in 0..<Self.bins
                where inside(Self.lowCM + (Double(i) + 0.5) * Self.binCM, Self.lowCM + (Double(j) + 0.5) * Self.binCM) {
                    s += value[c][j * Self.bins + i]
                    v += variance[c][j * Self.bins + i]
                }
            }
            return (s, v)
        }
    }

    /// The two samplers agree in `region` within 4 σ (the σ of both estimates combined).
    func expectSame(_ a: Fluence, _ b: Fluence, _ name: String, component c: Int = 0,
                    _ inside: (Double, Double) -> Bool) {
        let x = a.region(c, inside), y = b.region(c, inside)
        let sigma = (x.variance + y.variance).squareRoot()
        #expect(x.sum > 0 && y.sum > 0, "\(name): empty region")
        #expect(abs(x.sum - y.sum) < 4 * sigma, "\(name): rectangle \(x.sum), open aperture \(y.sum) ± \(sigma)")
    }

    func compare(_ states: [MachineState], proposals: Int, focalSigmas: Double = 5) throws -> (Fluence, Fluence) {
        let d = try Self.delivery(states)
        let rectangle = try PlanSource(model: Self.model, deliveries: [d], patientPosition: .headFirstSupine)
        let open = try PlanSource(model: Self.model, deliveries: [d], patientPosition: .headFirstSupine, marginCM: 3,
                                  sampling: .openAperture, focalSigmas: focalSigmas)
        let a = Fluence(rectangle, proposals: proposals, seed: 21), b = Fluence(open, proposals: proposals, seed: 22)
        // Open field (pair 4: Yb −1…0 open over Xb −3…4), a leaf tip's and a jaw's penumbra, leaf
        // transmission under the closed pairs 5–6 (Yb 0…2) away from the tips, outside the jaws, all.
        expectSame(a, b, "open field") { x, y in abs(x - 0.5) < 2.5 && y > -0.9 && y < -0.1 }
        expectSame(a, b, "leaf-tip penumbra") { x, y in abs(x + 3) < 0.3 && y > -2.9 && y < -0.1 }
        expectSame(a, b, "jaw penumbra") { x, y in abs(y + 4) < 0.3 && x > -0.9 && x < 0.9 }
        expectSame(a, b, "leaf transmission") { x, y in x > 2 && x < 3.8 && y > 0.1 && y < 1.9 }
        expectSame(a, b, "outside the jaws") { x, y in abs(y) > 4.5 || x > 5.5 || x < -4.5 }
        expectSame(a, b, "all photons") { _, _ in true }
        expectSame(a, b, "contaminant electrons", component: 1) { _, _ in true }
        return (a, b)
    }

    @Test func openApertureGivesTheRectanglesFluenceFromFewerProposals() throws {
        let (a, b) = try compare([Self.mlcField()], proposals: 150_000)
        // Kept per proposal: 24 % for the thorax example's fields with the rectangle (docs/beam-model.md).
        #expect(b.kept > 2 * a.kept, "kept fraction: rectangle \(a.kept), open aperture \(b.kept)")
    }

    @Test func slidingLeavesAndWeightedSourcePointsKeepTheFluence() throws {
        // Leaves sliding 2 cm over the beam, and an envelope for source points within 0.7 σ only, so that
        // ≈ 70 % of focal proposals take the weighted rectangle path.
        _ = try compare([Self.mlcField(bankShiftCM: -1), Self.mlcField(bankShiftCM: 1)], proposals: 100_000, focalSigmas: 0.7)
    }

    @Test func envelopeHoldsEveryFullyOpenRayOfTheBeam() throws {
        // Random moments of a sliding MLCY beam and of the MLCX field, random source points in the
        // 5 σ box: wherever the collimator passes a ray in full, the envelope must contain its isocentre point.
        var machine = GenericMachines.sixMV
        machine.primarySource.sigmaCM = 0.15
        let model = try SourceModel(machine: machine, physics: try PhysicsData.bundled())
        var mlcy = Self.mlcField(bankShiftCM: -1), moved = Self.mlcField(bankShiftCM: 2)
        mlcy.aperture.leaves?.travelAlongX = false
        moved.aperture.leaves?.travelAlongX = false
        for states in [[Self.mlcField()], [mlcy, moved]] {
            let (source, open) = try Self.openRaysInEnvelope(model, try Self.delivery(states), rays: 200_000, seed: 3)
            let r = source.samplingBounds[0]
            #expect(open > 10_000)
            #expect(source.envelopeDraws[0]!.envelope.areaCM2 < 0.7 * (r.x2CM - r.x1CM) * (r.y2CM - r.y1CM))
        }
    }

    /// The open-aperture source of `d` and how many of `rays` random rays — random moments of the beam, source points
    /// in the box of the envelope's 5 σ, isocentre-plane points in the sampling rectangle — the collimator passes in
    /// full; each of those must end inside the envelope (an expectation per ray).
    static func openRaysInEnvelope(_ model: SourceModel, _ d: BeamDelivery, rays: Int, seed: UInt64) throws -> (PlanSource, Int) {
        let source = try PlanSource(model: model, deliveries: [d], patientPosition: .headFirstSupine, sampling: .openAperture)
        let envelope = try #require(source.envelopeDraws[0]?.envelope)
        let r = source.samplingBounds[0]
        let h = source.focalHalfWidthCM, sad = model.machine.sourceAxisDistanceCM
        var rng = RandomStream(seed: seed, history: 0)
        var open = 0
        for _ in 0..<rays {
            let state = d.state(atMetersetFraction: rng.uniform())
            let s = Vec3((2 * rng.uniform() - 1) * h, (2 * rng.uniform() - 1) * h, sad)
            let p = Vec3(r.x1CM + rng.uniform() * (r.x2CM - r.x1CM), r.y1CM + rng.uniform() * (r.y2CM - r.y1CM), 0)
            let t = model.collimator.transmission(state.aperture, from: s, to: p, sourceAxisDistanceCM: sad)
            guard t == 1 else { continue }
            open += 1
            #expect(envelope.contains(x: p.x, y: p.y), "open ray to (\(p.x), \(p.y)) outside the envelope")
        }
        return (source, open)
    }

    @Test func mlcWhoseLeavesDoNotMatchItsBoundariesIsRefused() throws {
        var state = Self.mlcField()
        state.aperture.leaves?.bankBCM.removeLast()
        let d = try Self.delivery([state])
        #expect {
            try PlanSource(model: Self.model, deliveries: [d], patientPosition: .headFirstSupine, sampling: .openAperture)
        } throws: { error in
            "\(error)".contains("beam 1 'mlc', control point 0") && "\(error)".contains("boundaries")
        }
    }

    @Test(arguments: [
        (done: UInt64(100_000), sigma: 0.04, expected: UInt64(320_000)),  // (4/2)² · 1.05 = 4.2×
        (done: UInt64(100_000), sigma: 0.5, expected: UInt64(1_500_000)),  // capped at 16×
        (done: UInt64(1_000_000), sigma: 0.0201, expected: UInt64(100_000)),  // at least one first round
        (done: UInt64(100_000), sigma: Double.infinity, expected: UInt64(1_500_000)),
        (done: UInt64(150_000_000), sigma: 0.05, expected: UInt64(50_000_000)),  // to the limit
        (done: UInt64(200_000_000), sigma: 0.05, expected: UInt64(0)),
    ])
    func roundsAreAimedAtTheTarget(done: UInt64, sigma: Double, expected: UInt64) {
        let round = PlanDoseCalculation.nextRound(done: done, sigma: sigma, target: 0.02, maximum: 200_000_000)
        #expect(abs(Double(round) - Double(expected)) <= 1, "\(round)")
    }
}
