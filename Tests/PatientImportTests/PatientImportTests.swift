import DICOM
import Foundation
import Geometry
import Phantom
import Testing

@testable import PatientImport

@Suite("CT volume and structures → voxel phantom")
struct PatientImportTests {
    /// A 20 × 20 × 4 water volume (0 HU) with 5 mm voxels centred on the axis.
    static let volume = Volume(
        counts: (20, 20, 4), originMM: Vec3(-47.5, -47.5, -4.5), spacingMM: Vec3(5, 5, 3),
        huValues: Array(repeating: 0, count: 1600), patientPosition: .headFirstSupine, seriesInstanceUID: "1.2.3.5",
        frameOfReferenceUID: "1.2.3.4", studyInstanceUID: "1.2.3")

    static func structureSet(frame: String = "1.2.3.4", type: String = "EXTERNAL", halfWidthMM: Double = 30) throws
        -> StructureSet
    {
        let context = StudyContext(
            patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: frame, studyDate: "",
            studyTime: "", description: "")
        let zs = [-4.5, -1.5, 1.5, 4.5]
        // A square on voxel boundaries (the grid's voxel edges are at multiples of 5 mm).
        let h = halfWidthMM
        let contours = zs.map { z in [Vec3(-h, -h, z), Vec3(h, -h, z), Vec3(h, h, z), Vec3(-h, h, z)] }
        let d = try StructureSetWriter.dataSet(
            rois: [
                ROIDefinition(number: 1, name: "BODY", interpretedType: type, colour: (0, 255, 0), contoursMM: contours)
            ],
            label: "T", context: context, ctSeriesUID: "1.2.3.5", ctSlices: [], sopInstanceUID: "1.2.3.6",
            seriesInstanceUID: "1.2.3.7")
        return try StructureSet(d)
    }

    @Test("without structures: the calibrated CT as is")
    func plain() throws {
        let result = try PatientImport.phantom(from: Self.volume, calibration: .egsnrcCtcreate4)
        #expect(result.phantom.media == ["ICRUTISSUE700ICRU"] && result.voxelsOutsideExternal == 0)
        #expect(result.phantom.grid == Self.volume.voxelGrid)
    }

    @Test("outside the EXTERNAL ROI becomes air: exactly the voxels of a voxel-aligned square stay")
    func external() throws {
        let result = try PatientImport.phantom(
            from: Self.volume, calibration: .egsnrcCtcreate4, structures: try Self.structureSet())
        #expect(result.externalName == "BODY")
        // 60 × 60 mm on 5 mm voxels: 12 × 12 voxels on each of the 4 slices.
        #expect(1600 - result.voxelsOutsideExternal == 4 * 144)
        #expect(result.phantom.media == ["AIR700ICRU", "ICRUTISSUE700ICRU"])
    }

    @Test("voxels above the calibration's last point (metal) are counted inside the patient and named in a warning")
    func aboveCalibration() throws {
        var hu = Self.volume.huValues
        hu[0] = 4000  // a corner voxel: outside the EXTERNAL square below
        hu[10 * 20 + 10] = 3500  // near the centre of the first slice
        hu[10 * 20 + 11] = 3000  // on the last knot: not above it
        let volume = Volume(
            counts: (20, 20, 4), originMM: Self.volume.originMM, spacingMM: Self.volume.spacingMM, huValues: hu,
            patientPosition: .headFirstSupine, seriesInstanceUID: "1.2.3.5", frameOfReferenceUID: "1.2.3.4",
            studyInstanceUID: "1.2.3")
        let plain = try PatientImport.phantom(from: volume, calibration: .schneider2000)
        #expect(plain.voxelsAboveCalibration == 2)
        let warning = try #require(plain.aboveCalibrationWarning)
        #expect(warning.contains("2 voxels (0.15 cm³)") && warning.contains("above 3000 HU") && warning.contains("2.8 g/cm³"))
        let bounded = try PatientImport.phantom(
            from: volume, calibration: .schneider2000, structures: try Self.structureSet())
        #expect(bounded.voxelsAboveCalibration == 1)
        #expect(try PatientImport.phantom(from: Self.volume, calibration: .schneider2000).aboveCalibrationWarning == nil)
    }

    @Test("a structure set of another frame of reference, or without EXTERNAL, is refused")
    func refused() throws {
        #expect(throws: PatientImportError.frameOfReferenceMismatch) {
            try PatientImport.phantom(
                from: Self.volume, calibration: .schneider2000, structures: try Self.structureSet(frame: "9.9"))
        }
        #expect(throws: PatientImportError.noExternalROI(["BODY"])) {
            try PatientImport.phantom(
                from: Self.volume, calibration: .schneider2000, structures: try Self.structureSet(type: "ORGAN"))
        }
    }

    @Test("of several EXTERNAL ROIs the first bounds the patient, and the result says so")
    func severalExternals() throws {
        let context = StudyContext(
            patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
            studyTime: "", description: "")
        let contours = [-4.5, -1.5, 1.5, 4.5].map { z in
            [Vec3(-30, -30, z), Vec3(30, -30, z), Vec3(30, 30, z), Vec3(-30, 30, z)]
        }
        let set = try StructureSet(StructureSetWriter.dataSet(
            rois: ["External", "External_old"].enumerated().map { n, name in
                ROIDefinition(number: n + 1, name: name, interpretedType: "EXTERNAL", colour: (0, 255, 0), contoursMM: contours)
            },
            label: "T", context: context, ctSeriesUID: "1.2.3.5", ctSlices: [], sopInstanceUID: "1.2.3.6",
            seriesInstanceUID: "1.2.3.7"))
        let result = try PatientImport.phantom(from: Self.volume, calibration: .schneider2000, structures: set)
        #expect(result.externalName == "External")
        #expect(result.notes.count == 1 && result.notes[0].contains("2 EXTERNAL ROIs (External, External_old)"))
        #expect(try PatientImport.phantom(from: Self.volume, calibration: .schneider2000, structures: Self.structureSet()).notes.isEmpty)
    }

    /// `penumbra run` passes `requireExternal: false`: a plan folder's structure set without an EXTERNAL ROI (Pinnacle
    /// may leave every RT ROI Interpreted Type empty) used to stop the run, with no way to leave it out of the folder.
    @Test("without an EXTERNAL ROI and requireExternal false: the CT as scanned, with a note")
    func noExternalAllowed() throws {
        let result = try PatientImport.phantom(
            from: Self.volume, calibration: .schneider2000, structures: try Self.structureSet(type: "ORGAN"),
            requireExternal: false)
        #expect(result.voxelsOutsideExternal == 0 && result.externalName == nil)
        #expect(result.notes.count == 1 && result.notes[0].contains("no EXTERNAL ROI"))
    }
}
