import DICOM
import Geometry
import Phantom

/// CT series (and optionally its structure set) → the voxel phantom transport runs in.
///
/// This is where DICOM meets the engine: the CT `Volume` (HU, mm) becomes a `VoxelPhantom` (medium and
/// density per voxel, cm) through a `HUCalibration`; with a structure set, voxels outside the EXTERNAL
/// ROI become air first, which removes the couch and immobilisation devices from the dose calculation.
public enum PatientImport {
    /// What an import produced.
    public struct Result: Sendable {
        /// The phantom, on the CT grid.
        public let phantom: VoxelPhantom
        /// Voxels set to air because they lie outside the EXTERNAL ROI (0 without one).
        public let voxelsOutsideExternal: Int
        /// The EXTERNAL ROI used, if any.
        public let externalName: String?
        /// Voxels (inside the patient) above the calibration's last density knot, whose density is held at that
        /// knot's: metal implants or their streak artefacts, which the CT number cannot resolve.
        public let voxelsAboveCalibration: Int
        /// The last density knot (HU, g/cm³).
        public let calibrationEnd: (hu: Double, densityGPerCM3: Double)
        /// Choices the import made that the log should show (e.g. which of several EXTERNAL ROIs bounds the patient).
        public let notes: [String]

        /// A log line about the voxels above the calibration, or nil when there are none.
        public var aboveCalibrationWarning: String? {
            guard voxelsAboveCalibration > 0 else { return nil }
            let volumeCM3 = Double(voxelsAboveCalibration) * phantom.grid.voxelVolumeCM3
            return "\(voxelsAboveCalibration) voxels (\(String(format: "%.2f", volumeCM3)) cm³) lie above "
                + "\(Int(calibrationEnd.hu)) HU, the calibration's last point: their density is held at "
                + "\(calibrationEnd.densityGPerCM3) g/cm³. Metal or streak artefacts? Check the CT; the dose near them is uncertain"
        }
    }

    /// HU given to voxels outside the EXTERNAL ROI (air).
    public static let outsideHU: Float = -1000

    /// Builds the phantom.
    /// - Parameters:
    ///   - volume: the CT volume.
    ///   - calibration: HU → medium and density.
    ///   - structures: a structure set in the CT's frame of reference whose EXTERNAL ROI bounds the patient.
    ///   - supersampling: samples per voxel edge for the EXTERNAL ROI's occupancy (voxels less than half
    ///     inside become air).
    ///   - requireExternal: false to compute the CT as scanned, with a note, when the structure set has no
    ///     EXTERNAL ROI (Pinnacle and others may leave RT ROI Interpreted Type empty; `penumbra run` still wants
    ///     the structures' DVHs); true to refuse it.
    /// - Throws: `PatientImportError` when the structure set does not fit the CT; `CalibrationError` or
    ///   `VoxelPhantomError` from the conversion.
    public static func phantom(
        from volume: Volume, calibration: HUCalibration, structures: StructureSet? = nil, supersampling: Int = 2,
        requireExternal: Bool = true
    ) throws -> Result {
        var hu = volume.huValues
        let grid = volume.voxelGrid
        var outside = 0
        var externalName: String?
        var notes: [String] = []
        var bounding = structures
        if let set = structures, !requireExternal, !set.rois.contains(where: { $0.interpretedType == "EXTERNAL" }) {
            notes.append(
                "the structure set has no EXTERNAL ROI (RT ROI Interpreted Type), so nothing outside the patient is "
                    + "removed: the CT is computed as scanned, couch included")
            bounding = nil
        }
        if let structures = bounding {
            if let frame = structures.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
                throw PatientImportError.frameOfReferenceMismatch
            }
            let externals = structures.rois.filter { $0.interpretedType == "EXTERNAL" }
            guard let external = externals.first else {
                throw PatientImportError.noExternalROI(structures.rois.map(\.name))
            }
            if externals.count > 1 {
                notes.append(
                    "the structure set has \(externals.count) EXTERNAL ROIs (\(externals.map(\.name).joined(separator: ", "))); "
                        + "\(external.name), the first, bounds the patient")
            }
            guard !external.planarStructureCM.isEmpty else { throw PatientImportError.emptyExternalROI(external.name) }
            let occupancy = StructureRasterizer.occupancy(
                of: external.planarStructureCM, on: grid, supersampling: supersampling)
            for n in hu.indices where occupancy[n] < 0.5 {
                hu[n] = outsideHU
                outside += 1
            }
            externalName = external.name
        }
        let phantom = try calibration.phantom(grid: grid, hu: hu)
        let end = calibration.densityKnots.last!  // HUCalibration refuses a table without knots
        let above = hu.reduce(0) { $0 + (Double($1) > end.hu ? 1 : 0) }
        return Result(
            phantom: phantom, voxelsOutsideExternal: outside, externalName: externalName, voxelsAboveCalibration: above,
            calibrationEnd: (end.hu, end.densityGPerCM3), notes: notes)
    }
}

/// Why a structure set cannot bound a CT.
public enum PatientImportError: Error, CustomStringConvertible, Equatable {
    /// The structure set belongs to another frame of reference.
    case frameOfReferenceMismatch
    /// No ROI has RT ROI Interpreted Type EXTERNAL.
    case noExternalROI([String])
    /// The EXTERNAL ROI has no closed contour.
    case emptyExternalROI(String)

    /// What is wrong and what to do.
    public var description: String {
        switch self {
        case .frameOfReferenceMismatch:
            "the structure set's frame of reference differs from the CT's: they do not belong together"
        case .noExternalROI(let names):
            "the structure set has no EXTERNAL ROI to bound the patient (ROIs: \(names.joined(separator: ", "))); "
                + "omit the structure set or mark the body outline as EXTERNAL"
        case .emptyExternalROI(let name):
            "the EXTERNAL ROI \(name) has no closed contours; omit the structure set or fix the ROI"
        }
    }
}
