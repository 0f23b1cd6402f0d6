import Foundation
import Geometry
import Physics
import Testing
import Transport
@testable import Beam

@Suite struct PlanSourceTests {
    static let model: SourceModel = { try! SourceModel(machine: GenericMachines.sixMV, physics: try! PhysicsData.bundled()) }()

    func field(gantry: Double, x1: Double, x2: Double, y1: Double, y2: Double) -> MachineState {
        MachineState(gantryDeg: gantry, collimatorDeg: 0, couchDeg: 0, isocentreCM: Vec3(1, 2, 3),
                     aperture: Aperture(x1CM: x1, x2CM: x2, y1CM: y1, y2CM: y2))
    }

    /// The primary of history `h`, or nil for a rejected proposal.
    func primary(_ source: PlanSource, history h: UInt64, seed: UInt64) -> PrimaryParticle? {
        var rng = RandomStream(seed: seed, history: h)
        var emitted: [PrimaryParticle] = []
        source.emitPrimaries(history: h, rng: &rng, into: &emitted)
        #expect(emitted.count <= 1)
        return emitted.first
    }

    /// Photons that were kept, from histories 0..<n.
    func photons(_ source: PlanSource, _ n: Int, seed: UInt64 = 7) -> [PrimaryParticle] {
        (0..<n).compactMap { h in primary(source, history: UInt64(h), seed: seed).flatMap { $0.charge == 0 ? $0 : nil } }
    }

    /// 50 % points of a histogram's rising and falling edges, relative to the mean of its central bins.
    func halfMaximumEdges(_ values: [Double], lo: Double, binCM: Double) -> (Double, Double) {
        let bins = Int(((values.max()! - lo) / binCM).rounded(.up)) + 1
        var h = [Double](repeating: 0, count: bins)
        for v in values { h[Int((v - lo) / binCM)] += 1 }
        let peak = h.sorted()[bins * 3 / 4]
        let half = peak / 2
        let rise = h.indices.first { h[$0] >= half }!
        let fall = h.indices.last { h[$0] >= half }!
        func cross(_ a: Int, _ b: Int) -> Double {
            let t = (half - h[a]) / (h[b] - h[a])
            return lo + (Double(a) + 0.5 + t * Double(b - a)) * binCM
        }
        return (cross(rise - 1, rise), cross(fall + 1, fall))
    }

    @Test func lateralFieldAtGantry90EntersFromThePatientsLeftWithItsEdgesWhereIECPutsThem() throws {
        // HFS, gantry 90°: the source is on the patient's left (+x, DICOM), the beam travels along −x; Xb is
        // the patient's posterior (+y) and Yb superior (+z) (IEC 61217 with DICOM PS3.3 C.7.6.2.1.1).
        let d = try BeamDelivery(number: 1, name: "lat", monitorUnits: 1,
                                 states: [field(gantry: 90, x1: -3, x2: 5, y1: -4, y2: 2)], cumulativeWeights: [0])
        let source = try PlanSource(model: Self.model, deliveries: [d], patientPosition: .headFirstSupine)
        let kept = photons(source, 120_000)
        let meanDirection = kept.reduce(Vec3.zero) { $0 + $1.direction } / Double(kept.count)
        #expect(meanDirection.x < -0.99)
        // Where each photon crosses the plane x = 1 through the isocentre.
        let hits = kept.map { p -> Vec3 in p.positionCM + p.direction * ((1 - p.positionCM.x) / p.direction.x) }
        let (yLow, yHigh) = halfMaximumEdges(hits.filter { abs($0.z - 2) < 1.5 }.map(\.y), lo: -6, binCM: 0.05)
        let (zLow, zHigh) = halfMaximumEdges(hits.filter { abs($0.y - 3) < 1.5 }.map(\.z), lo: -6, binCM: 0.05)
        // Geometry: the jaws' 50 % edges project to the isocentre plane at the jaw positions (± 1 mm, the tolerance).
        #expect(abs(yLow - (2 - 3)) < 0.1)
        #expect(abs(yHigh - (2 + 5)) < 0.1)
        #expect(abs(zLow - (3 - 4)) < 0.1)
        #expect(abs(zHigh - (3 + 2)) < 0.1)
    }

    @Test func historiesAreReproducibleFromTheirOwnStreams() throws {
        let arc = try BeamDelivery(number: 1, name: "arc", monitorUnits: 100,
                                   states: [field(gantry: 180, x1: -2, x2: 2, y1: -2, y2: 2), field(gantry: 180, x1: -5, x2: 5, y1: -5, y2: 5)],
                                   cumulativeWeights: [0, 1], gantryDirections: [.CW, .NONE])
        let source = try PlanSource(model: Self.model, deliveries: [arc], patientPosition: .feetFirstProne)
        for h: UInt64 in [0, 17, 123_456] {
            #expect(primary(source, history: h, seed: 3) == primary(source, history: h, seed: 3))
        }
    }

    @Test func continuousArcMatchesTheSameArcAsManyStaticBeams() throws {
        // Gantry 0 → 90° CW over 90 MU, versus 90 static beams at 0.5°, 1.5°, … of 1 MU each: the photons'
        // angular distribution in 10° bins must agree within 4 σ of the binomial counts, and so must the
        // fraction of proposals kept.
        let square = { (g: Double) in self.field(gantry: g, x1: -3, x2: 3, y1: -3, y2: 3) }
        let arc = try BeamDelivery(number: 1, name: "arc", monitorUnits: 90, states: [square(0), square(90)],
                                   cumulativeWeights: [0, 1], gantryDirections: [.CW, .NONE])
        let statics = try (0..<90).map { k in
            try BeamDelivery(number: k + 1, name: "s\(k)", monitorUnits: 1, states: [square(Double(k) + 0.5)], cumulativeWeights: [0])
        }
        let n = 60_000
        func angleHistogram(_ s: PlanSource) -> [Double] {
            var h = [Double](repeating: 0, count: 9)
            for p in photons(s, n) {
                // HFS: the source moves from anterior (−y) towards the patient's left (+x) as the gantry turns.
                let a = atan2(-p.direction.x, p.direction.y) * 180 / .pi
                h[min(max(Int(a / 10), 0), 8)] += 1
            }
            return h
        }
        let a = angleHistogram(try PlanSource(model: Self.model, deliveries: [arc], patientPosition: .headFirstSupine))
        let b = angleHistogram(try PlanSource(model: Self.model, deliveries: statics, patientPosition: .headFirstSupine))
        let ta = a.reduce(0, +), tb = b.reduce(0, +)
        #expect(abs(ta - tb) < 4 * (ta + tb).squareRoot())
        for k in 0..<9 {
            #expect(abs(a[k] - b[k]) < 4 * (a[k] + b[k]).squareRoot(), "bin \(k): \(a[k]) vs \(b[k])")
            #expect(abs(a[k] - ta / 9) < 4 * (ta / 9).squareRoot(), "arc bin \(k) not uniform: \(a[k])")
        }
    }
}
