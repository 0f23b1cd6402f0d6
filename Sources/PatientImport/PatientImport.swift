import DICOM
import Foundation
import Geometry
import Phantom

/// CT series (and optionally its structure set) → the voxel phantom transport runs in.
///
/// This is where DICOM meets the engine: the CT `Volume` (HU, mm) becomes a `VoxelPhantom` (medium and
/// density per voxel, cm) through a `HUCalibration`; with a structure set, voxels outside the EXTERNAL
/// ROI become air first — except those inside a SUPPORT, BOLUS or FIXATION ROI, which the planning system
/// computes too — and the structure set's density overrides (ROI Physical Properties) are applied.
public enum PatientImport {
    /// RT ROI Interpreted Types (PS3.3 C.8.8.8 Defined Terms) of devices outside the patient that the dose
    /// calculation includes: BOLUS "patient bolus to be used for external beam therapy", SUPPORT "external
    /// patient support device", FIXATION "external patient fixation or immobilization device". The other terms
    /// are targets, organs and markers inside the patient, or brachytherapy devices.
    public static let deviceTypes: Set<String> = ["SUPPORT", "BOLUS", "FIXATION"]

    /// A density override the import applied.
    public struct AppliedOverride: Sendable, Codable, Equatable {
        /// ROI Number and Name.
        public let roiNumber: Int
        public let roi: String
        /// The property and its value as written.
        public let property: String
        public let value: Double
        /// The medium and mass density (g/cm³) the voxels got.
        public let medium: String
        public let densityGPerCM3: Double
        /// Voxels of the CT grid that got it (after ROIs of higher precedence took theirs).
        public let voxels: Int

        /// One line for the log.
        public var logLine: String {
            "density override of ROI \(roiNumber) '\(roi)' applied: \(property) \(value) → \(medium) at "
                + "\(String(format: "%.4f", densityGPerCM3)) g/cm³ in \(voxels) voxels"
        }
    }

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
        /// Density overrides applied, in the order applied (the last wins where ROIs overlap).
        public let overrides: [AppliedOverride]
        /// Voxels outside the EXTERNAL ROI kept because a SUPPORT, BOLUS or FIXATION ROI holds them.
        public let deviceVoxelsOutsideExternal: Int
        /// ROI Numbers of the SUPPORT, BOLUS and FIXATION ROIs the phantom holds (at least one voxel half inside
        /// them, inside the EXTERNAL ROI or kept outside it); empty for the CT alone or without an EXTERNAL ROI.
        public let devicesInPhantom: Set<Int>
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
    ///   - overrides: Z/A of the calibration's media to apply the structure set's density overrides and keep its
    ///     devices (SUPPORT, BOLUS, FIXATION) outside the EXTERNAL ROI; nil for the CT alone
    ///     (`--ignore-density-overrides`): no override applied and everything outside the EXTERNAL ROI air.
    ///   - requireExternal: false to compute the CT as scanned, with a note, when the structure set has no
    ///     EXTERNAL ROI (Pinnacle and others may leave RT ROI Interpreted Type empty; `penumbra run` still wants
    ///     the structures' DVHs); true to refuse it.
    /// - Throws: `PatientImportError` when the structure set does not fit the CT; `CalibrationError` or
    ///   `VoxelPhantomError` from the conversion.
    public static func phantom(
        from volume: Volume, calibration: HUCalibration, structures: StructureSet? = nil, supersampling: Int = 2,
        requireExternal: Bool = true, overrides electrons: MediumElectrons? = nil
    ) throws -> Result {
        var hu = volume.huValues
        let grid = volume.voxelGrid
        var outside = 0
        var externalName: String?
        var notes: [String] = []
        var bounding = structures
        var insideExternal: [Bool]?
        var keptDevice = [Bool](repeating: false, count: hu.count)
        var devicesInPhantom: Set<Int> = []
        if let set = structures, !requireExternal, !set.rois.contains(where: { $0.interpretedType == "EXTERNAL" }) {
            notes.append(
                "the structure set has no EXTERNAL ROI (RT ROI Interpreted Type), so nothing outside the patient is "
                    + "removed: the CT is computed as scanned, couch included")
            bounding = nil
        }
        if let frame = structures?.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
            throw PatientImportError.frameOfReferenceMismatch
        }
        if let structures = bounding {
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
            insideExternal = occupancy.map { $0 >= 0.5 }
            if electrons != nil {
                for device in structures.rois where device.interpretedType.map(deviceTypes.contains) == true {
                    let inside = StructureRasterizer.occupancy(
                        of: device.planarStructureCM, on: grid, supersampling: supersampling)
                    if inside.contains(where: { $0 >= 0.5 }) { devicesInPhantom.insert(device.number) }
                    var kept = 0
                    for n in hu.indices where !insideExternal![n] && !keptDevice[n] && inside[n] >= 0.5 {
                        keptDevice[n] = true
                        kept += 1
                    }
                    if kept > 0 {
                        notes.append(
                            "\(kept) voxels of \(device.interpretedType!) ROI \(device.number) '\(device.name)' outside the "
                                + "EXTERNAL ROI are kept (the planning system computes them too)")
                    }
                }
            }
            for n in hu.indices where !insideExternal![n] && !keptDevice[n] {
                hu[n] = outsideHU
                outside += 1
            }
            externalName = external.name
        }
        var applied: [AppliedOverride] = []
        var overrideDensity: [Float?] = []
        if let electrons, let set = structures {
            overrideDensity = [Float?](repeating: nil, count: hu.count)
            let planned = try Self.overrideMasks(
                set, calibration: calibration, electrons: electrons, grid: grid, supersampling: supersampling,
                allowed: { n in insideExternal?[n] ?? true || keptDevice[n] }, notes: &notes)
            for (roi, override, mask) in planned {
                for n in mask {
                    hu[n] = Float(override.equivalentHU)
                    overrideDensity[n] = Float(override.densityGPerCM3)
                }
                applied.append(AppliedOverride(
                    roiNumber: roi.number, roi: roi.name, property: override.property, value: override.value,
                    medium: override.medium, densityGPerCM3: override.densityGPerCM3, voxels: mask.count))
            }
        }
        // Voxels an override holds are not metal of unknown density any more.
        let lastKnotHU = calibration.densityKnots.last!.hu
        let above = hu.indices.reduce(0) {
            $0 + (Double(hu[$1]) > lastKnotHU && (overrideDensity.isEmpty || overrideDensity[$1] == nil) ? 1 : 0)
        }
        var phantom = try calibration.phantom(grid: grid, hu: hu)
        if !applied.isEmpty {
            // The equivalent HU gave the medium; the density is the override's exactly.
            var density = phantom.densitiesGPerCM3
            for n in density.indices { if let d = overrideDensity[n] { density[n] = d } }
            phantom = try VoxelPhantom(
                grid: grid, media: phantom.media, mediumIndices: phantom.mediumIndices, densitiesGPerCM3: density)
        }
        let end = calibration.densityKnots.last!  // HUCalibration refuses a table without knots
        return Result(
            phantom: phantom, voxelsOutsideExternal: outside, externalName: externalName, voxelsAboveCalibration: above,
            calibrationEnd: (end.hu, end.densityGPerCM3), overrides: applied, deviceVoxelsOutsideExternal: keptDevice.count { $0 },
            devicesInPhantom: devicesInPhantom, notes: notes)
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
    /// A calibration medium without electrons per gram, for a relative electron density override.
    case unknownMediumElectrons(String)

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
        case .unknownMediumElectrons(let medium):
            "the calibration's medium \(medium) has no composition for a relative electron density override; use a "
                + "calibration whose media are in the physics tables, or --ignore-density-overrides"
        }
    }
}
