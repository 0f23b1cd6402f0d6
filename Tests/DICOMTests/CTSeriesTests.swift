import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

@Suite("CT series to volume")
struct CTSeriesTests {
    @Test("TG-119 series: grid, HFS assumed, HU identical to pydicom's")
    func tg119() throws {
        let folder = TestEnvironment.reference("dicom/tg119")
        let (volume, warnings) = try CTSeriesReader.read(directory: folder)
        #expect(volume.counts == (167, 167, 129))
        #expect(
            abs(volume.spacingMM.x - 3) < 1e-9 && abs(volume.spacingMM.y - 3) < 1e-9
                && abs(volume.spacingMM.z - 2.5) < 1e-6)
        #expect(volume.patientPosition == .headFirstSupine)
        #expect(warnings.contains { $0.contains("assuming HFS") })
        let grid = volume.voxelGrid
        #expect(abs(grid.originCM.x - (volume.originMM.x - 1.5) / 10) < 1e-12)

        // pydicom's independent reading: slices sorted by z, HU = pixel × slope + intercept.
        let script = """
            import sys, glob, pydicom, numpy as np
            fs = [pydicom.dcmread(f) for f in glob.glob(sys.argv[1] + '/CT_*.dcm')]
            fs.sort(key=lambda d: float(d.ImagePositionPatient[2]))
            v = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in fs])
            o = fs[0].ImagePositionPatient
            print(v.shape[2], v.shape[1], v.shape[0], float(o[0]), float(o[1]), float(o[2]), float(v.sum()), float(v[64, 80, 90]), float(v[10, 20, 30]))
            """
        let out = try runPython(script, arguments: [folder.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let f = out.standardOutput.split(separator: " ").map {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        #expect(Int(f[0]) == volume.counts.x && Int(f[1]) == volume.counts.y && Int(f[2]) == volume.counts.z)
        #expect(volume.originMM == Vec3(f[3], f[4], f[5]))
        let sum = volume.huValues.reduce(0.0) { $0 + Double($1) }
        #expect(sum == f[6])  // integer HU: the sums are exact in both
        #expect(Double(volume[90, 80, 64]) == f[7])
        #expect(Double(volume[30, 20, 10]) == f[8])
    }

    @Test("pydicom's CT_small.dcm as a one-slice series: HU equal to pydicom's")
    func ctSmall() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let url = TestFiles.url("pydicom/CT_small.dcm")
        let (volume, warnings) = try CTSeriesReader.assemble([CTSliceHeader(url: url)])
        #expect(volume.counts == (128, 128, 1))
        #expect(warnings.isEmpty)  // CT_small states its Patient Position
        let out = try runPython(
            "import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); v = d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept); print(float(v.sum()), float(v[5, 100]))",
            arguments: [url.path])
        let ref = out.standardOutput.split(separator: " ").map {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        #expect(volume.huValues.reduce(0.0) { $0 + Double($1) } == ref[0])
        #expect(Double(volume[100, 5, 0]) == ref[1])
    }
}
