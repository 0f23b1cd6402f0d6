import Foundation
import Geometry

/// A dose grid read from an RT Dose object (PS3.3 C.8.8.3), axis-aligned in patient coordinates.
///
/// Voxel `(i, j, k)` (x fastest) has its centre at `originMM + (i, j, k) · spacingMM`, indices growing
/// along +x, +y and +z (frames are sorted by z on reading, whatever the order of Grid Frame Offset Vector).
public struct DoseVolume: Sendable {
    /// Number of voxels along x (columns), y (rows) and z (frames).
    public let counts: (x: Int, y: Int, z: Int)
    /// The centre of voxel (0, 0, 0), patient coordinates, mm.
    public let originMM: Vec3
    /// Voxel spacing, mm.
    public let spacingMM: Vec3
    /// Dose per voxel in `units`, x fastest.
    public var values: [Float]
    /// Dose Units (3004,0002): GY (absolute) or RELATIVE (no scale; PS3.3 C.8.8.3).
    public let units: DoseUnits
    /// Frame of Reference UID.
    public let frameOfReferenceUID: String
    /// Dose Type (3004,0004): PHYSICAL, EFFECTIVE or ERROR.
    public let doseType: String
    /// Dose Summation Type (3004,000A): PLAN, BEAM, FRACTION, …
    public let summationType: String
    /// The referenced RT Plan's SOP Instance UID, when given.
    public let referencedPlanUID: String?

    /// Dose Units (3004,0002).
    public enum DoseUnits: String, Sendable {
        /// Gray.
        case GY
        /// Relative to an unstated reference.
        case RELATIVE
    }

    /// The dose in Gy, or nil when the grid holds relative dose.
    public var doseGy: [Float]? { units == .GY ? values : nil }

    /// Creates a dose volume; `values.count` must match the counts.
    public init(
        counts: (x: Int, y: Int, z: Int), originMM: Vec3, spacingMM: Vec3, values: [Float], units: DoseUnits = .GY,
        frameOfReferenceUID: String, doseType: String = "PHYSICAL", summationType: String = "PLAN",
        referencedPlanUID: String? = nil
    ) {
        precondition(values.count == counts.x * counts.y * counts.z, "dose array does not fit the counts")
        self.counts = counts
        self.originMM = originMM
        self.spacingMM = spacingMM
        self.values = values
        self.units = units
        self.frameOfReferenceUID = frameOfReferenceUID
        self.doseType = doseType
        self.summationType = summationType
        self.referencedPlanUID = referencedPlanUID
    }

    /// The same grid in cm with its origin at the outer corner of voxel (0, 0, 0).
    public var voxelGrid: VoxelGrid {
        VoxelGrid(counts: counts, firstVoxelCentreMM: originMM, spacingMM: spacingMM)
    }

    /// The largest value, in `units`.
    public var maximum: Float { values.max() ?? 0 }

    /// RT Dose Storage (PS3.4 Annex B).
    public static let sopClassUID = "1.2.840.10008.5.1.4.1.1.481.2"
}

// MARK: - Reading

extension DoseVolume {
    /// Reads an RT Dose file with grid-based dose.
    public init(contentsOf url: URL) throws {
        let file = try DICOMFile.read(contentsOf: url)
        do { try self.init(file.dataSet) } catch let e as DICOMError { throw e.inFile(url.path) }
    }

    /// Builds a dose volume from a parsed RT Dose data set.
    public init(_ d: DataSet) throws {
        let purpose = "reading the dose grid"
        guard d.string("SOPClassUID") == Self.sopClassUID || d.string("Modality") == "RTDOSE" else {
            throw DICOMError(.unsupported, "not an RT Dose (SOP Class \(d.string("SOPClassUID") ?? "missing"))")
        }
        let unitsText = d.string("DoseUnits") ?? ""
        guard let units = DoseUnits(rawValue: unitsText) else {
            throw DICOMError(.invalidValue, "Dose Units is '\(unitsText)'; PS3.3 C.8.8.3 allows GY or RELATIVE")
        }
        let rows = try d.requiredInt("Rows", for: purpose), columns = try d.requiredInt("Columns", for: purpose)
        let frames = try d.int("NumberOfFrames") ?? 1
        let bits = try d.requiredInt("BitsAllocated", for: purpose)
        let signed = try d.int("PixelRepresentation") == 1
        guard rows > 0, columns > 0, frames > 0, frames <= 100_000, bits == 16 || bits == 32 else {
            throw DICOMError(
                .unsupported,
                "dose grid \(columns)×\(rows)×\(frames) with \(bits)-bit pixels is not readable (16 or 32 bits)")
        }
        let p = try d.requiredDoubles("ImagePositionPatient", count: 3, for: purpose)
        let o = try d.requiredDoubles("ImageOrientationPatient", count: 6, for: purpose)
        let s = try d.requiredDoubles("PixelSpacing", count: 2, for: purpose)
        guard o.map({ ($0 * 1e4).rounded() / 1e4 }) == [1, 0, 0, 0, 1, 0] else {
            throw DICOMError(
                .unsupported,
                "dose grid orientation \(o) is not the standard axial [1,0,0,0,1,0]; Penumbra reads axial dose grids only"
            )
        }
        // PS3.3 C.8.8.3.2: offsets are relative to Image Position (first value 0) or, for axial grids,
        // absolute z (first value equal to Image Position z).
        var offsets = try d.doubles("GridFrameOffsetVector") ?? [0]
        guard offsets.count == frames else {
            throw DICOMError(.invalidValue, "Grid Frame Offset Vector has \(offsets.count) values for \(frames) frames")
        }
        if offsets[0] != 0 {
            guard abs(offsets[0] - p[2]) < 1e-3 else {
                throw DICOMError(
                    .invalidValue,
                    "Grid Frame Offset Vector starts at \(offsets[0]), neither 0 (relative) nor Image Position z \(p[2]) (absolute); PS3.3 C.8.8.3.2 allows only these"
                )
            }
            offsets = offsets.map { $0 - p[2] }
        }
        let order = offsets.indices.sorted { offsets[$0] < offsets[$1] }
        let z = order.map { p[2] + offsets[$0] }
        var spacingZ = try d.double("SliceThickness") ?? 0
        if frames > 1 {
            let steps = zip(z.dropFirst(), z).map { $0 - $1 }
            spacingZ = steps.sorted()[steps.count / 2]
            let tolerance = max(0.01, 0.01 * spacingZ)  // as for CT slices: positions carry few decimals
            guard spacingZ > tolerance, steps.allSatisfy({ abs($0 - spacingZ) <= tolerance }) else {
                throw DICOMError(
                    .unsupported,
                    "dose frames are not equally spaced (Grid Frame Offset Vector steps \(Set(steps).sorted().prefix(4))); Penumbra needs a regular grid"
                )
            }
        }
        guard spacingZ > 0 else {
            throw DICOMError(.missingAttribute, "a single-frame dose needs Slice Thickness (0018,0050) for its depth")
        }
        let scaling = try d.double("DoseGridScaling") ?? 1
        guard let pixels = d.bytes(Tag(0x7FE0, 0x0010)) else {
            throw DICOMError(.missingAttribute, "the dose has no Pixel Data")
        }
        let bytesPerPixel = bits / 8, perFrame = rows * columns
        guard pixels.count >= perFrame * frames * bytesPerPixel else {
            throw DICOMError(
                .truncated,
                "Pixel Data holds \(pixels.count) bytes; \(columns)×\(rows)×\(frames) \(bits)-bit values need \(perFrame * frames * bytesPerPixel)"
            )
        }
        var dose = [Float](repeating: 0, count: perFrame * frames)
        for (k, frame) in order.enumerated() {
            for n in 0..<perFrame {
                let at = (frame * perFrame + n) * bytesPerPixel
                var raw: UInt32 = 0
                for b in 0..<bytesPerPixel { raw |= UInt32(pixels[at + b]) << (8 * UInt32(b)) }
                let value: Double =
                    signed
                    ? (bits == 16 ? Double(Int16(truncatingIfNeeded: raw)) : Double(Int32(bitPattern: raw)))
                    : Double(raw)
                dose[k * perFrame + n] = Float(value * scaling)
            }
        }
        let plan = try d.sequence("ReferencedRTPlanSequence")?.first?.string("ReferencedSOPInstanceUID")
        self.init(
            counts: (columns, rows, frames), originMM: Vec3(p[0], p[1], z[0]), spacingMM: Vec3(s[1], s[0], spacingZ),
            values: dose, units: units,
            frameOfReferenceUID: d.string("FrameOfReferenceUID") ?? "", doseType: d.string("DoseType") ?? "PHYSICAL",
            summationType: d.string("DoseSummationType") ?? "PLAN", referencedPlanUID: plan)
    }
}
