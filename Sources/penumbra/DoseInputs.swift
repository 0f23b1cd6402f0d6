import Analysis
import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import Phantom
import Report

/// What the analysis commands (`dvh`, `compare`, `report`) share: reading doses and structure sets,
/// DVHs per structure, constraint sets, and the standard dose figures. Errors become `ValidationError`s
/// with the library's message.
enum DoseInputs {
    /// A structure with its contours, mask and DVH.
    struct EvaluatedStructure {
        let name: String
        let planar: PlanarStructure
        let mask: StructureMask
        let dvh: DoseVolumeHistogram
    }

    /// A figure file: name and SVG.
    struct FigureFile {
        let fileName: String
        let caption: String
        let svg: String
    }

    /// Reads an RT Dose in Gy.
    static func readDose(_ path: String) throws -> (grid: DoseGrid, frameOfReference: String) {
        do {
            let volume = try DoseVolume(contentsOf: URL(fileURLWithPath: path))
            guard let gy = volume.doseGy else {
                throw ValidationError("\(path) holds \(volume.units.rawValue) dose, not Gy; the analysis needs absolute dose")
            }
            return (try DoseGrid(grid: volume.voxelGrid, doseGy: gy.map(Double.init)), volume.frameOfReferenceUID)
        } catch let e as DICOMError {
            throw ValidationError(e.description)
        } catch let e as AnalysisError {
            throw ValidationError("\(path): \(e.description)")
        }
    }

    /// The shipped thorax set for "thorax", else the set in a JSON file; nil for nil.
    static func constraintSet(_ name: String?) throws -> ConstraintSet? {
        guard let name else { return nil }
        if name.lowercased() == "thorax" { return .thoraxConventional }
        do {
            return try ConstraintSet(contentsOf: URL(fileURLWithPath: name))
        } catch let e as AnalysisError {
            throw ValidationError(e.description)
        }
    }

    /// DVHs of the structures of an RT Structure Set (all, or those named in `selected`), each rasterised
    /// on a grid aligned with the dose grid that covers it. Structures without contours or volume are
    /// skipped with a warning; parts outside the dose grid are reported.
    static func structureDVHs(
        _ path: String, on dose: DoseGrid, frameOfReference: String?, selected: [String], supersampling: Int,
        logger: Logger
    ) throws -> [EvaluatedStructure] {
        let set: StructureSet
        do {
            set = try StructureSet(contentsOf: URL(fileURLWithPath: path))
        } catch let e as DICOMError {
            throw ValidationError(e.description)
        }
        if let frameOfReference, let frame = set.frameOfReferenceUID, frame != frameOfReference {
            throw ValidationError("\(path) is in another frame of reference than the dose; they must belong to one plan")
        }
        var result: [EvaluatedStructure] = []
        for roi in set.rois
        where selected.isEmpty || selected.contains(where: { $0.caseInsensitiveCompare(roi.name) == .orderedSame }) {
            let planar = roi.planarStructureCM
            guard !planar.isEmpty else {
                logger.warning("structure '\(roi.name)' has no closed planar contours; skipped")
                continue
            }
            let mask = try StructureMasks.rasterise(planar, alignedWith: dose.grid, supersampling: supersampling)
            guard mask.volumeCM3 > 0 else {
                logger.warning("structure '\(roi.name)' encloses no volume; skipped")
                continue
            }
            let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
            if dvh.volumeOutsideDoseGridCM3 > 0 {
                logger.warning(
                    "\(String(format: "%.2f", dvh.volumeOutsideDoseGridCM3)) cc of '\(roi.name)' lies outside the dose grid and counts at 0 Gy")
            }
            result.append(EvaluatedStructure(name: roi.name, planar: planar, mask: mask, dvh: dvh))
        }
        guard !result.isEmpty else {
            throw ValidationError(
                "no structure of \(path) could be evaluated" + (selected.isEmpty ? "" : " (selected: \(selected.joined(separator: ", ")))"))
        }
        return result
    }

    /// Axial, coronal and sagittal planes through the dose maximum, isodoses at 20–95 % of it; the axial
    /// figure carries the outlines of the contours on the contour plane nearest to it.
    static func figures(_ dose: DoseGrid, _ structures: [EvaluatedStructure]) throws -> [FigureFile] {
        guard let hottest = dose.doseGy.indices.max(by: { dose.doseGy[$0] < dose.doseGy[$1] }) else { return [] }
        let (i, j, k) = dose.grid.ijk(ofIndex: hottest)
        let p = dose.grid.centerCM(i, j, k), peak = dose.doseGy[hottest]
        let levels = [0.2, 0.5, 0.8, 0.95].map { $0 * peak }
        let outlines = structures.compactMap { s -> DoseSliceFigure.Outline? in
            guard let plane = s.planar.planes.min(by: { abs($0.zCM - p.z) < abs($1.zCM - p.z) }),
                abs(plane.zCM - p.z) <= dose.grid.spacingCM.z
            else { return nil }
            return DoseSliceFigure.Outline(name: s.name, polygons: plane.polygons.map { $0.map { ($0.x, $0.y) } })
        }
        let planes: [(String, DoseSliceFigure.Plane, [DoseSliceFigure.Outline])] = [
            ("axial", .axial(zCM: p.z), outlines), ("coronal", .coronal(yCM: p.y), []), ("sagittal", .sagittal(xCM: p.x), []),
        ]
        return try planes.map { name, plane, drawn in
            let title = "Dose, \(name) plane through the maximum (\(String(format: "%.2f", peak)) Gy)"
            let figure = DoseSliceFigure(
                dose: dose, plane: plane, isodoseLevelsGy: levels, referenceDoseGy: peak, outlines: drawn, title: title)
            return FigureFile(fileName: "dose-\(name).svg", caption: title, svg: try figure.svg())
        }
    }
}
