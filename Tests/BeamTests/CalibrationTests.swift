import Foundation
import Geometry
import Phantom
import Physics
import Testing
import Transport
@testable import Beam

@Suite struct CalibrationTests {
    @Test func calibratedMachineGivesItsDosePerMUAtTheReferencePoint() throws {
        let physics = try PhysicsData.bundled()
        var machine = GenericMachines.sixMV
        machine.calibration.referenceFieldCM = 5  // a small field: fewer wasted proposals in a debug test
        let histories: UInt64 = 40_000
        let cal = try MUCalibration(machine: machine, physics: physics, histories: histories, threads: 2, seed: 5)
        #expect(cal.proposalsPerCM2PerMU > 0)
        // The same field as a 200 MU plan, run with the same streams (beam 0's history range starts at 0),
        // must give 200 × 0.01 Gy at the reference point: the normalisation algebra, exactly up to rounding.
        let setup = try ReferenceSetup(machine: machine, fieldCM: 5, ssdCM: 100)
        let model = try SourceModel(machine: cal.calibratedMachine, physics: physics)
        let calc = try PlanDoseCalculation(model: model, deliveries: [try setup.delivery(monitorUnits: 200)], phantom: setup.phantom,
                                           patientPosition: .headFirstSupine, threads: 2)
        let result = try calc.run(targetUncertainty: 1e-9, maximumHistories: histories, seed: 5)
        #expect(result.histories == histories)
        let d = setup.axisDose(result.total, depthCM: machine.calibration.referenceDepthCM)
        #expect(abs(d - 2.0) < 1e-9 * 2)
    }

    @Test func uncalibratedMachinesAreRefused() throws {
        var machine = GenericMachines.tenMV
        machine.calibration.proposalsPerCM2PerMU = nil
        let model = try SourceModel(machine: machine, physics: try PhysicsData.bundled())
        let setup = try ReferenceSetup(machine: machine, fieldCM: 10, ssdCM: 100)
        #expect(throws: BeamError.self) {
            try PlanDoseCalculation(model: model, deliveries: [try setup.delivery()], phantom: setup.phantom,
                                    patientPosition: .headFirstSupine, threads: 1)
        }
    }

    @Test func coarseningAveragesDensityAndKeepsTheMostMassiveMedium() throws {
        let grid = VoxelGrid(counts: (x: 2, y: 2, z: 2), originCM: .zero, spacingCM: Vec3(0.25, 0.25, 0.25))
        let p = try Phantom.VoxelPhantom(grid: grid, media: ["WATER", "BONE"], mediumIndices: [0, 0, 0, 1, 1, 1, 0, 0],
                                         densitiesGPerCM3: [1, 1, 1, 1.8, 1.8, 1.8, 1, 1])
        let c = try PhantomCoarsening.coarsened(p, factors: PhantomCoarsening.factors(of: grid, targetVoxelCM: 0.5))
        #expect(c.grid.counts.x == 1 && c.grid.counts.y == 1 && c.grid.counts.z == 1)
        #expect(abs(Double(c.densitiesGPerCM3[0]) - 1.3) < 1e-6)
        #expect(c.mediumIndices[0] == 1)  // bone: 5.4 g·(voxel) against water's 5.0
    }
}
