import Foundation
import Geometry
import Physics
import Testing
import Transport
@testable import Beam

@Suite struct InAirOutputRatioTests {
    static let physics: PhysicsData = { try! PhysicsData.bundled() }()

    @Test func headScatterRisesWithTheFieldAndIsOneAtTheReference() throws {
        let sc = InAirOutputRatio(model: try SourceModel(machine: GenericMachines.sixMV, physics: Self.physics))
        let fields: [Double] = [2, 3, 4, 6, 10, 20, 30, 40]
        let values = fields.map { sc.ratio(fieldCM: $0) }
        #expect(abs(sc.ratio(fieldCM: 10) - 1) < 1e-12)
        #expect(zip(values.dropFirst(), values).allSatisfy { $0 > $1 })
        // Without an extra-focal source and with a point focus the in-air fluence on the axis does not depend on
        // the jaws (the model has no monitor back-scatter).
        var point = GenericMachines.sixMV
        point.extraFocalSource.weight = 0
        point.primarySource.sigmaCM = 0
        let flat = InAirOutputRatio(model: try SourceModel(machine: point, physics: Self.physics))
        #expect(fields.allSatisfy { abs(flat.ratio(fieldCM: $0) - 1) < 1e-12 })
    }

    /// The analytic S_c against the proposals `PlanSource` actually keeps: photons crossing the isocentre plane
    /// within 1 cm of the axis, energy-weighted, per proposal per cm² of sampling area (no transport).
    @Test func analyticRatioMatchesThePlanSourcesKeptPhotons() throws {
        var machine = GenericMachines.sixMV
        machine.extraFocalSource.weight = 0.4  // a strong head-scatter source, so S_c moves by tens of per cent
        machine.extraFocalSource.sigmaCM = 2
        let model = try SourceModel(machine: machine, physics: Self.physics)
        func sampled(_ side: Double, histories: Int) throws -> (fluence: Double, sigma: Double) {
            let setup = try ReferenceSetup(machine: machine, fieldCM: side, ssdCM: 100)
            let source = try PlanSource(model: model, deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
            let b = source.samplingBounds[0]
            var sum = 0.0, sumSquares = 0.0
            var primaries: [PrimaryParticle] = []
            for h in 0..<UInt64(histories) {
                var rng = RandomStream(seed: 11, history: h)
                primaries.removeAll(keepingCapacity: true)
                source.emitPrimaries(history: h, rng: &rng, into: &primaries)
                // Gantry 0, HFS: the beam travels along patient +y towards the isocentre at the origin.
                guard let p = primaries.first, p.charge == 0 else { continue }
                let hit = p.positionCM + p.direction * (-p.positionCM.y / p.direction.y)
                if hit.x * hit.x + hit.z * hit.z < 1 {
                    sum += p.energyMeV
                    sumSquares += p.energyMeV * p.energyMeV
                }
            }
            let perDensity = (b.x2CM - b.x1CM) * (b.y2CM - b.y1CM) / Double(histories) / Double.pi
            return (sum * perDensity, sumSquares.squareRoot() * perDensity)
        }
        let small = try sampled(5, histories: 80_000), large = try sampled(20, histories: 260_000)
        let analytic = InAirOutputRatio(model: model)
        let expected = analytic.ratio(fieldCM: 5, referenceFieldCM: 20)
        let measured = small.fluence / large.fluence
        let sigma = measured * hypot(small.sigma / small.fluence, large.sigma / large.fluence)
        // Four standard deviations of the sampled ratio (≈ 3.5 % each).
        #expect(abs(measured - expected) < 4 * sigma, "sampled \(measured) ± \(sigma), analytic \(expected)")
        #expect(expected < 0.9)  // the strong source makes the check meaningful
    }
}
