import Foundation
import Geometry
import Physics
import Testing
@testable import Beam

/// The leaf-end offset by tip position: absent from a machine file it changes nothing; in `Collimator` each bank reads it
/// at its own tip's position; `MLCEdgeFit` gives a known table back from a stand-in and makes the fluence model follow
/// explicit rounded leaves calibrated by their apex (the case a constant offset misses).
@Suite struct MLCEdgeFitTests {
    static let physics = try! PhysicsData.bundled()

    @Test func absentTableLeavesTheFileAndTheCollimatorAsTheyWere() throws {
        let json = String(decoding: try GenericMachines.sixMV.jsonData(), as: UTF8.self)
        #expect(!json.contains("leafEndOffsetTable"))
        #expect(try JSONDecoder().decode(MachineModel.self, from: Data(json.utf8)) == GenericMachines.sixMV)
        // A table holding the constant everywhere: every ray transmits exactly as the constant does.
        var flat = GenericMachines.sixMV
        flat.mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: [-10, 0, 10], offsetCM: [0.05, 0.05, 0.05])
        let leaves = MLCModelComparison.bank(pairs: 8, pairWidthCM: 0.5, bankACM: -1.2, bankBCM: 2.3)
        let a = Aperture(x1CM: -5, x2CM: 5, y1CM: -5, y2CM: 5, leaves: leaves)
        let constant = Collimator(jaws: GenericMachines.sixMV.jaws, mlc: GenericMachines.sixMV.mlc)
        let table = Collimator(jaws: flat.jaws, mlc: flat.mlc)
        for x in stride(from: -3.0, through: 3.0, by: 0.01) {
            for y in [-1.9, -0.25, 0.0, 0.26, 1.1] {
                #expect(constant.transmission(a, xJaw: x, yJaw: y, atMLC: (x, y)) == table.transmission(a, xJaw: x, yJaw: y, atMLC: (x, y)))
            }
        }
        #expect(flat.mlc.largestLeafEndOffsetCM == 0.05 && GenericMachines.sixMV.mlc.largestLeafEndOffsetCM == 0.05)
    }

    @Test func aMachineFileCarriesTheTable() throws {
        var machine = GenericMachines.sixMV
        machine.mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: [-10, 0, 10], offsetCM: [-0.02, 0.03, -0.04])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("machine-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try machine.jsonData().write(to: url)
        #expect(try MachineModel.read(url) == machine)
        #expect(String(decoding: try machine.jsonData(), as: UTF8.self).contains("leafEndOffsetTable"))
        // The sampling envelope must reach the most open tip: the table's largest offset.
        #expect(machine.mlc.largestLeafEndOffsetCM == 0.03)
        var shifted = machine.mlc
        shifted.shiftLeafEndOffset(byCM: 0.01)
        #expect(abs(shifted.leafEndOffsetCM - 0.06) < 1e-12 && abs(shifted.leafEndOffsetTable!.offsetCM[2] + 0.03) < 1e-12)
    }

    @Test func eachBankReadsTheTableAtItsOwnTip() throws {
        var mlc = GenericMachines.sixMV.mlc
        // Towards the bank's own side: retracted tips (positive) 0.02 cm, tips across the axis (negative) 0.08 cm.
        mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: [-5, 5], offsetCM: [0.08, 0.02])
        let c = Collimator(jaws: GenericMachines.sixMV.jaws, mlc: mlc)
        #expect(abs(mlc.leafEndOffsetCM(atPositionCM: 0) - 0.05) < 1e-12 && mlc.leafEndOffsetCM(atPositionCM: 9) == 0.02)
        // Bank A at −5 (retracted: table at +5, 0.02) and bank B at −2 (across the axis: table at −2, 0.062).
        let leaves = MLCModelComparison.bank(pairs: 8, pairWidthCM: 0.5, bankACM: -5, bankBCM: -2)
        let a = Aperture(x1CM: -10, x2CM: 10, y1CM: -10, y2CM: 10, leaves: leaves)
        func open(_ x: Double) -> Bool { c.transmission(a, xJaw: x, yJaw: 0.1, atMLC: (x, 0.1)) == 1 }
        #expect(!open(-5.021) && open(-5.019))
        #expect(open(-2 + 0.0619) && !open(-2 + 0.0621))
        var bad = GenericMachines.sixMV
        bad.mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: [0, -1], offsetCM: [0.05, 0.05])
        #expect { try bad.validate() } throws: { "\($0)".contains("mlc.leafEndOffsetTable") && "\($0)".contains("increase") }
        bad.mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: [0], offsetCM: [0.6])
        #expect { try bad.validate() } throws: { "\($0)".contains("±0.5 cm") }
    }

    /// A stand-in whose edge is the table's offset plus a tilt the sources would add (0.01 cm per 10 cm): the fitted
    /// offsets are the true ones less the tilt.
    @Test func recoversAKnownTableFromAStandIn() throws {
        let truth = LeafEndOffsetTable(positionCM: [-10, -5, 0, 5, 10], offsetCM: [-0.05, -0.01, 0.03, -0.02, -0.06])
        func standIn(_ mlc: MachineModel.MultileafCollimator, _ u: [Double]) -> [Double] {
            u.map { $0 + mlc.leafEndOffsetCM(atPositionCM: $0) + 0.001 * $0 }
        }
        let edges = truth.positionCM.map { MeasuredScans.LeafEdge(leafPositionCM: $0, edgeCM: $0 + truth($0) + 0.001 * $0) }
        let fit = try MLCEdgeFit(machine: GenericMachines.sixMV, edges: edges.reversed(), predictEdges: standIn)
        let table = try #require(fit.machine.mlc.leafEndOffsetTable)
        #expect(table.positionCM == truth.positionCM)
        for (o, t) in zip(table.offsetCM, truth.offsetCM) { #expect(abs(o - t) < 1e-12) }
        #expect(fit.steps.count == 2 && fit.steps[0].offsetCM == [0.05, 0.05, 0.05, 0.05, 0.05])
        #expect(fit.steps[1].rmsEdgeDifferenceCM < 1e-12)
        #expect(throws: BeamError.self) { try MLCEdgeFit(machine: GenericMachines.sixMV, edges: [], predictEdges: standIn) }
        let far = [MeasuredScans.LeafEdge(leafPositionCM: 0, edgeCM: 0.45)]
        #expect { try MLCEdgeFit(machine: GenericMachines.sixMV, edges: far) { _, u in u.map { _ in 0 } } } throws: {
            "\($0)".contains("allows ±0.5 cm")
        }
    }

    /// Explicit rounded leaves calibrated by their apex (`projectedTip`, the case Boyer & Li's correction is for; 100 height
    /// steps: fewer make the traced edge wiggle by 0.01–0.02 cm) as the "measurement", in air: the fitted table makes the
    /// fluence model's edges meet the geometry's at the measured positions and, between them, come closer than a constant
    /// offset does.
    @Test func followsRoundedLeavesCalibratedByTheirApex() throws {
        var design = LeafBankGeometry.Design.generic
        design.calibration = .projectedTip
        let model = try SourceModel(machine: GenericMachines.sixMV, physics: Self.physics)
        let geometry = try MLCModelComparison(model: model, design: design, physics: Self.physics, pointsPerSource: 9, heightSteps: 100,
                                              scanStepCM: 0.01)
        func geometryEdge(_ u: Double) -> Double { u + geometry.tipEdge(.geometry, atCM: -u).offsetCM }
        let positions = [-10.0, -5, 0, 5, 10]
        let edges = positions.map { MeasuredScans.LeafEdge(leafPositionCM: $0, edgeCM: geometryEdge($0)) }
        func fluenceEdges(_ mlc: MachineModel.MultileafCollimator, _ u: [Double]) throws -> [Double] {
            var m = GenericMachines.sixMV
            m.mlc = mlc
            let c = try MLCModelComparison(model: try SourceModel(machine: m, physics: Self.physics), design: .generic,
                                           physics: Self.physics, pointsPerSource: 9, heightSteps: 2, scanStepCM: 0.002)
            return u.map { $0 + c.tipEdge(.fluence, atCM: -$0).offsetCM }
        }
        let fit = try MLCEdgeFit(machine: GenericMachines.sixMV, edges: edges, predictEdges: fluenceEdges)
        // 0.001 cm, the fit's stop, plus the 0.002 cm scan points' interpolation.
        #expect(fit.steps.last!.rmsEdgeDifferenceCM < 0.002, "\(fit.steps.map(\.rmsEdgeDifferenceCM))")
        let offsets = fit.machine.mlc.leafEndOffsetTable!.offsetCM
        // The apex calibration's edge falls off axis on both sides (R(1/cos θ − 1)·SAD/z_MLC ≈ 0.08 cm at 10 cm).
        #expect(offsets[2] > offsets[0] + 0.03 && offsets[2] > offsets[4] + 0.03, "\(offsets)")
        // Between measured positions, where the curve bends most: the table against the constant at the axis.
        let between = [-7.5, 7.5]
        let fitted = try fluenceEdges(fit.machine.mlc, between)
        var constant = fit.machine.mlc
        constant.leafEndOffsetTable = nil
        constant.leafEndOffsetCM = offsets[2]
        let flat = try fluenceEdges(constant, between)
        for (k, u) in between.enumerated() {
            let g = geometryEdge(u)
            // Linear pieces over 5 cm of a curve ≈ 0.08 cm·(u/10)²: ≤ 0.01 cm between points.
            #expect(abs(fitted[k] - g) < 0.01, "\(u): \(fitted[k]) vs \(g)")
            #expect(abs(fitted[k] - g) < abs(flat[k] - g), "\(u)")
        }
    }
}
