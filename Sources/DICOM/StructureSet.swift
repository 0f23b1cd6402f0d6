import Foundation
import Geometry

/// A region of interest from an RT Structure Set (PS3.3 C.8.8.5 Structure Set, C.8.8.6 ROI Contour,
/// C.8.8.8 RT ROI Observations), in patient coordinates (mm).
public struct ROI: Sendable {
    /// ROI Number (3006,0022).
    public let number: Int
    /// ROI Name (3006,0026).
    public let name: String
    /// RT ROI Interpreted Type (3006,00A4), e.g. EXTERNAL, PTV, GTV, ORGAN; nil when absent.
    public let interpretedType: String?
    /// ROI Display Color (3006,002A) as RGB 0–255; nil when absent.
    public let colour: (red: Int, green: Int, blue: Int)?
    /// The contours; empty for an ROI without contour data (PS3.3 allows it).
    public let contours: [Contour]
    /// The ROI's Referenced Frame of Reference UID (3006,0024), when given.
    public let frameOfReferenceUID: String?
    /// Physical properties the planning system assigns to the ROI (ROI Physical Properties Sequence,
    /// 3006,00B0), e.g. `REL_ELEC_DENSITY 1.0` for a density override, as written.
    public let physicalProperties: [(property: String, value: Double?)]

    /// One contour: a geometric type and its points.
    public struct Contour: Sendable {
        /// Contour Geometric Type (3006,0042): POINT, OPEN_PLANAR, OPEN_NONPLANAR or CLOSED_PLANAR.
        public let geometricType: String
        /// Contour Data (3006,0050): (x, y, z) triplets, mm.
        public let pointsMM: [Vec3]
    }

    /// The closed planar contours grouped by plane (z in mm, rounded to 1 µm), each a polygon of (x, y)
    /// in mm; other contour types are left out.
    public var closedPlanarContoursByZ: [(zMM: Double, polygons: [[(x: Double, y: Double)]])] {
        var planes: [Double: [[(x: Double, y: Double)]]] = [:]
        for c in contours where c.geometricType == "CLOSED_PLANAR" && c.pointsMM.count >= 3 {
            let z = (c.pointsMM.map(\.z).reduce(0, +) / Double(c.pointsMM.count) * 1000).rounded() / 1000
            planes[z, default: []].append(c.pointsMM.map { (x: $0.x, y: $0.y) })
        }
        return planes.keys.sorted().map { (zMM: $0, polygons: planes[$0]!) }
    }
}

/// An RT Structure Set: its frame of reference and ROIs.
public struct StructureSet: Sendable {
    /// The SOP Instance UID.
    public let sopInstanceUID: String
    /// Structure Set Label (3006,0002).
    public let label: String
    /// The frame of reference most of the ROIs name (the first ROI's in a tie), else the Referenced Frame of
    /// Reference Sequence's first: the CT's.
    public let frameOfReferenceUID: String?
    /// ROIs in Structure Set ROI Sequence order, those in another frame of reference than the set's left out.
    public let rois: [ROI]
    /// ROIs left out, one line each for the log (density overrides are applied, or noted, by `PatientImport`).
    public internal(set) var notes: [String]

    /// RT Structure Set Storage (PS3.4 Annex B).
    public static let sopClassUID = "1.2.840.10008.5.1.4.1.1.481.3"

    /// Reads an RT Structure Set from a file.
    public init(contentsOf url: URL) throws {
        let file = try DICOMFile.read(contentsOf: url)
        do { try self.init(file.dataSet) } catch let e as DICOMError { throw e.inFile(url.path) }
        notes = file.notes.map { "\(url.lastPathComponent): \($0)" } + notes
    }

    /// Builds a structure set from a parsed data set.
    /// - Throws: `DICOMError` for a data set that is not an RT Structure Set or has malformed ROIs.
    public init(_ d: DataSet) throws {
        let sopClass = d.string("SOPClassUID")
        guard sopClass == Self.sopClassUID || d.string("Modality") == "RTSTRUCT" else {
            throw DICOMError(.unsupported, "not an RT Structure Set (SOP Class \(sopClass ?? "missing"))")
        }
        sopInstanceUID = d.string("SOPInstanceUID") ?? ""
        label = d.string("StructureSetLabel") ?? ""
        let purpose = "reading the structure set"
        var contoursByROI: [Int: [ROI.Contour]] = [:]
        var colours: [Int: (Int, Int, Int)] = [:]
        for (n, item) in (try d.sequence("ROIContourSequence") ?? []).enumerated() {
            let context = "ROIContourSequence item \(n)"
            guard let roi = try item.int("ReferencedROINumber") else {
                throw DICOMError(.missingAttribute, "\(context) has no Referenced ROI Number (3006,0084)")
            }
            if let c = try item.doubles("ROIDisplayColor"), c.count == 3 {
                colours[roi] = (Int(c[0]), Int(c[1]), Int(c[2]))
            }
            var contours: [ROI.Contour] = []
            for (m, contour) in (try item.sequence("ContourSequence") ?? []).enumerated() {
                let type = contour.string("ContourGeometricType") ?? "CLOSED_PLANAR"
                let data = try contour.doubles("ContourData") ?? []
                guard data.count % 3 == 0 else {
                    throw DICOMError(
                        .invalidValue,
                        "\(context), contour \(m): Contour Data has \(data.count) numbers, not (x, y, z) triplets")
                }
                if let declared = try contour.int("NumberOfContourPoints"), declared != data.count / 3 {
                    throw DICOMError(
                        .invalidValue,
                        "\(context), contour \(m): Number of Contour Points says \(declared) but Contour Data holds \(data.count / 3)"
                    )
                }
                let points = stride(from: 0, to: data.count, by: 3).map { Vec3(data[$0], data[$0 + 1], data[$0 + 2]) }
                contours.append(ROI.Contour(geometricType: type, pointsMM: points))
            }
            contoursByROI[roi, default: []] += contours
        }
        var types: [Int: String] = [:]
        var properties: [Int: [(property: String, value: Double?)]] = [:]
        for item in try d.sequence("RTROIObservationsSequence") ?? [] {
            guard let roi = try item.int("ReferencedROINumber") else { continue }
            if let type = item.string("RTROIInterpretedType") { types[roi] = type }
            for p in try item.sequence("ROIPhysicalPropertiesSequence") ?? [] {
                if let property = p.string("ROIPhysicalProperty") {
                    properties[roi, default: []].append((property, try p.double("ROIPhysicalPropertyValue")))
                }
            }
        }
        var all: [ROI] = []
        for (n, item) in (try d.sequence("StructureSetROISequence") ?? []).enumerated() {
            let number = try item.requiredInt("ROINumber", for: "\(purpose) (StructureSetROISequence item \(n))")
            let name = item.string("ROIName") ?? "ROI \(number)"
            let colour = colours[number].map { (red: $0.0, green: $0.1, blue: $0.2) }
            all.append(
                ROI(
                    number: number, name: name, interpretedType: types[number], colour: colour,
                    contours: contoursByROI[number] ?? [], frameOfReferenceUID: item.string("ReferencedFrameOfReferenceUID"),
                    physicalProperties: properties[number] ?? []))
        }
        let frames = all.compactMap(\.frameOfReferenceUID)
        let counts = Dictionary(frames.map { ($0, 1) }, uniquingKeysWith: +)
        let frame = frames.first { counts[$0] == counts.values.max() }
        let referenced = try d.sequence("ReferencedFrameOfReferenceSequence")?.first?.string("FrameOfReferenceUID")
        frameOfReferenceUID = frame ?? referenced
        // An ROI drawn on another image (e.g. a registered MR) has coordinates in that image's frame: placed on
        // the CT as they are, its contours would be in the wrong place.
        var notes: [String] = []
        rois = all.filter { roi in
            guard let own = roi.frameOfReferenceUID, let frame, own != frame else { return true }
            notes.append("ROI \(roi.number) '\(roi.name)' is in frame of reference \(own), not the structure set's \(frame); left out")
            return false
        }
        self.notes = notes
    }

    /// The ROI with a name (exact match first, then case-insensitive), or nil.
    public func roi(named name: String) -> ROI? {
        rois.first { $0.name == name } ?? rois.first { $0.name.lowercased() == name.lowercased() }
    }
}
