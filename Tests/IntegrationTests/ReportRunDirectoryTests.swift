import Foundation
import TestSupport
import Testing

/// `penumbra report PLAN_DIR` on what `penumbra run` leaves behind (PLAN_DIR/penumbra with summary.json,
/// RD.dcm and dose.3ddose) for the thorax example. The run folder is written here by pydicom (a Gaussian
/// dose of 66 Gy (σ 6 cm) at the plan's isocentre, 2 % uncertainty), so the test needs no Monte Carlo and can check
/// exact numbers; RunCommandTests covers the real `run`.
@Suite struct ReportRunDirectoryTests {
    /// Writes PLAN_DIR/penumbra: RD.dcm (PLAN dose in Gy, the CT's frame of reference), dose.3ddose (dose
    /// per fraction, cm, 2 % uncertainty) and summary.json, on a 1 cm grid of 30 × 30 × 20 voxels centred
    /// on the isocentre.
    static let runScript = """
        import json, os, sys
        import numpy as np, pydicom
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.uid import ExplicitVRLittleEndian, generate_uid
        folder = sys.argv[1]
        plan = pydicom.dcmread(os.path.join(folder, "RTPLAN.dcm"))
        iso = np.array([float(v) for v in plan.BeamSequence[0].ControlPointSequence[0].IsocenterPosition])
        fractions = int(plan.FractionGroupSequence[0].NumberOfFractionsPlanned)
        n = (30, 30, 20)
        first = iso - 10.0 * (np.array(n) - 1) / 2
        x, y, z = (first[a] + 10.0 * np.arange(n[a]) for a in range(3))
        zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
        dose = 66.0 * np.exp(-((xx - iso[0])**2 + (yy - iso[1])**2 + (zz - iso[2])**2) / (2 * 60.0**2))
        out = os.path.join(folder, "penumbra")
        os.makedirs(out)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.2"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
        ds.Modality = "RTDOSE"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = plan.StudyInstanceUID, generate_uid()
        ds.FrameOfReferenceUID = plan.FrameOfReferenceUID
        ds.ImagePositionPatient = [float(v) for v in first]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [10.0, 10.0]
        ds.GridFrameOffsetVector = [10.0 * k for k in range(n[2])]
        ds.Rows, ds.Columns, ds.NumberOfFrames = n[1], n[0], n[2]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
        ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
        scaling = dose.max() / 4e9
        ds.DoseGridScaling = f"{scaling:.8e}"
        ds.PixelData = np.round(dose / float(ds.DoseGridScaling)).astype("<u4").tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(os.path.join(out, "RD.dcm"), write_like_original=False)
        bounds = lambda a: " ".join(f"{(v - 5) / 10:.4f}" for v in list(a) + [a[-1] + 10])
        values = lambda v: " ".join(f"{d:.6e}" for d in v.ravel())
        with open(os.path.join(out, "dose.3ddose"), "w") as f:
            f.write(f"{n[0]} {n[1]} {n[2]}\\n{bounds(x)}\\n{bounds(y)}\\n{bounds(z)}\\n")
            f.write(values(dose / fractions) + "\\n" + values(np.where(dose > 0, 0.02, 0.0)) + "\\n")
        beams = [{"number": int(b.BeamNumber), "name": b.BeamName, "monitorUnits": 100.0,
                  "isocentreDoseGy": 0.5, "isocentreRelativeUncertainty": 0.02} for b in plan.BeamSequence]
        summary = {"machine": "generic-6x", "histories": 123456789, "seconds": 42.5, "threads": 2, "seed": 7,
                   "version": "test", "doseUnit": "Gy per fraction (dose to medium)", "rtDose": "RD.dcm",
                   "fractionsPlanned": fractions, "maximumDoseGy": 66.0 / fractions,
                   "meanRelativeUncertaintyAboveHalfMax": 0.02, "beams": beams, "dvhPerFraction": [],
                   "densityOverrides": [{"roiNumber": 5, "roi": "LUNG_L", "property": "REL_ELEC_DENSITY", "value": 0.3,
                                         "medium": "SCHNEIDER2000_LUNG", "densityGPerCM3": 0.2961, "voxels": 4321}],
                   "devices": [{"roiNumber": 11, "roi": "COUCH", "type": "SUPPORT", "bolusOfBeams": []}]}
        json.dump(summary, open(os.path.join(out, "summary.json"), "w"))
        """

    @Test func reportFromTheRunFolderAlone() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-report-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let patient = directory.appendingPathComponent("thorax")
        let example = try runProgram(DVHCommandTests.penumbra, ["example", "thorax", "--out", patient.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let fabricate = try runPython(Self.runScript, arguments: [patient.path])
        try #require(fabricate.status == 0, "pydicom: \(fabricate.standardError)")

        let html = directory.appendingPathComponent("report.html"), tables = directory.appendingPathComponent("tables")
        let json = directory.appendingPathComponent("report.json")
        let report = try runProgram(
            DVHCommandTests.penumbra,
            ["report", patient.path, "--structure", "PTV", "--structure", "HEART", "--constraints", "thorax",
                "--physicist", "A. Physicist", "--review-date", "2026-11-30", "--reviewer", "Dosimetrist:B. Dosimetrist",
                "--out", html.path, "--summary", json.path, "--tables", tables.path])
        try #require(report.status == 0, "penumbra report failed: \(report.standardError)")
        let text = try String(contentsOf: html, encoding: .utf8)
        // The plan's prescription (60 Gy in the example's dose reference) is found without --prescription-gy.
        #expect(text.contains("60.00 Gy (from the RT Plan)"))
        // The Monte Carlo record comes from summary.json; the uncertainty from dose.3ddose (2 % everywhere).
        #expect(text.contains("<td>123456789</td>") && text.contains("<td>generic-6x</td>"))
        #expect(text.contains("<td>mean uncertainty (D &gt; 50 % Dmax, k = 1)</td><td>2.00 %</td>"))
        // Six dose figures (isocentre and maximum, three planes each), each over the CT, with isodoses and
        // outlines; four DRRs (the example's four beams).
        #expect(text.components(separatedBy: "class=\"ct\"").count - 1 == 6)
        #expect(text.components(separatedBy: "class=\"dose-wash\"").count - 1 == 6)
        #expect(text.contains("class=\"isodose\"") && text.contains("class=\"outline\""))
        #expect(text.components(separatedBy: "class=\"drr\"").count - 1 == 4)
        #expect(text.contains("Dose, coronal plane through the isocentre"))
        // Profiles through the isocentre and the dose along each beam's axis (depth from the skin).
        #expect(text.contains("Dose profiles through the isocentre") && text.contains("Depth from the skin (mm)"))
        // Patient-free unless asked: the example's patient name and ID appear nowhere.
        #expect(!text.contains("PENUMBRA^THORAX") && !text.contains("PENUMBRA-THORAX-01") && text.contains("no patient identifiers"))
        // Review block: names given are printed, the extra reviewer too.
        #expect(text.contains("A. Physicist") && text.contains("B. Dosimetrist") && text.contains("Professional component (26)"))

        // Every table of the HTML exists as CSV, and the JSON carries each section.
        let ids = text.components(separatedBy: "<table id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(
            Set(ids) == [
                "inputs", "beams", "dose", "computation", "density-overrides", "devices", "dvh-metrics", "conformity", "constraints",
                "cpt77295",
            ])
        // summary.json's density overrides and devices, each field shown (docs/report.md).
        for cell in ["5 LUNG_L", "REL_ELEC_DENSITY", "0.300", "SCHNEIDER2000_LUNG", "0.2961", "4321", "11 COUCH", "SUPPORT"] {
            #expect(text.contains("<td>\(cell)</td>"), "no cell \(cell)")
        }
        for id in ids {
            #expect(FileManager.default.fileExists(atPath: tables.appendingPathComponent("\(id).csv").path), "no \(id).csv")
        }
        for curve in ["dvh-cumulative-PTV", "dvh-differential-PTV", "dvh-cumulative-HEART", "dvh-differential-HEART"] {
            #expect(FileManager.default.fileExists(atPath: tables.appendingPathComponent("\(curve).csv").path), "no \(curve).csv")
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        for key in [
            "inputs", "beams", "dose", "computation", "densityOverrides", "devices", "structures", "conformity", "constraints", "cpt77295",
            "reviewers",
        ] {
            #expect(summary[key] != nil, "summary JSON lacks \(key)")
        }
        let conformity = try #require((summary["conformity"] as? [[String: Any]])?.first)
        #expect(conformity["structure"] as? String == "PTV" && (conformity["paddick"] as? Double ?? 0) > 0)

        // `penumbra dvh` gives the same conformity from the same RT Dose and prescription.
        let dvh = try runProgram(
            DVHCommandTests.penumbra,
            ["dvh", patient.appendingPathComponent("penumbra/RD.dcm").path, "--structures", patient.appendingPathComponent("RTSTRUCT.dcm").path,
                "--structure", "PTV", "--prescription-gy", "60", "--format", "json"])
        try #require(dvh.status == 0, "penumbra dvh failed: \(dvh.standardError)")
        let dvhJSON = try #require(try JSONSerialization.jsonObject(with: Data(dvh.standardOutput.utf8)) as? [String: Any])
        let dvhConformity = try #require((dvhJSON["conformity"] as? [[String: Any]])?.first)
        #expect(dvhConformity["paddick"] as? Double == conformity["paddick"] as? Double)

        try ReportCommandTests.expectRendersInChromium(html, in: directory)
    }

    @Test func aFolderWithoutARunIsRefusedWithAHint() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-report-norun")
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try runProgram(
            DVHCommandTests.penumbra, ["report", directory.path, "--out", directory.appendingPathComponent("r.html").path])
        #expect(report.status != 0)
        #expect(report.standardError.contains("holds no summary.json"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.html").path))
        // A water-tank run (no RT Dose) and a summary.json that is not a run's are refused, saying why.
        let summary = directory.appendingPathComponent("summary.json")
        try Data("""
            {"machine": "generic-6x", "histories": 1, "seconds": 1, "threads": 1, "seed": 1, "version": "t",
             "doseUnit": "Gy per fraction", "maximumDoseGy": 1, "meanRelativeUncertaintyAboveHalfMax": 0.1,
             "beams": [], "dvhPerFraction": []}
            """.utf8).write(to: summary)
        let water = try runProgram(
            DVHCommandTests.penumbra, ["report", directory.path, "--out", directory.appendingPathComponent("r.html").path])
        #expect(water.status != 0 && water.standardError.contains("water-tank run"), "\(water.standardError)")
        try Data("{\"histories\": \"many\"}".utf8).write(to: summary)
        let foreign = try runProgram(
            DVHCommandTests.penumbra, ["report", directory.path, "--out", directory.appendingPathComponent("r.html").path])
        #expect(foreign.status != 0 && foreign.standardError.contains("is not a `penumbra run` summary"), "\(foreign.standardError)")
    }
}
