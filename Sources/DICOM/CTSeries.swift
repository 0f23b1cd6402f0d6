import Foundation
import Geometry

/// One CT slice's header, read without its pixel data (the file stays on disk until its slice is loaded).
public struct CTSliceHeader: Sendable {
    /// The file.
    public let url: URL
    /// The parsed header (everything before Pixel Data).
    public let file: DICOMFile
    /// Series Instance UID (0020,000E).
    public let seriesInstanceUID: String
    /// Frame of Reference UID (0020,0052).
    public let frameOfReferenceUID: String
    /// Study Instance UID (0020,000D).
    public let studyInstanceUID: String
    /// Image Position (Patient) (0020,0032): centre of the first pixel, mm.
    public let positionMM: Vec3
    /// Image Orientation (Patient) (0020,0037): row direction then column direction.
    public let rowDirection: Vec3, columnDirection: Vec3
    /// Pixel Spacing (0028,0030): between rows, then between columns, mm (PS3.3 C.7.6.2.1.1).
    public let rowSpacingMM: Double, columnSpacingMM: Double
    /// Rows (0028,0010) and Columns (0028,0011).
    public let rows: Int, columns: Int
    /// Bits Allocated, Bits Stored, Pixel Representation (0028,0100/0101/0103).
    public let bitsAllocated: Int, bitsStored: Int, isSigned: Bool
    /// Rescale Slope and Intercept (0028,1053/1052) to Hounsfield units.
    public let rescaleSlope: Double, rescaleIntercept: Double
    /// Patient Position (0018,5100), nil when absent.
    public let patientPosition: PatientPosition?
    /// Slice Thickness (0018,0050), mm.
    public let sliceThicknessMM: Double?
    /// Gantry/Detector Tilt (0018,1120), degrees.
    public let gantryTiltDegrees: Double
    /// Stored values that mark padding — pixels outside the reconstructed field of view, not patient — from
    /// Pixel Padding Value (0028,0120) up to Pixel Padding Range Limit (0028,0121) (PS3.3 C.7.5.1.1.2), in the
    /// pixels' representation; nil when the file gives none.
    public let paddingValues: ClosedRange<Int64>?

    /// HU given to padding pixels: air. Padding is whatever value the scanner chose (often −2000 or −3024 HU
    /// after rescaling, but any stored value is allowed, even one that rescales to metal).
    public static let paddingHU: Float = -1000

    /// Reads a slice's header.
    /// - Throws: `DICOMError` when the file is not a usable CT image.
    public init(url: URL) throws {
        let file = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
        do {
            try self.init(url: url, file: file)
        } catch let e as DICOMError {
            throw e.inFile(url.path)
        }
    }

    init(url: URL, file: DICOMFile) throws {
        let d = file.dataSet
        let purpose = "reconstructing the CT volume"
        self.url = url
        self.file = file
        seriesInstanceUID = try d.requiredString("SeriesInstanceUID", for: purpose)
        frameOfReferenceUID = try d.requiredString("FrameOfReferenceUID", for: purpose)
        studyInstanceUID = d.string("StudyInstanceUID") ?? ""
        let p = try d.requiredDoubles("ImagePositionPatient", count: 3, for: purpose)
        positionMM = Vec3(p[0], p[1], p[2])
        let o = try d.requiredDoubles("ImageOrientationPatient", count: 6, for: purpose)
        rowDirection = Vec3(o[0], o[1], o[2])
        columnDirection = Vec3(o[3], o[4], o[5])
        let s = try d.requiredDoubles("PixelSpacing", count: 2, for: purpose)
        guard s[0] > 0, s[1] > 0 else { throw DICOMError(.invalidValue, "PixelSpacing \(s) must be positive") }
        rowSpacingMM = s[0]
        columnSpacingMM = s[1]
        rows = try d.requiredInt("Rows", for: purpose)
        columns = try d.requiredInt("Columns", for: purpose)
        bitsAllocated = try d.requiredInt("BitsAllocated", for: purpose)
        bitsStored = try d.int("BitsStored") ?? bitsAllocated
        isSigned = try d.int("PixelRepresentation") == 1
        guard rows > 0, columns > 0 else {
            throw DICOMError(.invalidValue, "the image has \(rows) rows and \(columns) columns")
        }
        guard bitsAllocated == 16 || bitsAllocated == 8 || bitsAllocated == 32, bitsStored >= 1,
            bitsStored <= bitsAllocated
        else {
            throw DICOMError(
                .unsupported,
                "Bits Allocated \(bitsAllocated) / Bits Stored \(bitsStored) is not a CT pixel format Penumbra reads (8, 16 or 32 bits)"
            )
        }
        if let samples = try d.int("SamplesPerPixel"), samples != 1 {
            throw DICOMError(.unsupported, "Samples per Pixel is \(samples); a CT image has 1")
        }
        rescaleSlope = try d.double("RescaleSlope") ?? 1
        rescaleIntercept = try d.double("RescaleIntercept") ?? 0
        if let text = d.string("PatientPosition") {
            guard let position = PatientPosition(rawValue: text) else {
                throw DICOMError(
                    .unsupported,
                    "Patient Position \(text) is not supported (decubitus and other positions are not modelled); "
                        + "Penumbra reads CT scanned HFS, HFP, FFS or FFP")
            }
            patientPosition = position
        } else {
            patientPosition = nil
        }
        sliceThicknessMM = try d.double("SliceThickness")
        gantryTiltDegrees = try d.double("GantryDetectorTilt") ?? 0
        // US or SS (PS3.6): the value is the pixels' own bit pattern, so it is read in their representation.
        let signed = isSigned, narrow = bitsAllocated <= 16
        func stored(_ v: Double) -> Int64 {
            guard narrow else { return Int64(v) }
            let bits = UInt16(truncatingIfNeeded: Int64(v))
            return signed ? Int64(Int16(bitPattern: bits)) : Int64(bits)
        }
        if let value = try d.double("PixelPaddingValue").map(stored) {
            let limit = try d.double("PixelPaddingRangeLimit").map(stored) ?? value
            paddingValues = min(value, limit)...max(value, limit)
        } else {
            paddingValues = nil
        }
        if let error = file.pixelDataError { throw error }
        guard let pixels = file.pixelDataRange else {
            throw DICOMError(.missingAttribute, "the image has no Pixel Data (7FE0,0010)")
        }
        // Checked here, before any volume is allocated from Rows × Columns × slices (compressed data is
        // checked when decoded).
        guard file.encapsulatedPixelDataSyntaxUID != nil || pixels.count >= rows * columns * (bitsAllocated / 8) else {
            throw DICOMError(
                .truncated,
                "Pixel Data holds \(pixels.count) bytes; \(rows)×\(columns) pixels of \(bitsAllocated) bits need \(rows * columns * (bitsAllocated / 8))"
            )
        }
    }

    /// Reads this slice's pixels and converts them to Hounsfield units, row by row (PS3.3 C.7.6.3,
    /// C.11.1.1.2: HU = stored value × slope + intercept); padding pixels become `paddingHU`.
    func readHU() throws -> [Float] {
        let bytes = try file.readPixelData(contentsOf: url)
        let count = rows * columns
        let bytesPerPixel = bitsAllocated / 8
        guard bytes.count >= count * bytesPerPixel else {
            throw DICOMError(
                .truncated,
                "Pixel Data holds \(bytes.count) bytes; \(rows)×\(columns) pixels of \(bitsAllocated) bits need \(count * bytesPerPixel)",
                file: url.path)
        }
        let mask: UInt32 = bitsStored >= 32 ? .max : (1 << UInt32(bitsStored)) - 1
        let signBit: UInt32 = 1 << UInt32(bitsStored - 1)
        let slope = Float(rescaleSlope), intercept = Float(rescaleIntercept)
        var hu = [Float](repeating: 0, count: count)
        let signed = isSigned
        let padding = paddingValues ?? Int64.max...Int64.max  // no stored value reaches Int64.max
        hu.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { b in
                for n in 0..<count {
                    var raw: UInt32 = 0
                    for k in 0..<bytesPerPixel { raw |= UInt32(b[n * bytesPerPixel + k]) << (8 * UInt32(k)) }
                    raw &= mask
                    let value: Int64 = signed && raw & signBit != 0 ? Int64(raw) - Int64(mask) - 1 : Int64(raw)
                    out[n] = padding.contains(value) ? Self.paddingHU : Float(value) * slope + intercept
                }
            }
        }
        return hu
    }
}

/// Reads CT series from a folder into `Volume`s, one slice in memory at a time.
public enum CTSeriesReader {
    /// CT Image Storage (PS3.4 Annex B).
    public static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    /// What a folder holds: CT slices grouped by series, and everything else it skipped.
    public struct Scan: Sendable {
        /// The slice headers of each series, keyed by Series Instance UID.
        public var series: [String: [CTSliceHeader]] = [:]
        /// Files that are DICOM but not CT images (RT objects and others), with their SOP Class UID.
        public var otherObjects: [(url: URL, sopClassUID: String)] = []
        /// Notes about skipped files.
        public var warnings: [String] = []
        /// DICOM files that could not be read (damaged, or CT slices with unusable headers or compressed pixels).
        public var damaged: [(url: URL, error: DICOMError)] = []
        /// Names of the subfolders, which are not read.
        public var subfolders: [String] = []
    }

    /// Reads the header of every file in a folder (not its subfolders) and groups the CT slices by series.
    /// Files that are not DICOM are skipped with a warning; damaged DICOM files are listed in `damaged`.
    public static func scan(directory: URL) throws -> Scan {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
                .sorted()
        } catch {
            throw DICOMError(.io, "cannot list the folder: \(error.localizedDescription)", file: directory.path)
        }
        var scan = Scan()
        for name in names {
            let url = directory.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                scan.subfolders.append(name)
                continue
            }
            let file: DICOMFile
            do {
                file = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
            } catch let e as DICOMError where e.kind == .notDICOM {
                scan.warnings.append("skipped \(name): not a DICOM file")
                continue
            } catch let e as DICOMError {
                scan.damaged.append((url, e))
                continue
            }
            for note in file.notes where !scan.warnings.contains(where: { $0.hasSuffix(note) }) {
                scan.warnings.append("\(name) (and possibly others): \(note)")
            }
            let sopClass = file.dataSet.string("SOPClassUID") ?? ""
            guard sopClass == ctImageStorage else {
                scan.otherObjects.append((url, sopClass))
                continue
            }
            do {
                let header = try CTSliceHeader(url: url, file: file)
                scan.series[header.seriesInstanceUID, default: []].append(header)
            } catch let e as DICOMError {
                scan.damaged.append((url, e.inFile(url.path)))
            }
        }
        return scan
    }

    /// Reads the one CT series in a folder (or the one named) into a volume.
    /// - Returns: the volume and warnings for the log (e.g. an assumed patient position).
    /// - Throws: the first damaged file's error (a damaged file might be a missing slice), or a
    ///   `DICOMError` when the series is not a regular axial volume.
    public static func read(directory: URL, seriesInstanceUID: String? = nil) throws -> (
        volume: Volume, warnings: [String]
    ) {
        let scan = try scan(directory: directory)
        if let first = scan.damaged.first {
            var e = first.error
            if scan.damaged.count > 1 {
                e = DICOMError(
                    e.kind, e.message + " (and \(scan.damaged.count - 1) more unreadable files)", file: e.file,
                    offset: e.offset, elementPath: e.elementPath)
            }
            throw e
        }
        let chosen: [CTSliceHeader]
        if let seriesInstanceUID {
            guard let s = scan.series[seriesInstanceUID] else {
                throw DICOMError(
                    .missingAttribute, "no CT series \(seriesInstanceUID) in the folder; it holds \(describe(scan))",
                    file: directory.path)
            }
            chosen = s
        } else {
            guard scan.series.count == 1, let only = scan.series.values.first else {
                throw DICOMError(
                    scan.series.isEmpty ? .missingAttribute : .unsupported,
                    scan.series.isEmpty
                        ? "the folder holds no CT images (CT Image Storage, one file per slice)"
                            + (scan.otherObjects.isEmpty
                                ? "" : "; it holds \(SOPClassNames.summary(scan.otherObjects.map(\.sopClassUID)))")
                            + (scan.subfolders.isEmpty
                                ? "" : "; subfolders (\(scan.subfolders.joined(separator: ", "))) are not searched")
                            + ". Export the planning CT as CT Image Storage into this folder"
                        : "the folder holds \(scan.series.count) CT series (\(describe(scan))); name one",
                    file: directory.path)
            }
            chosen = only
        }
        var (volume, warnings) = try assemble(chosen)
        warnings = scan.warnings + warnings
        return (volume, warnings)
    }

    private static func describe(_ scan: Scan) -> String {
        scan.series.map { "\($0.key): \($0.value.count) slices" }.sorted().joined(separator: "; ")
    }

    /// Checks that slices form one regular axial volume and reads their pixels slice by slice.
    /// The same slice exported twice (one SOP Instance UID in two files, e.g. `CT.12.dcm` and `CT.12 (1).dcm`) is
    /// read once, with a warning; different slices at one position are refused.
    public static func assemble(_ all: [CTSliceHeader]) throws -> (volume: Volume, warnings: [String]) {
        var warnings: [String] = []
        var seen: Set<String> = [], repeated: [String] = []
        let slices = all.filter { slice in
            guard let uid = slice.file.dataSet.string("SOPInstanceUID") else { return true }
            if seen.insert(uid).inserted { return true }
            repeated.append(slice.url.lastPathComponent)
            return false
        }
        if !repeated.isEmpty {
            warnings.append(
                "\(repeated.count) file\(repeated.count == 1 ? "" : "s") (\(repeated.prefix(3).joined(separator: ", "))"
                    + "\(repeated.count > 3 ? ", …" : "")) repeat\(repeated.count == 1 ? "s a slice" : " slices") already read "
                    + "(same SOP Instance UID); ignored")
        }
        guard let first = slices.first else {
            throw DICOMError(.missingAttribute, "a CT series needs at least one slice")
        }
        let forUIDs = Set(slices.map(\.frameOfReferenceUID))
        guard forUIDs.count == 1 else {
            throw DICOMError(
                .unsupported,
                "series \(first.seriesInstanceUID) mixes \(forUIDs.count) frames of reference; export it again as one series"
            )
        }
        // Orientation: rows and columns along the patient x and y axes (axial), PS3.3 C.7.6.2.1.1.
        let tolerance = 1e-3  // direction cosines: about 0.06°, far below any deliberate obliquity
        guard let rowAxis = axis(first.rowDirection, tolerance),
            let columnAxis = axis(first.columnDirection, tolerance),
            rowAxis.index != 2, columnAxis.index != 2, rowAxis.index != columnAxis.index
        else {
            throw DICOMError(
                .unsupported,
                "the series is not axial: Image Orientation (Patient) is \(first.rowDirection), \(first.columnDirection); Penumbra reads axial CT only (rows and columns along the patient x and y axes). Resample the series to axial first",
                file: first.url.path)
        }
        if abs(first.gantryTiltDegrees) > 0.01 {
            throw DICOMError(
                .unsupported,
                "the series was acquired with gantry tilt \(first.gantryTiltDegrees)°; resample it to an untilted axial grid first",
                file: first.url.path)
        }
        for s in slices {
            guard s.rows == first.rows, s.columns == first.columns, abs(s.rowSpacingMM - first.rowSpacingMM) < 1e-4,
                abs(s.columnSpacingMM - first.columnSpacingMM) < 1e-4,
                (s.rowDirection - first.rowDirection).length < tolerance,
                (s.columnDirection - first.columnDirection).length < tolerance
            else {
                throw DICOMError(
                    .unsupported,
                    "slices differ in size, spacing or orientation from \(first.url.lastPathComponent); a volume needs identical slices",
                    file: s.url.path)
            }
        }
        let sorted = slices.sorted { $0.positionMM.z < $1.positionMM.z }
        // Gantry tilt without the tag shows as in-plane drift of Image Position (Patient) along the stack.
        let inPlaneToleranceMM = 0.05
        for s in sorted
        where abs(s.positionMM.x - first.positionMM.x) > inPlaneToleranceMM
            || abs(s.positionMM.y - first.positionMM.y) > inPlaneToleranceMM
        {
            throw DICOMError(
                .unsupported,
                "slice positions drift in-plane (\(first.positionMM) vs \(s.positionMM)): a tilted or sheared series; resample it to an untilted axial grid first",
                file: s.url.path)
        }
        let spacingZ: Double
        if sorted.count == 1 {
            guard let thickness = first.sliceThicknessMM, thickness > 0 else {
                throw DICOMError(
                    .missingAttribute,
                    "a single-slice series needs Slice Thickness (0018,0050) to give the slice a depth",
                    file: first.url.path)
            }
            spacingZ = thickness
        } else {
            let steps = zip(sorted.dropFirst(), sorted).map { $0.positionMM.z - $1.positionMM.z }
            spacingZ = steps.sorted()[steps.count / 2]
            // Tolerance: 1 % of the spacing or 0.01 mm: positions are written with limited decimals.
            let toleranceMM = max(0.01, 0.01 * spacingZ)
            for (n, step) in steps.enumerated() where abs(step - spacingZ) > toleranceMM {
                let a = sorted[n], b = sorted[n + 1]
                if step < toleranceMM {
                    throw DICOMError(
                        .unsupported,
                        "two slices at z = \(a.positionMM.z) mm (\(a.url.lastPathComponent) and \(b.url.lastPathComponent)): duplicate slices; remove one",
                        file: b.url.path)
                }
                throw DICOMError(
                    .unsupported,
                    "slice spacing is not uniform: \(step) mm between z = \(a.positionMM.z) and \(b.positionMM.z) mm where the series mostly has \(spacingZ) mm (a gap or missing slice); re-export the complete series",
                    file: b.url.path)
            }
        }
        let position: PatientPosition
        if let p = first.patientPosition {
            position = p
            if let other = slices.first(where: { $0.patientPosition != p }) {
                throw DICOMError(
                    .unsupported,
                    "slices disagree on Patient Position (\(p.rawValue) vs \(other.patientPosition?.rawValue ?? "none"))",
                    file: other.url.path)
            }
        } else {
            position = .headFirstSupine
            warnings.append(
                "Patient Position (0018,5100) is missing (\(first.url.lastPathComponent) and the rest of its series); assuming HFS"
            )
        }

        // Output axes: x from whichever image axis runs along patient x, and so on; flip negative axes.
        let nx = rowAxis.index == 0 ? first.columns : first.rows
        let ny = rowAxis.index == 1 ? first.columns : first.rows
        let nz = sorted.count
        let sx = rowAxis.index == 0 ? first.columnSpacingMM : first.rowSpacingMM
        let sy = rowAxis.index == 1 ? first.columnSpacingMM : first.rowSpacingMM
        // The first pixel is at positionMM; find the centre of the voxel with the smallest x and y.
        let lastColumn = first.positionMM + first.rowDirection * (Double(first.columns - 1) * first.columnSpacingMM)
        let lastRow = first.positionMM + first.columnDirection * (Double(first.rows - 1) * first.rowSpacingMM)
        let corner = lastColumn + lastRow - first.positionMM
        let origin = Vec3(
            min(first.positionMM.x, corner.x), min(first.positionMM.y, corner.y), sorted[0].positionMM.z)
        // Where image pixel (row, column) lands in the output plane: one offset per column plus one per row.
        func offsets(count: Int, axis: (index: Int, sign: Int)) -> [Int] {
            (0..<count).map { n in (axis.sign > 0 ? n : count - 1 - n) * (axis.index == 0 ? 1 : nx) }
        }
        let columnOffset = offsets(count: first.columns, axis: rowAxis)
        let rowOffset = offsets(count: first.rows, axis: columnAxis)
        var hu = [Float](repeating: 0, count: nx * ny * nz)
        for (k, slice) in sorted.enumerated() {
            let image = try slice.readHU()
            let base = k * nx * ny
            hu.withUnsafeMutableBufferPointer { out in
                image.withUnsafeBufferPointer { pixels in
                    for row in 0..<first.rows {
                        let rowBase = base + rowOffset[row], imageRow = row * first.columns
                        for column in 0..<first.columns {
                            out[rowBase + columnOffset[column]] = pixels[imageRow + column]
                        }
                    }
                }
            }
        }
        let volume = Volume(
            counts: (nx, ny, nz), originMM: origin, spacingMM: Vec3(sx, sy, spacingZ), huValues: hu,
            patientPosition: position,
            seriesInstanceUID: first.seriesInstanceUID, frameOfReferenceUID: first.frameOfReferenceUID,
            studyInstanceUID: first.studyInstanceUID)
        return (volume, warnings)
    }

    /// The patient axis (0 x, 1 y, 2 z) and sign a direction cosine vector lies along, or nil if oblique.
    private static func axis(_ v: Vec3, _ tolerance: Double) -> (index: Int, sign: Int)? {
        let c = [v.x, v.y, v.z]
        for i in 0..<3
        where abs(abs(c[i]) - 1) < tolerance
            && c.enumerated().allSatisfy({ $0.offset == i || abs($0.element) < tolerance })
        {
            return (i, c[i] > 0 ? 1 : -1)
        }
        return nil
    }
}
