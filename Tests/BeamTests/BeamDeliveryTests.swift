import DICOM
import Geometry
import Testing
@testable import Beam

@Suite struct BeamDeliveryTests {
    func state(gantry: Double, x1: Double = -5, x2: Double = 5) -> MachineState {
        MachineState(gantryDeg: gantry, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                     aperture: Aperture(x1CM: x1, x2CM: x2, y1CM: -5, y2CM: 5))
    }

    @Test func clockwiseArcCrossesZeroTheIECWay() throws {
        let d = try BeamDelivery(number: 1, name: "arc", monitorUnits: 100, states: [state(gantry: 350), state(gantry: 10)],
                                 cumulativeWeights: [0, 1], gantryDirections: [.CW, .NONE])
        #expect(abs(d.state(atMetersetFraction: 0.5).gantryDeg - 0) < 1e-9 || abs(d.state(atMetersetFraction: 0.5).gantryDeg - 360) < 1e-9)
        #expect(abs(d.state(atMetersetFraction: 0.75).gantryDeg - 5) < 1e-9)
        let cc = try BeamDelivery(number: 1, name: "arc", monitorUnits: 100, states: [state(gantry: 350), state(gantry: 10)],
                                  cumulativeWeights: [0, 1], gantryDirections: [.CC, .NONE])
        #expect(abs(cc.state(atMetersetFraction: 0.5).gantryDeg - 180) < 1e-9)
    }

    @Test func jawsAndLeavesMoveLinearlyInMeterset() throws {
        let d = try BeamDelivery(number: 1, name: "sweep", monitorUnits: 10,
                                 states: [state(gantry: 0, x1: -5, x2: -4), state(gantry: 0, x1: 4, x2: 5)], cumulativeWeights: [0, 2])
        let mid = d.state(atMetersetFraction: 0.25).aperture
        #expect(abs(mid.x1CM - (-2.75)) < 1e-12)
        #expect(abs(mid.x2CM - (-1.75)) < 1e-12)
    }

    @Test func stepAndShootNeverDeliversDuringAMove() throws {
        // Segment 1 (weight 0…0.5) at x ±5; move (0.5…0.5) to ±2; segment 2 (0.5…1) at ±2.
        let d = try BeamDelivery(number: 1, name: "sns", monitorUnits: 10,
                                 states: [state(gantry: 0), state(gantry: 0), state(gantry: 0, x1: -2, x2: 2), state(gantry: 0, x1: -2, x2: 2)],
                                 cumulativeWeights: [0, 0.5, 0.5, 1])
        for k in 0..<100 {
            let x1 = d.state(atMetersetFraction: (Double(k) + 0.5) / 100).aperture.x1CM
            #expect(x1 == -5 || x1 == -2)
        }
    }

    @Test func rejectsDecreasingWeights() {
        #expect(throws: BeamError.self) {
            try BeamDelivery(number: 1, name: "bad", monitorUnits: 10, states: [state(gantry: 0), state(gantry: 0)],
                             cumulativeWeights: [1, 0])
        }
    }
}
