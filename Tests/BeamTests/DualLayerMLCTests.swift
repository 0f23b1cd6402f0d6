import DICOM
import Foundation
import Geometry
import Physics
import TestSupport
import Testing
import Transport
@testable import Beam

/// Dual-layer MLCs (Varian Halcyon/Ethos, docs/beam-model.md "Dual-layer MLC"): a plan's MLCX1 and MLCX2 read as two
/// layers, each collimating at its own distance from the source, the ray passing the product of what each passes.
@Suite struct DualLayerMLCTests {
    static let machine = GenericMachines.sixMVFFFDualLayer
    static let distal = machine.mlc, proximal = machine.stackedMLCLayers![0]
    static let focus = Vec3(0, 0, 100)

    /// A Halcyon-like RT Plan written with pydicom to `argv[1]`: X/Y "jaws" at ±140 mm as some exports write them,
    /// MLCX1 (28 pairs of 10 mm, −140…140) and MLCX2 (29 pairs, −145…145), two control points whose every leaf has
    /// its own position (distal A −50 + i, B 50 + i; proximal A −30 − i, B 40 − i; the second point 20 mm further +x).
    static let halcyonPlanScript = """
        import sys
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian, generate_uid
        RTPLAN = '1.2.840.10008.5.1.4.1.1.481.5'
        def item(**kw):
            x = Dataset()
            for k, v in kw.items(): setattr(x, k, v)
            return x
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = RTPLAN; meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        d = Dataset(); d.file_meta = meta
        d.SOPClassUID = RTPLAN; d.SOPInstanceUID = meta.MediaStorageSOPInstanceUID; d.Modality = 'RTPLAN'
        d.RTPlanLabel = 'HALCYON'; d.PatientName = 'Dual^Layer'; d.PatientID = 'D1'
        d.PatientSetupSequence = [item(PatientSetupNumber=1, PatientPosition='HFS')]
        d.FractionGroupSequence = [item(FractionGroupNumber=1, NumberOfFractionsPlanned=1, NumberOfBeams=1,
            ReferencedBeamSequence=[item(ReferencedBeamNumber=1, BeamMeterset=100)])]
        def points(shift):
            a1 = [-50 + i + shift for i in range(28)]; b1 = [50 + i + shift for i in range(28)]
            a2 = [-30 - i + shift for i in range(29)]; b2 = [40 - i + shift for i in range(29)]
            return [item(RTBeamLimitingDeviceType='X', LeafJawPositions=[-140, 140]),
                    item(RTBeamLimitingDeviceType='Y', LeafJawPositions=[-140, 140]),
                    item(RTBeamLimitingDeviceType='MLCX1', LeafJawPositions=a1 + b1),
                    item(RTBeamLimitingDeviceType='MLCX2', LeafJawPositions=a2 + b2)]
        cp0 = item(ControlPointIndex=0, CumulativeMetersetWeight=0, NominalBeamEnergy=6, DoseRateSet=600, GantryAngle=0,
                   GantryRotationDirection='NONE', BeamLimitingDeviceAngle=0, PatientSupportAngle=0,
                   IsocenterPosition=[0, 0, 0], BeamLimitingDevicePositionSequence=points(0))
        cp1 = item(ControlPointIndex=1, CumulativeMetersetWeight=1, BeamLimitingDevicePositionSequence=points(20))
        d.BeamSequence = [item(BeamNumber=1, BeamName='DUAL', BeamType='DYNAMIC', RadiationType='PHOTON',
            TreatmentDeliveryType='TREATMENT', TreatmentMachineName='Halcyon', PrimaryDosimeterUnit='MU',
            SourceAxisDistance=1000, NumberOfControlPoints=2, FinalCumulativeMetersetWeight=1, ReferencedPatientSetupNumber=1,
            PrimaryFluenceModeSequence=[item(FluenceMode='NON_STANDARD', FluenceModeID='FFF')],
            BeamLimitingDeviceSequence=[item(RTBeamLimitingDeviceType='X', NumberOfLeafJawPairs=1),
                item(RTBeamLimitingDeviceType='Y', NumberOfLeafJawPairs=1),
                item(RTBeamLimitingDeviceType='MLCX1', NumberOfLeafJawPairs=28, LeafPositionBoundaries=[-140 + 10 * i for i in range(29)]),
                item(RTBeamLimitingDeviceType='MLCX2', NumberOfLeafJawPairs=29, LeafPositionBoundaries=[-145 + 10 * i for i in range(30)])],
            ControlPointSequence=[cp0, cp1])]
        d.is_little_endian = True; d.is_implicit_VR = False
        d.save_as(sys.argv[1], write_like_original=False)
        """

    @Test func aHalcyonPlanWrittenWithPydicomIsReadLayerByLayer() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-dual-layer-plan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("RP.dcm")
        let written = try runPython(Self.halcyonPlanScript, arguments: [url.path])
        try #require(written.status == 0, "pydicom: \(written.standardError)")
        let plan = try Plan(contentsOf: url)
        let beam = try #require(plan.beams.first)
        let delivery = try BeamDelivery(beam: beam, monitorUnits: 100, maximumJawCM: Self.machine.jaws.maximumOpeningCM)
        for (k, shift) in [(0, 0.0), (1, 2.0)] {
            let a = delivery.states[k].aperture
            let distal = try #require(a.leaves), proximal = try #require(a.stackedLeaves.first)
            #expect(a.stackedLeaves.count == 1 && distal.travelAlongX && proximal.travelAlongX)
            #expect(distal.boundariesCM == (0...28).map { Double($0) - 14 })
            #expect(proximal.boundariesCM == (0...29).map { Double($0) - 14.5 })
            // mm → cm, pair by pair (exact in binary for these values after /10? compare within 1e-12).
            let expected: [([Double], [Double])] = [
                (distal.bankACM, (0..<28).map { (-50 + Double($0)) / 10 + shift }),
                (distal.bankBCM, (0..<28).map { (50 + Double($0)) / 10 + shift }),
                (proximal.bankACM, (0..<29).map { (-30 - Double($0)) / 10 + shift }),
                (proximal.bankBCM, (0..<29).map { (40 - Double($0)) / 10 + shift }),
            ]
            for (read, want) in expected {
                #expect(read.count == want.count && zip(read, want).allSatisfy { abs($0 - $1) < 1e-12 }, "control point \(k): \(read)")
            }
            #expect(a.x1CM == -14 && a.x2CM == 14 && a.y1CM == -14 && a.y2CM == 14)
        }
        // Both layers move continuously with meterset: half-way, every leaf is 1 cm on.
        let half = delivery.state(atMetersetFraction: 0.5).aperture
        #expect(abs(half.leaves!.bankBCM[27] - (7.7 + 1)) < 1e-12 && abs(half.stackedLeaves[0].bankACM[28] - (-5.8 + 1)) < 1e-12)
        // Without --machine the plan gets the dual-layer generic machine of its mode (6 MV FFF).
        #expect(try BeamMode.machine(for: plan, named: nil).name == "generic-6fff-dual")
        // With a single-layer machine it is refused where machine and plan meet, saying what to use.
        let model = try SourceModel(machine: GenericMachines.sixMVFFF, physics: try PhysicsData.bundled())
        #expect {
            try PlanSource(model: model, deliveries: [delivery], patientPosition: .headFirstSupine)
        } throws: { error in
            "\(error)".contains("beam 1 'DUAL', control point 0: the plan places 2 MLC layers but machine 'generic-6fff' has 1")
                && "\(error)".contains("generic-6fff-dual")
        }
    }

    @Test func theMachineFollowsThePlansMLCLayers() throws {
        func beam(_ number: Int, dual: Bool, fff: Bool = true) -> DICOM.Beam {
            let b = BeamModeTests.beam(number, fluence: fff ? BeamModeTests.fff : nil)
            let devices = dual ? ["MLCX1", "MLCX2"].map { BeamLimitingDevice(type: $0, sourceDistanceMM: nil, pairCount: 2, leafBoundariesMM: [-10, 0, 10]) }
                : b.limitingDevices
            return DICOM.Beam(
                number: number, name: b.name, type: b.type, radiationType: b.radiationType, treatmentDeliveryType: b.treatmentDeliveryType,
                machineName: b.machineName, primaryDosimeterUnit: b.primaryDosimeterUnit, sourceAxisDistanceMM: 1000,
                limitingDevices: devices, finalCumulativeMetersetWeight: 1, controlPoints: b.controlPoints, fluenceMode: b.fluenceMode)
        }
        #expect(try BeamMode.machine(for: BeamModeTests.plan([beam(1, dual: true), beam(2, dual: true)]), named: nil).name
                    == "generic-6fff-dual")
        #expect(try BeamMode.machine(for: BeamModeTests.plan([beam(1, dual: false)]), named: nil).name == "generic-6fff")
        #expect {
            try BeamMode.machine(for: BeamModeTests.plan([beam(1, dual: true), beam(2, dual: false)]), named: nil)
        } throws: { error in
            "\(error)".contains("a dual-layer MLC in beams 1, a single-layer MLC or none in beams 2; split the plan by machine")
        }
        #expect {
            try BeamMode.machine(for: BeamModeTests.plan([beam(1, dual: true, fff: false)]), named: nil)
        } throws: { error in "\(error)".contains("no generic machine delivers 6 MV with a dual-layer MLC") }
    }

    /// A static aperture of two 1 cm-pair layers: `distal` and `proximal` give each layer's bank A and B for every pair.
    static func aperture(distal: (Double, Double), proximal: (Double, Double)) -> Aperture {
        func layer(_ boundaries: [Double], _ banks: (Double, Double)) -> LeafPositions {
            LeafPositions(travelAlongX: true, boundariesCM: boundaries, bankACM: Array(repeating: banks.0, count: boundaries.count - 1),
                          bankBCM: Array(repeating: banks.1, count: boundaries.count - 1))
        }
        return Aperture(x1CM: -14, x2CM: 14, y1CM: -14, y2CM: 14, leaves: layer((0...28).map { Double($0) - 14 }, distal),
                        stackedLeaves: [layer((0...29).map { Double($0) - 14.5 }, proximal)])
    }

    @Test func eachLayerPassesItsTransmissionAndBothTheProduct() throws {
        let collimator = try SourceModel(machine: Self.machine, physics: try PhysicsData.bundled()).collimator
        // Distal open −3…3, proximal open −5…1: x = 2 only the proximal closes, x = −4 only the distal, x = 4 both.
        let a = Self.aperture(distal: (-3, 3), proximal: (-5, 1))
        func t(_ x: Double) -> Double { collimator.transmission(a, from: Self.focus, to: Vec3(x, 0.2, 0), sourceAxisDistanceCM: 100) }
        #expect(t(0) == 1)
        #expect(t(-4) == Self.distal.transmission)
        #expect(t(2) == Self.proximal.transmission)
        #expect(abs(t(4) - Self.distal.transmission * Self.proximal.transmission) < 1e-15)
        // Lim et al. 2019: 0.41 % and 0.40 % alone, "negligible" together.
        #expect(t(4) < 2e-5)
        // The explicit-plane form takes each stacked layer's crossing point; a layer without one is open.
        #expect(collimator.transmission(a, xJaw: 2, yJaw: 0, atMLC: (2, 0), atStackedLayers: [(2, 0)]) == Self.proximal.transmission)
        #expect(collimator.transmission(a, xJaw: 2, yJaw: 0, atMLC: (2, 0)) == 1)
        // Tongue-and-groove per layer: the proximal pairs' boundaries lie at half-integers, the distal ones' at integers.
        var rows = a
        rows.stackedLeaves[0].bankBCM[15] = -5  // proximal pair 15 (y 0.5…1.5) closed
        let nearProximalBoundary = collimator.transmission(rows, from: Self.focus, to: Vec3(0, 0.49, 0), sourceAxisDistanceCM: 100)
        let nearDistalBoundary = collimator.transmission(rows, from: Self.focus, to: Vec3(0, 0.01, 0), sourceAxisDistanceCM: 100)
        #expect(nearProximalBoundary == Self.proximal.transmission && nearDistalBoundary == 1)
    }

    /// Where the ray from the source point (h, 0, SAD) to the isocentre plane stops passing in full, scanning +x
    /// across the aperture's x2 edge (bisection to 10⁻¹⁰ cm).
    static func edge(_ a: Aperture, sourceXCM h: Double, _ collimator: Collimator) -> Double {
        var open = 0.0, closed = 6.0
        while closed - open > 1e-10 {
            let x = 0.5 * (open + closed)
            if collimator.transmission(a, from: Vec3(h, 0, 100), to: Vec3(x, 0.2, 0), sourceAxisDistanceCM: 100) == 1 {
                open = x
            } else {
                closed = x
            }
        }
        return open
    }

    @Test func anEdgeLiesWhereItsOwnLayerProjectsIt() throws {
        // x2 edge set by the proximal layer (B at 3 cm, distal B at 5), then by the distal one (B at 3, proximal at 5).
        let collimator = try SourceModel(machine: Self.machine, physics: try PhysicsData.bundled()).collimator
        let sad = Self.machine.sourceAxisDistanceCM
        for (a, layer) in [(Self.aperture(distal: (-5, 5), proximal: (-5, 3)), Self.proximal),
                           (Self.aperture(distal: (-5, 3), proximal: (-5, 5)), Self.distal)] {
            // From the nominal focus the edge is the plan position plus the layer's leaf-end offset: the 50 % point of
            // a symmetric focal spot.
            #expect(abs(Self.edge(a, sourceXCM: 0, collimator) - (3 + layer.leafEndOffsetCM)) < 1e-9)
            // From a source point h off the axis the ray crosses that layer's plane, d below the target, where the
            // projection says: the edge on the isocentre plane moves by −h·(SAD/d − 1) (1.74 h for the proximal layer at
            // 36.5 cm, 1.20 h for the distal one at 45.5 cm: a spot blurs each layer's edges by its own amount).
            for h in [-0.3, 0.3] {
                let want = 3 + layer.leafEndOffsetCM - h * (sad / layer.distanceCM - 1)
                let got = Self.edge(a, sourceXCM: h, collimator)
                #expect(abs(got - want) < 1e-9, "source at \(h) cm: edge \(got), projection \(want)")
            }
        }
    }

    @Test func theOpenApertureEnvelopeIsBothLayersIntersection() throws {
        // A sliding window: distal leaves −4…2 → −2…4, proximal −2…4 → 0…6; the open rays lie where both are open.
        var machine = Self.machine
        machine.primarySource.sigmaCM = 0.15
        let model = try SourceModel(machine: machine, physics: try PhysicsData.bundled())
        let states = [Self.aperture(distal: (-4, 2), proximal: (-2, 4)), Self.aperture(distal: (-2, 4), proximal: (0, 6))].map {
            MachineState(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero, aperture: $0)
        }
        let (source, open) = try PlanSourceSamplingTests.openRaysInEnvelope(
            model, try PlanSourceSamplingTests.delivery(states), rays: 100_000, seed: 5)
        let envelope = try #require(source.envelopeDraws[0]?.envelope)
        #expect(open > 5_000)
        // Inside the banks (|y| < 13 cm: within a widening of their outer edges the envelope opens fully, as a shifted
        // point may pass beside them) the intersection of the hulls −4…4 (distal) and −2…6 (proximal), each widened by
        // its offset and 5 σ·(SAD/d − 1) (0.898 cm distal, 1.305 cm proximal): x −3.326…4.911, 8.237 cm wide. Either
        // layer alone would be 9.82 or 10.65 cm.
        let inside = envelope.rectangles.reduce(0.0) { sum, r in
            sum + (r.alongHigh - r.alongLow) * max(0, min(r.acrossHigh, 13) - max(r.acrossLow, -13))
        }
        #expect(abs(inside / 26 - 8.237) < 0.001, "envelope inside the banks \(inside) cm², \(inside / 26) cm wide")
        // ε outside it: the largest transmission of any device, here the distal layer's (= the field limit's).
        #expect(source.envelopeDraws[0]?.closedTransmission == Self.distal.transmission)
    }

    @Test func theDualLayerMachineIsGeneric6fffsBeamWithTwoLayersAndOldFilesStayAsTheyWere() throws {
        let m = Self.machine
        try m.validate()
        #expect(try JSONDecoder().decode(MachineModel.self, from: try m.jsonData()) == m)
        var beamOnly = m
        beamOnly.name = GenericMachines.sixMVFFF.name
        beamOnly.jaws = GenericMachines.sixMVFFF.jaws
        beamOnly.mlc = GenericMachines.sixMVFFF.mlc
        beamOnly.stackedMLCLayers = nil
        #expect(beamOnly == GenericMachines.sixMVFFF)
        #expect(m.mlcLayers.count == 2 && m.jaws.maximumOpeningCM == 14)
        // A single-layer machine file has no stackedMLCLayers key, and one without it reads as single-layer.
        let single = try GenericMachines.sixMV.jsonData()
        #expect(!String(decoding: single, as: UTF8.self).contains("stackedMLCLayers"))
        #expect(try JSONDecoder().decode(MachineModel.self, from: single).stackedMLCLayers == nil)
        var bad = m
        bad.stackedMLCLayers![0].transmission = 0.5
        #expect(throws: BeamError.badMachine("machine 'generic-6fff-dual': stackedMLCLayers[0].transmission must be in [0, 0.2)")) {
            try bad.validate()
        }
        // A single-layer plan on the dual-layer machine is refused like the converse.
        let model = try SourceModel(machine: m, physics: try PhysicsData.bundled())
        #expect {
            try PlanSource(model: model, deliveries: [try PlanSourceSamplingTests.delivery([PlanSourceSamplingTests.mlcField()])],
                           patientPosition: .headFirstSupine)
        } throws: { error in "\(error)".contains("places 1 MLC layer but machine 'generic-6fff-dual' has 2") }
    }
}
