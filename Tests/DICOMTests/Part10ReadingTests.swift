import Foundation
import Testing

@testable import DICOM

@Suite("Part 10 reading of files from other writers")
struct Part10ReadingTests {
    @Test(
        "every fetched file parses",
        arguments: [
            "pydicom/rtplan.dcm", "pydicom/rtdose.dcm", "pydicom/rtstruct.dcm", "pydicom/CT_small.dcm",
            "pydicom/MR_small_bigendian.dcm", "pydicom/rtdose_expb.dcm", "pydicom/ExplVR_BigEndNoMeta.dcm",
            "dicompyler-core/rtplan.dcm", "dicompyler-core/rtss.dcm", "dicompyler-core/rtdose.dcm",
            "dicompyler-core/ct.0.dcm", "pymedphys/vmat_example.dcm", "pymedphys/06MV_plan.dcm",
            "pymedphys/FFF_example.dcm", "pymedphys/24mm_x_20mm_rectangle.dcm",
        ])
    func parses(_ name: String) throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let file = try DICOMFile.read(contentsOf: TestFiles.url(name))
        #expect(file.dataSet.string("SOPClassUID") != nil)
    }
}
