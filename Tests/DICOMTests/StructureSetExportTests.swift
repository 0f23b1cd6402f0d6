import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// Structure sets as planning systems export them: an ROI drawn on another image (a registered MR, another CT)
/// carries that image's frame of reference; placed on the planning CT as it is, it lands in the wrong place.
@Suite("RT Structure Set: ROIs in other frames of reference, planning-system density overrides")
struct StructureSetExportTests {
    static func dataSet() throws -> DataSet {
        let square = [Vec3(-10, -10, 0), Vec3(10, -10, 0), Vec3(10, 10, 0), Vec3(-10, 10, 0)]
        return try StructureSetWriter.dataSet(
            rois: ["BODY", "PTV", "GTV_MR"].enumerated().map { n, name in
                ROIDefinition(number: n + 1, name: name, interpretedType: n == 0 ? "EXTERNAL" : "PTV", colour: (0, 255, 0),
                              contoursMM: [square])
            },
            label: "T", context: PlanTests.context, ctSeriesUID: "1.2.3.5", ctSlices: [], sopInstanceUID: "1.2.3.6",
            seriesInstanceUID: "1.2.3.7")
    }

    @Test("an ROI in another frame of reference is left out with a note; the set's frame is the ROIs' common one")
    func otherFrame() throws {
        var d = try Self.dataSet()
        var items = try d.sequence("StructureSetROISequence")!
        // The MR ROI first, so that "the first ROI's frame" would have made the whole set the MR's.
        items[2].set("ReferencedFrameOfReferenceUID", "1.2.3.99")
        d.set("StructureSetROISequence", items: [items[2], items[0], items[1]])
        let set = try StructureSet(d)
        #expect(set.frameOfReferenceUID == "1.2.3.4")
        #expect(set.rois.map(\.name) == ["BODY", "PTV"])
        #expect(set.notes.count == 1 && set.notes[0].contains("ROI 3 'GTV_MR' is in frame of reference 1.2.3.99"))
        #expect(try StructureSet(Self.dataSet()).notes.isEmpty)
    }

    /// Applied by `PatientImport` (`DensityOverrideTests`); the structure set only reads it.
    @Test("an ROI's density override from the planning system is read, with its value")
    func densityOverride() throws {
        var d = try Self.dataSet()
        var observations = try d.sequence("RTROIObservationsSequence")!
        var property = DataSet()
        property.set("ROIPhysicalProperty", "REL_ELEC_DENSITY")
        property.set("ROIPhysicalPropertyValue", decimals: [1.0])
        observations[1].set("ROIPhysicalPropertiesSequence", items: [property])
        d.set("RTROIObservationsSequence", items: observations)
        let set = try StructureSet(d)
        #expect(set.rois[1].physicalProperties.map(\.property) == ["REL_ELEC_DENSITY"])
        #expect(set.rois[1].physicalProperties.map(\.value) == [1.0] && set.notes.isEmpty)
    }
}
