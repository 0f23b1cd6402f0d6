import Foundation
import TestSupport
import Testing

/// `penumbra dicom import` and `penumbra run` on the thorax example whose structure set pydicom gives a couch
/// (SUPPORT, MASS_DENSITY 0.6, behind the body), a bolus that beam 1 references (BOLUS, MASS_DENSITY 1.03, on the
/// anterior skin) and planning-system overrides (docs/dicom.md, "Density overrides").
@Suite struct DensityOverrideRunTests {
    /// The thorax example in `dir/thorax` with the edited structure set; the original one is kept as `dir/RS-original.dcm`.
    static func thoraxWithOverrides(in dir: URL) throws -> URL {
        let folder = dir.appendingPathComponent("thorax")
        let example = try runProgram(DVHCommandTests.penumbra, ["example", "thorax", "--out", folder.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let rs = folder.appendingPathComponent("RTSTRUCT.dcm")
        try FileManager.default.copyItem(at: rs, to: dir.appendingPathComponent("RS-original.dcm"))
        // The couch: a 360 × 15 mm slab at y 125–140 mm (behind the body, which ends at 118 mm) on every contour plane.
        let script = """
            import sys, copy, pydicom
            from pydicom.dataset import Dataset
            d = pydicom.dcmread(sys.argv[1])
            def prop(name, value):
                p = Dataset(); p.ROIPhysicalProperty = name; p.ROIPhysicalPropertyValue = value; return p
            roi = copy.deepcopy(d.StructureSetROISequence[0]); roi.ROINumber = 11; roi.ROIName = 'Couch'
            d.StructureSetROISequence.append(roi)
            contours = copy.deepcopy(d.ROIContourSequence[0]); contours.ReferencedROINumber = 11
            for c in contours.ContourSequence:
                z = c.ContourData[2]
                c.ContourData = [-180, 125, z, 180, 125, z, 180, 140, z, -180, 140, z]; c.NumberOfContourPoints = 4
            d.ROIContourSequence.append(contours)
            obs = copy.deepcopy(d.RTROIObservationsSequence[0]); obs.ObservationNumber = 11; obs.ReferencedROINumber = 11
            obs.RTROIInterpretedType = 'SUPPORT'; obs.ROIPhysicalPropertiesSequence = [prop('MASS_DENSITY', 0.6)]
            d.RTROIObservationsSequence.append(obs)
            # A 10 mm bolus on the anterior skin (the body reaches y = -118 mm), MASS_DENSITY 1.03; beam 1 references it.
            roi = copy.deepcopy(d.StructureSetROISequence[0]); roi.ROINumber = 12; roi.ROIName = 'Bolus'
            d.StructureSetROISequence.append(roi)
            contours = copy.deepcopy(d.ROIContourSequence[0]); contours.ReferencedROINumber = 12
            for c in contours.ContourSequence:
                z = c.ContourData[2]
                c.ContourData = [-60, -128, z, 60, -128, z, 60, -118, z, -60, -118, z]; c.NumberOfContourPoints = 4
            d.ROIContourSequence.append(contours)
            obs = copy.deepcopy(d.RTROIObservationsSequence[0]); obs.ObservationNumber = 12; obs.ReferencedROINumber = 12
            obs.RTROIInterpretedType = 'BOLUS'; obs.ROIPhysicalPropertiesSequence = [prop('MASS_DENSITY', 1.03)]
            d.RTROIObservationsSequence.append(obs)
            for o in d.RTROIObservationsSequence:
                if o.ReferencedROINumber == 4: o.ROIPhysicalPropertiesSequence = [prop('REL_ELEC_DENSITY', 1.0)]
                if o.ReferencedROINumber == 10: o.ROIPhysicalPropertiesSequence = [prop('EFFECTIVE_Z', 7.4)]
            d.save_as(sys.argv[1])
            p = pydicom.dcmread(sys.argv[2])
            b = Dataset(); b.ReferencedROINumber = 12
            p.BeamSequence[0].NumberOfBoli = 1; p.BeamSequence[0].ReferencedBolusSequence = [b]
            p.save_as(sys.argv[2])
            """
        let edit = try runPython(script, arguments: [rs.path, folder.appendingPathComponent("RTPLAN.dcm").path])
        try #require(edit.status == 0, "pydicom edit failed: \(edit.standardError)")
        return folder
    }

    @Test func importAppliesOverridesAndIgnoringThemGivesTheOldPhantom() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-overrides-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try Self.thoraxWithOverrides(in: dir)
        func importCT(_ structures: String, _ out: String, _ extra: [String] = []) throws -> ProgramOutput {
            try runProgram(DVHCommandTests.penumbra, [
                "dicom", "import", folder.path, "--structures", structures, "--out", dir.appendingPathComponent(out).path,
                "--log-level", "info",
            ] + extra)
        }
        let edited = folder.appendingPathComponent("RTSTRUCT.dcm").path
        let applied = try importCT(edited, "applied.egsphant")
        try #require(applied.status == 0, "\(applied.standardError)")
        let log = applied.standardError
        #expect(log.contains("density override of ROI 11 'Couch' applied: MASS_DENSITY 0.6"), "\(log)")
        #expect(log.contains("density override of ROI 4 'HEART' applied: REL_ELEC_DENSITY 1.0"), "\(log)")
        #expect(log.contains("voxels of SUPPORT ROI 11 'Couch' outside the EXTERNAL ROI are kept"), "\(log)")
        #expect(log.contains("'PTV': physical property EFFECTIVE_Z 7.4 is not applied"), "\(log)")
        let ignored = try importCT(edited, "ignored.egsphant", ["--ignore-density-overrides"])
        let original = try importCT(dir.appendingPathComponent("RS-original.dcm").path, "original.egsphant")
        try #require(ignored.status == 0 && original.status == 0, "\(ignored.standardError)\(original.standardError)")
        let bytes = { (name: String) in try Data(contentsOf: dir.appendingPathComponent(name)) }
        #expect(try bytes("ignored.egsphant") == bytes("original.egsphant"))
        #expect(try bytes("applied.egsphant") != bytes("original.egsphant"))
    }

    /// One run (debug transport is slow); `--ignore-density-overrides` is the same flag of the same import as
    /// `dicom import`'s, checked above, and water runs never read a structure set.
    @Test func runListsTheOverridesInTheSummary() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-overrides-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try Self.thoraxWithOverrides(in: dir)
        struct Summary: Decodable {
            struct Override: Decodable { let roi: String; let property: String; let value: Double; let voxels: Int; let densityGPerCM3: Double }
            struct Device: Decodable { let roiNumber: Int; let roi: String; let type: String; let bolusOfBeams: [String] }
            let densityOverrides: [Override]?
            let devices: [Device]?
        }
        func summary(_ out: String) throws -> Summary {
            try JSONDecoder().decode(Summary.self, from: Data(contentsOf: dir.appendingPathComponent("\(out)/summary.json")))
        }
        let applied = try runProgram(DVHCommandTests.penumbra, [
            "run", folder.path, "--dose-voxel", "2", "--histories", "200", "--first-round", "200",
            "--out", dir.appendingPathComponent("applied").path, "--log-level", "error",
        ])
        try #require(applied.status == 0, "\(applied.standardError)")
        // The plan's bolus (beam 1, ROI 12) is in the phantom, so the run computes it instead of refusing the plan.
        let overrides = try #require(try summary("applied").densityOverrides)
        #expect(Set(overrides.map(\.roi)) == ["Couch", "HEART", "Bolus"])
        let couch = try #require(overrides.first { $0.roi == "Couch" })
        // 360 × 15 mm on 2.5 mm pixels: 144 × 6 voxels on each couch plane.
        #expect(couch.property == "MASS_DENSITY" && couch.densityGPerCM3 == 0.6 && couch.voxels % (144 * 6) == 0 && couch.voxels > 0)
        // The devices computed with the patient (for the report): the couch, and the bolus beam 1 names.
        let devices = try #require(try summary("applied").devices)
        #expect(devices.map(\.roi) == ["Couch", "Bolus"] && devices.map(\.type) == ["SUPPORT", "BOLUS"])
        #expect(devices[0].bolusOfBeams.isEmpty && devices[1].bolusOfBeams.count == 1 && devices[1].bolusOfBeams[0].hasPrefix("beam 1"))
        // Without the structure set's devices the bolus is not in the phantom: refused before any transport.
        let ctAlone = try runProgram(DVHCommandTests.penumbra, [
            "run", folder.path, "--dose-voxel", "2", "--histories", "200", "--first-round", "200", "--ignore-density-overrides",
            "--out", dir.appendingPathComponent("ct-alone").path, "--log-level", "error",
        ])
        #expect(ctAlone.status != 0)
        #expect(ctAlone.standardError.contains("1 bolus (ROI 12 not in the phantom"), "\(ctAlone.standardError)")
    }
}
