import DICOM
import Foundation
import Geometry
import PatientImport
import Phantom
import TestSupport
import Testing

@testable import ExamplePatients

@Suite("Synthetic thorax example", .serialized)
struct ThoraxExampleTests {
    /// The example is written once per test run into a scratch folder.
    static let folder: URL = {
        let folder = try! TestEnvironment.makeScratchDirectory("thorax")
        _ = try! ThoraxExample.write(to: folder)
        return folder
    }()

    @Test("CT reads back as a 160×160×100 HFS volume with the painted HU")
    func ct() throws {
        let (volume, warnings) = try CTSeriesReader.read(directory: Self.folder)
        #expect(volume.counts == (160, 160, 100))
        #expect(volume.patientPosition == .headFirstSupine && warnings.isEmpty)
        func hu(_ x: Double, _ y: Double, _ z: Double) -> Float {
            volume[
                Int(((x - volume.originMM.x) / 2.5).rounded()), Int(((y - volume.originMM.y) / 2.5).rounded()),
                Int(((z - volume.originMM.z) / 3).rounded())]
        }
        #expect(hu(-95, -5, 10) == -780)  // right lung centre
        #expect(hu(100, -15, 25) == 30)  // GTV centre
        #expect(hu(0, 68, 0) == 300)  // vertebral body
        #expect(hu(0, 98, 0) == 35)  // spinal cord
        #expect(hu(10, -35, -45) == 45)  // heart
        #expect(hu(0, 0, 0) == 40)  // mediastinum soft tissue
        #expect(hu(0, -190, 0) == -1000)  // air in front of the patient
    }

    @Test("structure set: ten named ROIs, PTV encloses GTV with a 1 cm margin, both inside the left lung")
    func structures() throws {
        let set = try StructureSet(contentsOf: Self.folder.appendingPathComponent("RTSTRUCT.dcm"))
        #expect(
            set.rois.map(\.name) == [
                "BODY", "LUNG_L", "LUNG_R", "HEART", "ESOPHAGUS", "VERTEBRA", "SPINAL_CORD", "RIBS", "GTV", "PTV",
            ])
        #expect(
            set.roi(named: "PTV")?.interpretedType == "PTV" && set.roi(named: "BODY")?.interpretedType == "EXTERNAL")
        let grid = VoxelGrid(counts: (160, 160, 100), originCM: Vec3(-20, -20, -15), spacingCM: Vec3(0.25, 0.25, 0.3))
        func occupancy(_ name: String) -> [Float] {
            StructureRasterizer.occupancy(of: set.roi(named: name)!.planarStructureCM, on: grid, supersampling: 2)
        }
        let gtv = occupancy("GTV"), ptv = occupancy("PTV"), lung = occupancy("LUNG_L")
        let gtvCC = gtv.reduce(0.0) { $0 + Double($1) } * grid.voxelVolumeCM3
        let ptvCC = ptv.reduce(0.0) { $0 + Double($1) } * grid.voxelVolumeCM3
        // GTV: a lobulated ellipsoid of semi-axes 1.8, 1.5, 2.0 cm → 4/3·π·abc ≈ 22.6 cm³ (lobes average out).
        #expect(abs(gtvCC - 22.6) / 22.6 < 0.1)
        // A 1 cm margin around a lobulated ellipsoid of mean radius ~1.75 cm: ((1.75 + 1)/1.75)³ ≈ 3.9.
        #expect(ptvCC > 3.3 * gtvCC && ptvCC < 4.5 * gtvCC)
        #expect(zip(gtv, ptv).allSatisfy { $0 <= $1 + 1e-6 })
        #expect(zip(ptv, lung).allSatisfy { $0 <= $1 + 1e-6 })
        #expect(set.roi(named: "RIBS")!.closedPlanarContoursByZ.allSatisfy { $0.polygons.count == 2 })
    }

    @Test("plan: four 6 MV fields, 60 Gy in 30 fractions, MLC apertures around the isocentre")
    func plan() throws {
        let plan = try Plan(contentsOf: Self.folder.appendingPathComponent("RTPLAN.dcm"))
        #expect(plan.beams.map { $0.controlPoints[0].gantryAngleDeg } == [0, 55, 125, 180])
        #expect(plan.fractionGroups.first?.fractionsPlanned == 30)
        #expect(plan.unsupportedFeatures.isEmpty && plan.notes.isEmpty)
        for beam in plan.beams {
            #expect(beam.nominalEnergy == 6 && beam.radiationType == "PHOTON")
            let mu = try #require(plan.metersetMU(beamNumber: beam.number))
            #expect(mu > 50 && mu < 120)  // 0.5 Gy per field at a 5–15 cm water-equivalent depth
            let cp = beam.controlPoints[0]
            #expect(cp.isocentreMM == Vec3(100, -15, 25))
            let mlc = try #require(beam.mlc)
            #expect(mlc.pairCount == 60)
            let leaves = cp.devicePositionsMM["MLCX"]!, x = cp.devicePositionsMM["ASYMX"]!,
                y = cp.devicePositionsMM["ASYMY"]!
            // The central pair (boundaries −2.5…2.5 cm → pair 30) is open around the axis, within the jaws.
            #expect(leaves[30] < -10 && leaves[90] > 10)
            #expect(x[0] < -20 && x[1] > 20 && y[0] < -20 && y[1] > 20)
            #expect(x[1] - x[0] < 120 && y[1] - y[0] < 120)  // shaped to a ~6 cm PTV, not an open field
        }
    }

    @Test("pydicom reads every file; dicompyler-core reads the structures, plan and images and computes a DVH")
    func interop() throws {
        // A uniform 2 Gy dose on the CT grid lets dicompyler-core compute the PTV's DVH (its volume).
        let plan = try Plan(contentsOf: Self.folder.appendingPathComponent("RTPLAN.dcm"))
        let grid = VoxelGrid(counts: (80, 80, 50), originCM: Vec3(-20, -20, -15), spacingCM: Vec3(0.5, 0.5, 0.6))
        let doseURL = Self.folder.appendingPathComponent("RTDOSE.dcm")
        try RTDoseWriter.write(
            grid: grid, doseGy: Array(repeating: 2, count: grid.voxelCount), summation: .plan,
            references: .init(plan: plan), to: doseURL)
        defer { try? FileManager.default.removeItem(at: doseURL) }
        let script = """
            import sys, glob, json, pydicom
            from dicompylercore import dicomparser, dvhcalc
            folder = sys.argv[1]
            for f in sorted(glob.glob(folder + '/*.dcm')):
                pydicom.dcmread(f).pixel_array if 'CT_' in f else pydicom.dcmread(f)
            rs = dicomparser.DicomParser(folder + '/RTSTRUCT.dcm')
            structures = rs.GetStructures()
            rp = dicomparser.DicomParser(folder + '/RTPLAN.dcm').GetPlan()
            ct = dicomparser.DicomParser(folder + '/CT_0050.dcm').GetImageData()
            ptv = [k for k, s in structures.items() if s['name'] == 'PTV'][0]
            dvh = dvhcalc.get_dvh(folder + '/RTSTRUCT.dcm', folder + '/RTDOSE.dcm', ptv)
            print(json.dumps(dict(names=[s['name'] for s in structures.values()], rxdose=float(rp['rxdose']),
                position=[float(v) for v in ct['position']], ptv_cc=float(dvh.volume), ptv_min=float(dvh.min), ptv_max=float(dvh.max))))
            """
        let out = try runPython(script, arguments: [Self.folder.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let j = try JSONSerialization.jsonObject(with: out.standardOutput.data(using: .utf8)!) as! [String: Any]
        #expect((j["names"] as! [String]).contains("SPINAL_CORD"))
        #expect(j["rxdose"] as! Double == 6000)  // cGy, from the Dose Reference Sequence
        #expect(abs((j["ptv_min"] as! Double) - 2) < 1e-6 && abs((j["ptv_max"] as! Double) - 2) < 1e-6)
        // Our rasterised PTV is 88.0 cm³ (supersampling 2, half-slice end caps); dicompyler-core computes its
        // volume differently (contour areas × slice spacing on its own sampling; 87.2 cm³ when written):
        // the two must agree within 5 %.
        let ptvCC = j["ptv_cc"] as! Double
        #expect(abs(ptvCC - 88.0) / 88.0 < 0.05, "dicompyler-core PTV volume \(ptvCC) cm³")

        // DCMTK parses every object without a warning.
        for name in ["RTSTRUCT.dcm", "RTPLAN.dcm", "RTDOSE.dcm", "CT_0001.dcm", "CT_0100.dcm"] {
            let dump = try runProgram(
                URL(fileURLWithPath: "/usr/bin/dcmdump"), ["-dc", Self.folder.appendingPathComponent(name).path])
            #expect(dump.status == 0 && dump.standardError.isEmpty, Comment(rawValue: "\(name): \(dump.standardError)"))
        }
    }
}
