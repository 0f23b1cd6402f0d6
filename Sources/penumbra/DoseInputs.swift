import Analysis
import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import PatientImport
import Phantom
import Report

/// What the analysis commands (`dvh`, `compare`, `report`) share: reading doses and structure sets,
/// DVHs per structure, constraint sets, and the standard dose figures. Errors become `ValidationError`s
/// with the library's message.
enum DoseInputs {
    /// A structure with its contours, mask and DVH.
    struct EvaluatedStructure {
        let name: String
        /// The ROI's RT ROI Interpreted Type (e.g. "PTV", "ORGAN"), when the structure set gives one.
        let interpretedType: String?
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

    /// DVHs of the structures of an RT Structure Set (all, or those `selected` names or numbers: `StructureSelection`),
    /// each rasterised on a grid aligned with the dose grid that covers it. Structures without contours or volume
    /// are skipped with a warning; parts outside the dose grid are reported.
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
        for roi in try StructureSelection.rois(of: set, selected: selected, path: path, logger: logger) {
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
            result.append(EvaluatedStructure(name: roi.name, interpretedType: roi.interpretedType, planar: planar, mask: mask, dvh: dvh))
        }
        guard !result.isEmpty else {
            throw ValidationError(
                "no structure of \(path) could be evaluated" + (selected.isEmpty ? "" : " (selected: \(selected.joined(separator: ", ")))"))
        }
        return result
    }

    /// Axial, coronal and sagittal planes through the isocentre (when given) and through the dose
    /// maximum, over the CT (when given), with isodoses and the outlines of every structure the plane
    /// cuts: the structure set's contours on axial planes (the contour plane within half a dose voxel),
    /// otherwise the 50 % line of the structure's mask. Isodoses are 30, 50, 80, 95, 100 and 107 % of the
    /// prescription when given, else 20, 50, 80 and 95 % of the maximum.
    static func figures(
        _ dose: DoseGrid, _ structures: [EvaluatedStructure], isocentreCM: Vec3? = nil, ct: CTUnderlay? = nil,
        prescriptionGy: Double? = nil
    ) throws -> [FigureFile] {
        guard let hottest = dose.doseGy.indices.max(by: { dose.doseGy[$0] < dose.doseGy[$1] }) else { return [] }
        let (i, j, k) = dose.grid.ijk(ofIndex: hottest)
        let maximum = dose.grid.centerCM(i, j, k), peak = dose.doseGy[hottest]
        let reference = prescriptionGy ?? peak
        let levels = (prescriptionGy == nil ? [0.2, 0.5, 0.8, 0.95] : [0.3, 0.5, 0.8, 0.95, 1.0, 1.07]).map { $0 * reference }
        func outlines(_ plane: DoseSliceFigure.Plane) -> [DoseSliceFigure.Outline] {
            structures.compactMap { s in
                if case .axial(let z) = plane,
                    let contours = s.planar.planes.min(by: { abs($0.zCM - z) < abs($1.zCM - z) }),
                    abs(contours.zCM - z) <= dose.grid.spacingCM.z / 2
                {
                    return DoseSliceFigure.Outline(name: s.name, polygons: contours.polygons.map { $0.map { ($0.x, $0.y) } })
                }
                let traced = DoseSliceFigure.Outline(name: s.name, mask: s.mask, plane: plane)
                return traced.lines.isEmpty ? nil : traced
            }
        }
        var points: [(name: String, at: Vec3)] = []
        if let isocentreCM {
            if covers(dose.grid, isocentreCM) {
                points.append(("the isocentre", isocentreCM))
            } else {
                Logger(label: "penumbra.figures").warning("the isocentre lies outside the dose grid: no planes through it")
            }
        }
        points.append(("the maximum", maximum))
        var files: [FigureFile] = []
        for (pointName, p) in points {
            // The plane at the centre of the dose voxel containing the point, so outlines and dose agree.
            let c = dose.grid.centerCM(
                min(dose.grid.counts.x - 1, max(0, Int(((p.x - dose.grid.originCM.x) / dose.grid.spacingCM.x).rounded(.down)))),
                min(dose.grid.counts.y - 1, max(0, Int(((p.y - dose.grid.originCM.y) / dose.grid.spacingCM.y).rounded(.down)))),
                min(dose.grid.counts.z - 1, max(0, Int(((p.z - dose.grid.originCM.z) / dose.grid.spacingCM.z).rounded(.down)))))
            let planes: [(String, DoseSliceFigure.Plane)] = [
                ("axial", .axial(zCM: c.z)), ("coronal", .coronal(yCM: c.y)), ("sagittal", .sagittal(xCM: c.x)),
            ]
            for (name, plane) in planes {
                let title = "Dose, \(name) plane through \(pointName) ("
                    + String(format: "%.1f, %.1f, %.1f mm", 10 * p.x, 10 * p.y, 10 * p.z) + ")"
                let figure = DoseSliceFigure(
                    dose: dose, plane: plane, isodoseLevelsGy: levels, referenceDoseGy: reference, outlines: outlines(plane),
                    underlay: ct, title: title)
                let stem = pointName == "the isocentre" ? "isocentre" : "maximum"
                do {
                    files.append(FigureFile(fileName: "dose-\(stem)-\(name).svg", caption: title, svg: try figure.svg()))
                } catch let e as ReportError {
                    // A plane through the isocentre can miss the dose (e.g. an isocentre off the grid).
                    Logger(label: "penumbra.figures").warning("\(e.description)")
                }
            }
        }
        return files
    }

    /// The γ map on axial, coronal and sagittal planes through the dose maximum (of `dose`), over the CT
    /// when given.
    static func gammaFigures(_ gamma: GammaIndex, through dose: DoseGrid, ct: CTUnderlay? = nil) -> [FigureFile] {
        guard let hottest = dose.doseGy.indices.max(by: { dose.doseGy[$0] < dose.doseGy[$1] }) else { return [] }
        let (i, j, k) = dose.grid.ijk(ofIndex: hottest)
        let p = dose.grid.centerCM(i, j, k)
        let planes: [(String, DoseSliceFigure.Plane)] = [
            ("axial", .axial(zCM: p.z)), ("coronal", .coronal(yCM: p.y)), ("sagittal", .sagittal(xCM: p.x)),
        ]
        return planes.compactMap { name, plane in
            let title = "γ \(gamma.options.summary), \(name) plane through the dose maximum"
            do {
                return FigureFile(
                    fileName: "gamma-\(name).svg", caption: title,
                    svg: try GammaMapFigure(gamma: gamma, plane: plane, underlay: ct, title: title).svg())
            } catch {
                // Every point of the plane may lie below the low-dose threshold.
                Logger(label: "penumbra.figures").warning("\(error)")
                return nil
            }
        }
    }

    /// Line plots of the dose: profiles along x, y and z through `point` (the isocentre or the maximum),
    /// against the patient coordinate in mm; and, for each beam, the dose along its central axis against
    /// the depth from the skin (where the CT first exceeds −400 HU from the source; without a CT, from
    /// where the axis enters the dose grid).
    static func profileFigures(
        _ dose: DoseGrid, through point: (name: String, at: Vec3), beams: [(name: String, geometry: BeamGeometry)],
        ct: CTUnderlay?
    ) throws -> [FigureFile] {
        let g = dose.grid
        let axes: [(String, Vec3, Double, Double)] = [
            ("x", Vec3(1, 0, 0), g.originCM.x, g.endCM.x), ("y", Vec3(0, 1, 0), g.originCM.y, g.endCM.y),
            ("z", Vec3(0, 0, 1), g.originCM.z, g.endCM.z),
        ]
        let lateral = try axes.map { name, u, lo, hi -> LinePlot.Series in
            let p = point.at
            let along = u.x * p.x + u.y * p.y + u.z * p.z
            let samples = try dose.profile(from: p + u * (lo - along), to: p + u * (hi - along), stepCM: 0.1)
            return LinePlot.Series(
                name: "along \(name)",
                points: samples.compactMap { s in s.doseGy.map { (x: 10 * (lo + s.distanceCM), y: $0) } })
        }
        let lateralTitle = "Dose profiles through \(point.name)"
        var files = [
            FigureFile(
                fileName: "profiles.svg", caption: lateralTitle,
                svg: try LinePlot(
                    title: lateralTitle, x: .init(label: "Position", unit: "mm"), y: .init(label: "Dose", unit: "Gy"),
                    series: lateral
                ).svg())
        ]
        let depthDoses = try beams.compactMap { beam -> (name: String, samples: [ProfileSample])? in
            let source = beam.geometry.sourcePositionCM, u = beam.geometry.centralAxisDirection
            let far = source + u * (beam.geometry.sourceAxisDistanceCM + 40)
            let samples = try dose.profile(from: source, to: far, stepCM: 0.1)
            let entry = samples.firstIndex { s in
                if let ct { return (ct.hu(at: s.pointCM) ?? -1000) > -400 }
                return s.doseGy != nil
            }
            guard let entry else { return nil }
            return (beam.name, samples[entry...].map {
                ProfileSample(pointCM: $0.pointCM, distanceCM: $0.distanceCM - samples[entry].distanceCM, doseGy: $0.doseGy)
            })
        }
        if !depthDoses.isEmpty {
            let title = "Plan dose along each beam's central axis"
            files.append(
                FigureFile(
                    fileName: "beam-axes.svg", caption: title,
                    svg: try DoseCharts.profiles(depthDoses, title: title, distanceLabel: "Depth from the skin", distanceInMM: true).svg()))
        }
        return files
    }

    /// Paddick and RTOG indices of the targets: ROIs typed PTV, else those named PTV….
    static func conformity(_ structures: [DoseInputs.EvaluatedStructure], _ dose: DoseGrid, prescriptionGy: Double) throws
        -> [AnalysisReport.Conformity]
    {
        let typed = structures.filter { $0.interpretedType?.uppercased() == "PTV" }
        let targets = typed.isEmpty ? structures.filter { $0.name.uppercased().hasPrefix("PTV") } : typed
        return try targets.map {
            AnalysisReport.Conformity(
                structure: $0.name, indices: try ConformityIndices(target: $0.dvh, dose: dose, prescriptionGy: prescriptionGy),
                homogeneityIndex: $0.dvh.homogeneityIndex)
        }
    }

    /// Whether a point lies inside the grid's voxels.
    static func covers(_ g: VoxelGrid, _ p: Vec3) -> Bool {
        (g.originCM.x...g.endCM.x).contains(p.x) && (g.originCM.y...g.endCM.y).contains(p.y)
            && (g.originCM.z...g.endCM.z).contains(p.z)
    }
}
