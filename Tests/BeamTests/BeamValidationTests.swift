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
    /// Proposals of the output factors' 10×10 field (80 M by default; the other fields get the same axis precision): each
    /// factor to σ ≈ 0.5 % (the dose at 10 cm scatters by ≈ 0.75 % between 16 M runs, docs/beam-model.md), so that the
    /// 2 % tolerance is 4 σ and a model error of 1–2 % shows. ≈ 1 h on two shared cores.
    static let outputFactorHistories = histories * 10

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

    /// The dose per proposal at 10 cm depth and the depth dose of a square field of `machine` at SSD 100.
    static func referenceField(_ machine: MachineModel, fieldCM: Double, histories: UInt64, seed: UInt64) throws
        -> (setup: ReferenceSetup, dose: DoseDistribution, muArea: Double) {
        let setup = try ReferenceSetup(machine: machine, fieldCM: fieldCM, ssdCM: 100)
        let source = try PlanSource(model: try SourceModel(machine: machine, physics: try PhysicsData.bundled()),
                                    deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: 2).run(histories: histories, seed: seed)
        return (setup, dose, source.muAreaSum)
    }

    @Test(arguments: CommissioningTarget.all)
    func genericMachineDepthDoseMeetsItsTarget(_ target: CommissioningTarget) throws {
        let machine = try #require(GenericMachines.named(target.machine))
        // 8 × 8 M = 64 M proposals: PDD(10) to ≈ 0.6 % (1σ; repeated 16 M runs scatter by ≈ 1.5 %, docs/beam-model.md).
        let (setup, dose, _) = try Self.referenceField(machine, fieldCM: 10, histories: Self.histories * 8, seed: 6)
        let dmax = setup.depthOfMaximum(dose)
        let pdd10 = 100 * setup.fittedAxisDose(dose, depthCM: 10) / setup.fittedAxisDose(dose, depthCM: dmax, halfWidthCM: 0.6)
        // Issue 8: d_max in the target window and PDD(10) within 1 % (relative) of the documented target.
        #expect(target.dMaxRangeCM.contains(dmax), "\(target.machine): d_max \(dmax) cm")
        #expect(abs(pdd10 / target.pdd10Percent - 1) < 0.01, "\(target.machine): PDD(10) \(pdd10) %")
    }

    @Test(arguments: GenericMachines.names)
    func genericMachineProfilesFollowGeometry(_ name: String) throws {
        let machine = try #require(GenericMachines.named(name))
        let setup = try ReferenceSetup(machine: machine, fieldCM: 10, ssdCM: 100, profileVoxelCM: 0.2)
        let source = try PlanSource(model: try SourceModel(machine: machine, physics: try PhysicsData.bundled()),
                                    deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: 2).run(histories: Self.histories, seed: 8)
        let profile = setup.profile(dose, depthCM: 10)
        let edges = try #require(profile.crossings(0.5))
        // Geometry: at 10 cm depth (SSD 100) the 10 cm field is 11 cm wide; each 50 % point within the 1 mm
        // (for FFF the 50 % of the central dose lies inside the geometric edge, by ≈ 1 mm for 10×10).
        let tolerance = machine.flatteningFilterFree ? 0.2 : 0.1
        #expect(abs(edges.negative + 5.5) < tolerance && abs(edges.positive - 5.5) < tolerance, "\(name): 50 % points \(edges)")
    }

    /// Proposals for a profile target's field: `histories` × 3 for 10×10 (24 M by default), in proportion to the field's
    /// area for the others (the same fluence per cm²). Two seeds at 24 M differ by 1.5–2.5 % per point (docs/beam-model.md,
    /// "Profile targets"), so at the default the 2 % tolerance separates gross misses (generic-6fff's 4–7 % before its fit) from a
    /// model at the line only with more histories (`PENUMBRA_BEAM_HISTORIES`; σ falls as 1/√N).
    static func profileHistories(fieldCM: Double) -> UInt64 {
        UInt64((Double(histories * 3) * (fieldCM / 10) * (fieldCM / 10)).rounded())
    }

    @Test(arguments: ProfileTarget.all)
    func genericMachineProfilesMeetTheirPublishedShape(_ target: ProfileTarget) throws {
        let machine = try #require(GenericMachines.named(target.machine))
        let setup = try ReferenceSetup(machine: machine, fieldCM: target.fieldCM, ssdCM: 100, profileVoxelCM: 0.2)
        let source = try PlanSource(model: try SourceModel(machine: machine, physics: try PhysicsData.bundled()),
                                    deliveries: [try setup.delivery()], patientPosition: .headFirstSupine)
        let histories = Self.profileHistories(fieldCM: target.fieldCM)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: 2)
            .run(histories: histories, seed: 9 + UInt64(target.fieldCM))
        let profiles = target.points.map { (depthCM: $0.depthCM, profile: setup.profile(dose, depthCM: $0.depthCM)) }
        for (point, comparison) in zip(target.points, target.compare(profiles: profiles)) {
            let c = try #require(comparison, "\(target.machine) \(target.fieldCM) cm at \(point.depthCM) cm: no profile there")
            // Recorded in docs/beam-model.md whether or not the test passes.
            print(target.machine + String(format: " %g×%g cm, %llu proposals, %.1f cm deep: unflatness at ±%.2f cm %.4f, target %.4f (%+.1f %%)",
                                          target.fieldCM, target.fieldCM, histories, point.depthCM, c.offAxisCM,
                                          c.simulated, point.unflatness, 100 * c.relativeDifference))
            // ProfileTarget.relativeTolerance: 2 % (MPPG 5.a and Venselaar 2001 in-field dose, FIELD.md §3.1).
            #expect(c.passes, "\(target.machine) \(target.fieldCM) cm at \(point.depthCM) cm: \(c.simulated) vs \(point.unflatness)")
        }
    }

    @Test(arguments: CommissioningTarget.all.filter { !$0.outputFactors.isEmpty })
    func genericMachineOutputFactorsMeetTheirTable(_ target: CommissioningTarget) throws {
        let machine = try #require(GenericMachines.named(target.machine))
        var perMU: [Double] = []
        for (n, of) in target.outputFactors.enumerated() {
            // As precise on the axis as 10×10 (small fields get more proposals, most rejected at the jaws).
            let histories = try ReferenceSetup.proposals(fieldCM: of.fieldCM, machine: machine, referenceFieldCM: 10,
                                                         referenceProposals: Self.outputFactorHistories)
            let (setup, dose, muArea) = try Self.referenceField(machine, fieldCM: of.fieldCM, histories: histories,
                                                                 seed: 40 + UInt64(n))
            perMU.append(setup.fittedAxisDose(dose, depthCM: 10) * muArea)
            if of.fieldCM == machine.calibration.referenceFieldCM {
                // The reference field also checks the depth dose and the MU calibration of the machine as shipped: Φ₀ from
                // this run's dose at the reference depth (as `penumbra machine commission` calibrates) against the file's.
                let dmax = setup.depthOfMaximum(dose)
                let atMax = setup.fittedAxisDose(dose, depthCM: dmax, halfWidthCM: 0.6)
                let reference = setup.fittedAxisDose(dose, depthCM: machine.calibration.referenceDepthCM, halfWidthCM: 0.6)
                let phi = machine.calibration.doseGyPerMU / (reference * muArea)
                let shipped = try #require(machine.calibration.proposalsPerCM2PerMU)
                print(target.machine + String(format: " %g×%g cm, %llu proposals: d_max %.2f cm, PDD(10) %.2f %%, Φ₀ %.4g (machine file %.4g, %+.2f %%)",
                             of.fieldCM, of.fieldCM, histories, dmax, 100 * perMU.last! / muArea / atMax, phi,
                             shipped, 100 * (phi / shipped - 1)))
                // A calibration is good to 1 % (the PDD(10) tolerance); the reference dose's σ here is ≈ 0.3 %.
                #expect(abs(phi / shipped - 1) < 0.01, "\(target.machine): Φ₀ \(phi) against the machine file's \(shipped)")
            }
        }
        let reference = try #require(target.outputFactors.firstIndex { $0.fieldCM == 10 })
        let factors = perMU.map { $0 / perMU[reference] }
        // Recorded in docs/beam-model.md whether or not the test passes.
        print("\(target.machine) output factors at 10 cm: "
              + zip(target.outputFactors, factors).map { String(format: "%g cm %.4f", $0.fieldCM, $1) }.joined(separator: ", "))
        // Issue 8: output factors from 2×2 to 40×40 increase with the field and lie within 2 % of the table.
        #expect(zip(factors.dropFirst(), factors).allSatisfy { $0 > $1 }, "\(target.machine): \(factors)")
        for (of, f) in zip(target.outputFactors, factors) {
            #expect(abs(f / of.value - 1) < 0.02, "\(target.machine) \(of.fieldCM) cm: \(f) vs \(of.value)")
        }
    }
}
