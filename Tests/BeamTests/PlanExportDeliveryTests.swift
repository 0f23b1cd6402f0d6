import DICOM
import Geometry
import Testing
@testable import Beam

/// Deliveries of beams as planning systems export them (docs/dicom.md, "What real exports contain and what
/// Penumbra does"): collimation Penumbra cannot model is refused by name, never computed without it; rotation
/// directions of every axis are followed; the beams that deliver dose are the ones the plan's Treatment Delivery
/// Type says.
@Suite struct PlanExportDeliveryTests {
    static let jaws = [
        BeamLimitingDevice(type: "ASYMX", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
        BeamLimitingDevice(type: "ASYMY", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
    ]

    /// A two-point beam with `devices`, every device placed at both points by `positions`.
    static func beam(devices: [BeamLimitingDevice], positions: [String: [Double]], collimator: (Double, Double) = (0, 0),
                     collimatorRotation: RotationDirection = .NONE,
                     tableTop: (eccentric: Double, pitch: Double, roll: Double) = (0, 0, 0)) -> DICOM.Beam {
        let points = [(0, collimator.0, 0.0), (1, collimator.1, 1.0)].map { index, angle, weight in
            ControlPoint(
                index: index, cumulativeMetersetWeight: weight, nominalBeamEnergy: 6, doseRate: 600, gantryAngleDeg: 0,
                collimatorAngleDeg: angle, collimatorRotation: collimatorRotation, isocentreMM: Vec3(0, 0, 0),
                devicePositionsMM: positions, tableTopAnglesDeg: tableTop)
        }
        return DICOM.Beam(
            number: 3, name: "B3", type: "DYNAMIC", radiationType: "PHOTON", treatmentDeliveryType: "TREATMENT",
            machineName: "M", primaryDosimeterUnit: "MU", sourceAxisDistanceMM: 1000, limitingDevices: devices,
            finalCumulativeMetersetWeight: 1, controlPoints: points)
    }

    static func mlc(_ type: String) -> BeamLimitingDevice {
        BeamLimitingDevice(type: type, sourceDistanceMM: nil, pairCount: 2, leafBoundariesMM: [-10, 0, 10])
    }

    static func refusal(_ beam: DICOM.Beam) -> String? {
        do {
            _ = try BeamDelivery(beam: beam, monitorUnits: 100, maximumJawCM: 20)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aDualLayerMLCIsReadAsTwoLayersAndOtherStacksAreRefused() throws {
        // Halcyon/Ethos: two MLCX layers and no jaws. MLCX1 was once read as an MLCY (it is not "MLCX") with MLCX2
        // ignored; now MLCX1 is the first layer and MLCX2 the stacked one, whatever their order in the plan.
        let leaves: [Double] = [-5, -5, 5, 5], other: [Double] = [-3, -4, 3, 4]
        let halcyon = try BeamDelivery(
            beam: Self.beam(devices: [Self.mlc("MLCX2"), Self.mlc("MLCX1")], positions: ["MLCX1": leaves, "MLCX2": other]),
            monitorUnits: 100, maximumJawCM: 14)
        let aperture = halcyon.states[0].aperture
        #expect(aperture.leaves?.bankACM == [-0.5, -0.5] && aperture.leaves?.travelAlongX == true)
        #expect(aperture.stackedLeaves.map(\.bankBCM) == [[0.3, 0.4]] && aperture.stackedLeaves[0].travelAlongX)
        #expect(aperture.x1CM == -14 && aperture.y2CM == 14)
        // A plan that gives the layers' distances must agree that MLCX1 is the distal one.
        func placed(_ type: String, _ mm: Double) -> BeamLimitingDevice {
            BeamLimitingDevice(type: type, sourceDistanceMM: mm, pairCount: 2, leafBoundariesMM: [-10, 0, 10])
        }
        let positions = ["MLCX1": leaves, "MLCX2": other]
        #expect(Self.refusal(Self.beam(devices: [placed("MLCX1", 455), placed("MLCX2", 365)], positions: positions)) == nil)
        let swapped = Self.refusal(Self.beam(devices: [placed("MLCX1", 365), placed("MLCX2", 455)], positions: positions))
        #expect(swapped?.contains("puts MLCX1 365.0 mm from the source, no further than MLCX2 (455.0 mm)") == true,
                "\(swapped ?? "accepted")")
        // One layer alone: the other layer's collimation is unknown.
        let alone = Self.refusal(Self.beam(devices: [Self.mlc("MLCX1")], positions: ["MLCX1": leaves]))
        #expect(alone?.contains("beam 3 'B3' has MLCX1 without MLCX2") == true, "\(alone ?? "accepted")")
        #expect(Self.refusal(Self.beam(devices: [Self.mlc("MLCX2")], positions: ["MLCX2": leaves]))?
            .contains("MLCX2 without MLCX1") == true)
        // Stacks that are not the known pair.
        for types in [["MLCX", "MLCY"], ["MLCX1", "MLCX2", "MLCX"], ["MLCX1", "MLCY"], ["MLCY1", "MLCY2"]] {
            let message = Self.refusal(Self.beam(devices: types.map(Self.mlc), positions: Dictionary(uniqueKeysWithValues: types.map { ($0, leaves) })))
            #expect(message?.contains("\(types.count) MLCs (\(types.joined(separator: ", ")))") == true
                        && message?.contains("or the dual-layer pair MLCX1 + MLCX2") == true, "\(types): \(message ?? "accepted")")
        }
        let odd = Self.beam(devices: Self.jaws + [Self.mlc("MLCZ")],
                            positions: ["ASYMX": [-50, 50], "ASYMY": [-50, 50], "MLCZ": leaves])
        #expect(Self.refusal(odd)?.contains("MLC of type MLCZ") == true)
        let mlcy = Self.beam(devices: Self.jaws + [Self.mlc("MLCY")],
                             positions: ["ASYMX": [-50, 50], "ASYMY": [-50, 50], "MLCY": leaves])
        #expect(Self.refusal(mlcy) == nil)
    }

    @Test func aDeclaredJawWithoutPositionsIsRefusedNotOpenedWide() {
        // The jaw would otherwise be taken wide open (maximumJawCM) and the field computed too large.
        let beam = Self.beam(devices: Self.jaws, positions: ["ASYMY": [-50, 50]])
        let message = Self.refusal(beam)
        #expect(message?.contains("control point 0: no Leaf/Jaw Positions for ASYMX") == true, "\(message ?? "accepted")")
        // Elekta Agility declares no X jaws at all: its X opening is the MLC's, and the beam is computed.
        let agility = Self.beam(devices: [Self.jaws[1], Self.mlc("MLCX")],
                                positions: ["ASYMY": [-50, 50], "MLCX": [-5, -5, 5, 5]])
        #expect(Self.refusal(agility) == nil)
    }

    @Test func theCollimatorTurnsTheWayThePlanSays() throws {
        // 10° → 350° clockwise is the long way round (340°); only the plan's direction tells it from the short way.
        let positions = ["ASYMX": [-50.0, 50], "ASYMY": [-50.0, 50]]
        let cw = try BeamDelivery(
            beam: Self.beam(devices: Self.jaws, positions: positions, collimator: (10, 350), collimatorRotation: .CW),
            monitorUnits: 100, maximumJawCM: 20)
        #expect(abs(cw.state(atMetersetFraction: 0.5).collimatorDeg - 180) < 1e-9)
        let cc = try BeamDelivery(
            beam: Self.beam(devices: Self.jaws, positions: positions, collimator: (10, 350), collimatorRotation: .CC),
            monitorUnits: 100, maximumJawCM: 20)
        #expect(abs(cc.state(atMetersetFraction: 0.5).collimatorDeg - 0) < 1e-9)
    }

    @Test func portFilmAndContinuationBeamsDeliverDoseSetupAndImagingBeamsDoNot() throws {
        let types = ["TREATMENT", "TRMT_PORTFILM", "CONTINUATION", "SETUP", "OPEN_PORTFILM", "VERIFICATION"]
        let beams = types.enumerated().map { BeamModeTests.beam($0.offset + 1, delivery: $0.element) }
        let plan = BeamModeTests.plan(beams)
        #expect(try BeamMode.treatmentBeams(of: plan).map(\.number) == [1, 2, 3])
        #expect(BeamMode.nonTreatmentBeams(of: plan).map(\.number) == [4, 5, 6])
    }

    @Test func aBeamMeteredInMinutesIsRefused() {
        let b = BeamModeTests.beam(1)
        let timed = DICOM.Beam(
            number: 1, name: "Co", type: "STATIC", radiationType: "PHOTON", treatmentDeliveryType: "TREATMENT",
            machineName: "M", primaryDosimeterUnit: "MINUTE", sourceAxisDistanceMM: 800, limitingDevices: b.limitingDevices,
            finalCumulativeMetersetWeight: 1, controlPoints: b.controlPoints)
        #expect {
            try BeamMode.treatmentBeams(of: BeamModeTests.plan([timed]))
        } throws: { "\($0)".contains("metered in MINUTE") }
    }

    @Test func aTiltedOrEccentricTableTopIsRefused() {
        let positions = ["ASYMX": [-50.0, 50], "ASYMY": [-50.0, 50]]
        let pitched = Self.beam(devices: Self.jaws, positions: positions, tableTop: (0, 1.5, 0))
        #expect(Self.refusal(pitched)?.contains("control point 0: table-top pitch angle 1.5°") == true)
        #expect(Self.refusal(Self.beam(devices: Self.jaws, positions: positions, tableTop: (0, 0, 358)))?.contains("roll") == true)
        #expect(Self.refusal(Self.beam(devices: Self.jaws, positions: positions, tableTop: (5, 0, 0)))?.contains("eccentric") == true)
        // 359.995° is −0.005°: within the 0.01° that DS/FL rounding of a level table top gives.
        #expect(Self.refusal(Self.beam(devices: Self.jaws, positions: positions, tableTop: (0, 359.995, 0))) == nil)
    }
}
