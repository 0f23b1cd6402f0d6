import Beam
import DICOM
import Geometry
import Testing

/// A plan is computed only by a machine of its beams' energy and fluence mode; anything else is refused by name.
@Suite struct BeamModeTests {
    /// A one-control-point 10×10 beam.
    static func beam(_ number: Int, radiation: String = "PHOTON", energyMV: Double = 6, fluence: FluenceMode? = nil,
                     delivery: String? = "TREATMENT") -> Beam {
        let point = ControlPoint(
            index: 0, cumulativeMetersetWeight: 0, nominalBeamEnergy: energyMV, doseRate: 600, gantryAngleDeg: 0,
            gantryRotation: .NONE, collimatorAngleDeg: 0, couchAngleDeg: 0, isocentreMM: Vec3(0, 0, 0),
            devicePositionsMM: ["ASYMX": [-50, 50], "ASYMY": [-50, 50]])
        return Beam(
            number: number, name: "B\(number)", type: "STATIC", radiationType: radiation, treatmentDeliveryType: delivery,
            machineName: "M", primaryDosimeterUnit: "MU", sourceAxisDistanceMM: 1000,
            limitingDevices: [
                BeamLimitingDevice(type: "ASYMX", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
                BeamLimitingDevice(type: "ASYMY", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
            ],
            finalCumulativeMetersetWeight: 1, controlPoints: [point], fluenceMode: fluence)
    }

    static func plan(_ beams: [Beam]) -> Plan {
        Plan(
            sopInstanceUID: "1.2.3.9", label: "P", studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4",
            referencedStructureSetUID: nil, patient: PatientIdentity(),
            fractionGroups: [FractionGroup(number: 1, fractionsPlanned: 1, beamMetersetsMU: [1: 100, 2: 100, 3: 100])],
            beams: beams)
    }

    static let fff = FluenceMode(mode: "NON_STANDARD", identifier: "FFF")

    @Test func theGenericMachineFollowsEnergyAndFluenceMode() throws {
        #expect(try BeamMode.machine(for: Self.plan([Self.beam(1), Self.beam(2)]), named: nil).name == "generic-6x")
        #expect(try BeamMode.machine(for: Self.plan([Self.beam(1, energyMV: 10)]), named: nil).name == "generic-10x")
        #expect(try BeamMode.machine(for: Self.plan([Self.beam(1, fluence: Self.fff)]), named: nil).name == "generic-6fff")
        let standard = FluenceMode(mode: "STANDARD", identifier: nil)
        #expect(try BeamMode.machine(for: Self.plan([Self.beam(1, fluence: standard)]), named: nil).name == "generic-6x")
        // A setup beam of another energy does not count.
        let withSetup = Self.plan([Self.beam(1), Self.beam(2, energyMV: 15, delivery: "SETUP")])
        #expect(try BeamMode.machine(for: withSetup, named: nil).name == "generic-6x")
    }

    /// What would otherwise be a silently wrong plan dose, each refused with a message naming the beams.
    @Test(arguments: [
        ("mixed energies", [beam(1), beam(2, energyMV: 10)], nil, "6 MV (beam 1); 10 MV (beam 2)"),
        ("flattened and FFF", [beam(1), beam(2, fluence: fff)], nil, "6 MV FFF (beam 2)"),
        ("no generic machine", [beam(1, energyMV: 18)], nil, "no generic machine delivers 18 MV"),
        ("unknown fluence mode", [beam(1, fluence: FluenceMode(mode: "NON_STANDARD", identifier: "SRS"))], nil, "'SRS'"),
        ("electron beam", [beam(1), beam(2, radiation: "ELECTRON")], nil, "beam 2 'B2' has Radiation Type ELECTRON"),
        ("named machine of another mode", [beam(1, fluence: fff)], "generic-6x", "delivers 6 MV, but the plan has 6 MV FFF"),
        ("named machine of another energy", [beam(1, energyMV: 10)], "generic-6x", "10 MV beams"),
    ] as [(String, [Beam], String?, String)])
    func refused(_ what: String, beams: [Beam], machine: String?, message: String) throws {
        do {
            let chosen = try BeamMode.machine(for: Self.plan(beams), named: machine.flatMap(GenericMachines.named))
            Issue.record("\(what): accepted with \(chosen.name)")
        } catch let error as BeamError {
            #expect(error.description.contains(message), "\(what): \(error.description)")
        }
    }

    @Test func aNamedMachineOfTheRightModeIsUsed() throws {
        let tenMV = try #require(GenericMachines.named("generic-10x"))
        #expect(try BeamMode.machine(for: Self.plan([Self.beam(1, energyMV: 10)]), named: tenMV).name == "generic-10x")
    }
}
