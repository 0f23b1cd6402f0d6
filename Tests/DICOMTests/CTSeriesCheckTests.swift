import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

@Suite("CT series orientation, spacing and grouping checks")
struct CTSeriesCheckTests {
    static let context = StudyContext(
        patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
        studyTime: "", description: "")

    /// A small volume whose HU encode the voxel index, so any misplacement shows.
    static func volume(nx: Int = 12, ny: Int = 9, nz: Int = 5, series: String = "1.2.3.5") -> Volume {
        let hu = (0..<(nx * ny * nz)).map { Float($0 % 2000) - 1000 }
        return Volume(
            counts: (nx, ny, nz), originMM: Vec3(-30, -20.5, 100), spacingMM: Vec3(2, 2.5, 3), huValues: hu,
            patientPosition: .headFirstSupine, seriesInstanceUID: series, frameOfReferenceUID: "1.2.3.4", studyInstanceUID: "1.2.3")
    }

    static func write(_ v: Volume) throws -> URL {
        let folder = try TestEnvironment.makeScratchDirectory("ct")
        try CTSeriesWriter.write(v, context: context, to: folder)
        return folder
    }

    /// Rewrites every slice of a folder with a data-set edit.
    static func edit(_ folder: URL, _ change: (inout DataSet, Int) throws -> Void) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("CT_") }
            .sorted()
        for (k, name) in names.enumerated() {
            let url = folder.appendingPathComponent(name)
            var d = try DICOMFile.read(contentsOf: url).dataSet
            try change(&d, k)
            try DataSetWriter.write(d, to: url)
        }
    }

    static func expectError(_ folder: URL, _ words: String) {
        do {
            _ = try CTSeriesReader.read(directory: folder)
            Issue.record("accepted a series that should fail with '\(words)'")
        } catch let e as DICOMError {
            #expect(e.description.contains(words), Comment(rawValue: e.description))
        } catch {
            Issue.record("untyped error \(error)")
        }
    }

    @Test("write → read round trip is exact")
    func roundTrip() throws {
        let v = Self.volume()
        let folder = try Self.write(v)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (back, warnings) = try CTSeriesReader.read(directory: folder)
        #expect(
            warnings.isEmpty && back.huValues == v.huValues && back.originMM == v.originMM
                && back.spacingMM == v.spacingMM)
    }

    /// Re-encodes each slice with another row/column direction; the reader must undo it.
    @Test(
        "flipped and transposed in-plane axes are undone (HFP/FFS/FFP-style orientations)",
        arguments: [
            (Vec3(-1, 0, 0), Vec3(0, -1, 0), "HFP"), (Vec3(-1, 0, 0), Vec3(0, 1, 0), "FFS"),
            (Vec3(1, 0, 0), Vec3(0, -1, 0), "FFP"),
            (Vec3(0, 1, 0), Vec3(1, 0, 0), "HFS"),
        ])
    func orientations(row: Vec3, column: Vec3, position: String) throws {
        let v = Self.volume()
        let folder = try Self.write(v)
        defer { try? FileManager.default.removeItem(at: folder) }
        // New image size: columns run along `row`, rows along `column`.
        let columnsAlongX = row.x != 0
        let columns = columnsAlongX ? v.counts.x : v.counts.y, rows = columnsAlongX ? v.counts.y : v.counts.x
        let dc = columnsAlongX ? v.spacingMM.x : v.spacingMM.y, dr = columnsAlongX ? v.spacingMM.y : v.spacingMM.x
        let end = v.originMM + Vec3(Double(v.counts.x - 1) * v.spacingMM.x, Double(v.counts.y - 1) * v.spacingMM.y, 0)
        let first = Vec3(row.x + column.x < 0 ? end.x : v.originMM.x, row.y + column.y < 0 ? end.y : v.originMM.y, 0)
        try Self.edit(folder) { d, k in
            let ipp = Vec3(first.x, first.y, v.originMM.z + Double(k) * v.spacingMM.z)
            var pixels: [UInt8] = []
            for r in 0..<rows {
                for c in 0..<columns {
                    let p = ipp + row * (Double(c) * dc) + column * (Double(r) * dr)
                    let i = Int(((p.x - v.originMM.x) / v.spacingMM.x).rounded()),
                        j = Int(((p.y - v.originMM.y) / v.spacingMM.y).rounded())
                    let u = UInt16(bitPattern: Int16(v[i, j, k]))
                    pixels += [UInt8(u & 0xFF), UInt8(u >> 8)]
                }
            }
            d.set("ImageOrientationPatient", decimals: [row.x, row.y, row.z, column.x, column.y, column.z])
            d.set("ImagePositionPatient", decimals: [ipp.x, ipp.y, ipp.z])
            d.set("Rows", uint16: [UInt16(rows)])
            d.set("Columns", uint16: [UInt16(columns)])
            d.set("PixelSpacing", decimals: [dr, dc])
            d.set("PatientPosition", position)
            d.set("PixelData", vr: .OW, bytes: pixels)
        }
        let (back, _) = try CTSeriesReader.read(directory: folder)
        #expect(back.counts == v.counts && back.originMM == v.originMM && back.spacingMM == v.spacingMM)
        #expect(back.huValues == v.huValues)
        #expect(back.patientPosition.rawValue == position)
    }

    @Test("oblique, tilted and drifting series are refused")
    func obliqueAndTilt() throws {
        let folder = try Self.write(Self.volume())
        defer { try? FileManager.default.removeItem(at: folder) }
        let c = cos(5 * Double.pi / 180), s = sin(5 * Double.pi / 180)
        try Self.edit(folder) { d, _ in d.set("ImageOrientationPatient", decimals: [c, s, 0, -s, c, 0]) }
        Self.expectError(folder, "not axial")
        try Self.edit(folder) { d, _ in
            d.set("ImageOrientationPatient", decimals: [1, 0, 0, 0, 1, 0])
            d.set("GantryDetectorTilt", decimals: [15])
        }
        Self.expectError(folder, "gantry tilt")
        try Self.edit(folder) { d, k in
            d.set("GantryDetectorTilt", decimals: [0])
            d.set("ImagePositionPatient", decimals: [-30, -20.5 + 0.8 * Double(k), 100 + 3 * Double(k)])
        }
        Self.expectError(folder, "drift in-plane")
    }

    @Test("gaps and duplicate slices are refused, naming the files")
    func spacing() throws {
        let folder = try Self.write(Self.volume())
        defer { try? FileManager.default.removeItem(at: folder) }
        let third = folder.appendingPathComponent("CT_0003.dcm")
        let saved = try Data(contentsOf: third)
        try FileManager.default.removeItem(at: third)
        Self.expectError(folder, "not uniform")
        try saved.write(to: third)
        var copy = try DICOMFile.read(contentsOf: third).dataSet
        copy.set("SOPInstanceUID", "1.2.3.999")
        try DataSetWriter.write(copy, to: folder.appendingPathComponent("CT_0003b.dcm"))
        Self.expectError(folder, "duplicate")
    }

    @Test("two series in one folder: an error listing them, or the one asked for; other files skipped")
    func grouping() throws {
        let folder = try Self.write(Self.volume())
        defer { try? FileManager.default.removeItem(at: folder) }
        let other = try Self.write(Self.volume(nz: 3, series: "1.2.3.6"))
        defer { try? FileManager.default.removeItem(at: other) }
        for name in try FileManager.default.contentsOfDirectory(atPath: other.path) {
            try FileManager.default.copyItem(
                at: other.appendingPathComponent(name), to: folder.appendingPathComponent("B" + name))
        }
        try Data("not dicom".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        Self.expectError(folder, "2 CT series")
        let (v, warnings) = try CTSeriesReader.read(directory: folder, seriesInstanceUID: "1.2.3.6")
        #expect(v.counts.z == 3)
        #expect(warnings.contains { $0.contains("notes.txt") })
    }

    @Test("slices larger than the 64 KiB header prefix stream correctly")
    func largeSlices() throws {
        let v = Self.volume(nx: 300, ny: 256, nz: 2)
        let folder = try Self.write(v)
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = try DICOMFile.read(
            contentsOf: folder.appendingPathComponent("CT_0001.dcm"), stopBeforePixelData: true)
        #expect(header.pixelDataRange?.count == 300 * 256 * 2)
        #expect(header.dataSet[Tag(0x7FE0, 0x0010)] == nil)  // pixel data not loaded with the header
        let (back, _) = try CTSeriesReader.read(directory: folder)
        #expect(back.huValues == v.huValues)
    }

    @Test("writers refuse numbers DICOM cannot encode and a header whose pixel data is too short")
    func badValues() throws {
        let folder = try TestEnvironment.makeScratchDirectory("ct-nan")
        defer { try? FileManager.default.removeItem(at: folder) }
        var v = Self.volume()
        v.huValues[3] = .nan
        #expect(throws: DICOMError.self) { try CTSeriesWriter.write(v, context: Self.context, to: folder) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        try CTSeriesWriter.write(Self.volume(), context: Self.context, to: folder)
        try Self.edit(folder) { d, _ in d.set("Rows", uint16: [60000]) }
        Self.expectError(folder, "Pixel Data holds")
    }

    /// The header-only read starts with a 64 KiB prefix; a prefix that ends exactly where an element ends
    /// (before Pixel Data) must still lead to reading the whole header.
    @Test("a header whose elements end exactly at the 64 KiB prefix boundary")
    func prefixBoundary() throws {
        let folder = try TestEnvironment.makeScratchDirectory("prefix")
        defer { try? FileManager.default.removeItem(at: folder) }
        try CTSeriesWriter.write(Self.volume(), context: Self.context, to: folder)
        let url = folder.appendingPathComponent("CT_0001.dcm")
        var d = try DICOMFile.read(contentsOf: url).dataSet
        let padding = Tag(0x0029, 0x1010)  // a private element (OB) that pushes Pixel Data to byte 65,536
        d[padding] = DataElement(tag: padding, vr: .OB, value: .bytes([]))
        let before = DataSetWriter.fileBytes(d)
        let pixelStart = before.count - (d[Tag(0x7FE0, 0x0010)]!.bytes!.count + 12)
        d[padding] = DataElement(tag: padding, vr: .OB, value: .bytes(Array(repeating: 0, count: 65_536 - pixelStart)))
        try DataSetWriter.write(d, to: url)
        let header = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
        #expect(header.pixelDataRange?.lowerBound == 65_536 + 12)
        #expect(try CTSeriesReader.read(directory: folder).volume.huValues == Self.volume().huValues)
    }
}
