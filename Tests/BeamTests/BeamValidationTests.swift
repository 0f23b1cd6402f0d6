import Foundation
import Geometry
import Physics
import Testing
import Transport
@testable import Beam

/// Dose-level checks of the beam model (`make validate`: release, PENUMBRA_VALIDATE=1).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PENUMBRA_VALIDATE"] == "1"))
struct BeamValidationTests {
    static let histories = UInt64(ProcessInfo.processInfo.environment["PENUMBRA_BEAM_HISTORIES"] ?? "") ?? 8_000_000

    /// generic-6x with a nominal calibration: these tests compare doses with each other or with geometry.
    static func model() throws -> SourceModel {
        var m = GenericMachines.sixMV
        m.calibration.proposalsPerCM2PerMU = 1e9
        return try SourceModel(machine: m, physics: try PhysicsData.bundled())
    }

    @Test func lateralFieldEdgesInWaterLieWhereGeometrySays() throws {
        // HFS, gantry 90°: the beam travels along −x; Xb is patient +y. Profile along y on the isocentre plane
        // (x = 0, 15 cm deep in a 30 cm cube), averaged over |z| ≤ 1.5 cm.
        let tank = try WaterTank.phantom(sizeCM: Vec3(30, 30, 31), voxelCM: Vec3(1, 0.1, 1), centreCM: .zero)
        let state = MachineState(gantryDeg: 90, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                                 aperture: Aperture(x1CM: -5, x2CM: 5, y1CM: -5, y2CM: 5))
        let beam = try BeamDelivery(number: 1, name: "lat", monitorUnits: 100, states: [state], cumulativeWeights: [0])
        let calc = try PlanDoseCalculation(model: try Self.model(), deliveries: [beam], phantom: tank,
                                           patientPosition: .headFirstSupine, threads: 2)
        let dose = try calc.run(targetUncertainty: 1e-9, maximumHistories: Self.histories, seed: 3).total
        let g = dose.grid
        let i = g.counts.x / 2
        let profile = (0..<g.counts.y).map { j in
            (g.counts.z / 2 - 1...g.counts.z / 2 + 1).reduce(0.0) { $0 + dose.doseGyPerHistory[g.index(i, j, $1)] } / 3
        }
        let y = (0..<g.counts.y).map { g.originCM.y + (Double($0) + 0.5) * g.spacingCM.y }
        let centre = profile.indices.filter { abs(y[$0]) < 2 }.map { profile[$0] }.reduce(0, +)
            / Double(profile.indices.filter { abs(y[$0]) < 2 }.count)
        func crossing(_ range: [Int]) -> Double {
            for (a, b) in zip(range, range.dropFirst()) where (profile[a] - centre / 2) * (profile[b] - centre / 2) <= 0 {
                return y[a] + (centre / 2 - profile[a]) / (profile[b] - profile[a]) * (y[b] - y[a])
            }
            return .nan
        }
        let mid = g.counts.y / 2
        // The tolerance: 50 % edges within 1 mm of the jaw positions projected to the isocentre plane.
        #expect(abs(crossing(Array((0...mid).reversed())) - -5) < 0.1)
        #expect(abs(crossing(Array(mid..<g.counts.y)) - 5) < 0.1)
    }

    @Test func continuousArcEqualsTheSameArcAsStaticBeamsWithinStatistics() throws {
        let tank = try WaterTank.phantom(sizeCM: Vec3(21, 21, 21), voxelCM: Vec3(1, 1, 1), centreCM: .zero)
        let square = { (g: Double) in
            MachineState(gantryDeg: g, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                         aperture: Aperture(x1CM: -3, x2CM: 3, y1CM: -3, y2CM: 3))
        }
        let arc = try BeamDelivery(number: 1, name: "arc", monitorUnits: 90, states: [square(0), square(90)],
                                   cumulativeWeights: [0, 1], gantryDirections: [.CW, .NONE])
        let statics = try (0..<45).map { k in
            try BeamDelivery(number: k + 1, name: "s\(k)", monitorUnits: 2, states: [square(2 * Double(k) + 1)], cumulativeWeights: [0])
        }
        let model = try Self.model()
        let a = try PlanDoseCalculation(model: model, deliveries: [arc], phantom: tank, patientPosition: .headFirstSupine, threads: 2)
            .run(targetUncertainty: 1e-9, maximumHistories: Self.histories / 2, seed: 4).total
        let b = try PlanDoseCalculation(model: model, deliveries: statics, phantom: tank, patientPosition: .headFirstSupine, threads: 2)
            .run(targetUncertainty: 1e-9, maximumHistories: Self.histories / 2, seed: 5).total
        // Voxels chosen on the mean of both runs (choosing on one run alone would bias it upwards).
        let mean2 = a.doseGyPerHistory.indices.map { 0.5 * (a.doseGyPerHistory[$0] + b.doseGyPerHistory[$0]) }
        let half = 0.5 * (mean2.max() ?? 0)
        var z: [Double] = []
        for v in a.doseGyPerHistory.indices where mean2[v] > half {
            let sa = a.relativeUncertainty[v] * a.doseGyPerHistory[v], sb = b.relativeUncertainty[v] * b.doseGyPerHistory[v]
            z.append((a.doseGyPerHistory[v] - b.doseGyPerHistory[v]) / (sa * sa + sb * sb).squareRoot())
        }
        // Independent runs of the same dose: the normalised differences have mean ≈ 0 and RMS ≈ 1
        // (tolerances: 4 standard errors of the mean, and ±20 % on the RMS for ≥ 100 voxels).
        let mean = z.reduce(0, +) / Double(z.count)
        let rms = (z.map { $0 * $0 }.reduce(0, +) / Double(z.count)).squareRoot()
        #expect(z.count >= 100)
        #expect(abs(mean) < 4 / Double(z.count).squareRoot())
        #expect(rms > 0.8 && rms < 1.2)
    }

    @Test(.disabled("generic-6x is not commissioned yet: docs/beam-model.md, Measured"))
    func generic6MVDepthDoseMeetsBJR25() throws {
        let machine = GenericMachines.sixMV
        let setup = try ReferenceSetup(machine: machine, fieldCM: 10, ssdCM: 100)
        let source = try PlanSource(model: try Self.model(), deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: 2).run(histories: Self.histories * 4, seed: 6)
        let dmax = setup.depthOfMaximum(dose)
        // BJR Supplement 25: d_max 1.5 cm (the issue accepts 1.3–1.7 cm) and PDD(10) 67 % (within 1 %).
        #expect(dmax >= 1.3 && dmax <= 1.7)
        #expect(abs(100 * setup.axisDose(dose, depthCM: 10) / setup.axisDose(dose, depthCM: dmax) - 67) < 0.67)
    }
}
