import Analysis
import DICOM
import Foundation
import Geometry
import PatientImport
import Phantom
import Report

/// A plan folder's CT, RT Plan and RT Structure Set, and the beam's-eye views made from them.
struct BeamViews {
    /// One beam's view: its DRR figure and the facts the report's beam table prints.
    struct View {
        var beam: Beam
        var figure: DRRFigure
        /// A file-name-safe form of the beam's name.
        var fileStem: String
        /// The beam's geometry at its first control point.
        var geometry: BeamGeometry
    }

    let volume: Volume
    let plan: Plan
    let structures: StructureSet?
    let planURL: URL
    let structuresURL: URL?

    /// The views of a plan folder (`PlanFolder`: one plan, its structures, the CT in its frame of reference).
    static func load(folder: URL) throws -> (views: BeamViews, warnings: [String]) {
        let found = try PlanFolder.load(folder)
        return (
            BeamViews(volume: found.volume, plan: found.plan, structures: found.structures, planURL: found.planURL,
                      structuresURL: found.structuresURL),
            found.warnings
        )
    }

    /// The DRR figure of every beam, at the first control point's geometry, with the field of the first
    /// control point (the union over all control points for an arc).
    func views(pixelMM: Double, marginMM: Double) throws -> [View] {
        let grid = volume.voxelGrid
        // Each structure's fractional occupancy of the CT voxels, once for all beams.
        let occupancies = (structures?.rois ?? []).compactMap { roi -> (String, [Float])? in
            let planar = roi.planarStructureCM
            return planar.isEmpty ? nil : (roi.name, StructureRasterizer.occupancy(of: planar, on: grid, supersampling: 2))
        }
        // A ray belongs to a structure's silhouette when it crosses at least half the smallest voxel of it.
        let silhouetteLevelCM = 0.5 * min(grid.spacingCM.x, grid.spacingCM.y, grid.spacingCM.z)
        var stems: Set<String> = []
        return try plan.beams.map { beam in
            let first = beam.controlPoints[0]
            guard let isocentreMM = first.isocentreMM else {
                throw CommandFailure("beam \(beam.name): the first control point has no isocentre position")
            }
            let geometry = BeamGeometry(
                gantryDeg: first.gantryAngleDeg, collimatorDeg: first.collimatorAngleDeg, couchDeg: first.couchAngleDeg,
                isocentreCM: isocentreMM / 10, sourceAxisDistanceCM: beam.sourceAxisDistanceMM / 10,
                // The beam's Patient Setup position, as `penumbra run` places it (`TreatmentPosition`).
                patientPosition: beam.patientPosition.flatMap(PatientPosition.init(rawValue:)) ?? volume.patientPosition)
            let isArc = first.gantryRotation != .NONE
            var aperture = try Self.aperture(beam, first)
            if isArc {
                for point in beam.controlPoints.dropFirst() {
                    aperture = try aperture.union(Self.aperture(beam, point))
                }
            }
            let margin = marginMM / 10
            let box = aperture.boundingBox
            let detector = try DigitallyReconstructedRadiograph.Detector(
                xMinCM: max((box?.xMinCM ?? -10) - margin, -20), xMaxCM: min((box?.xMaxCM ?? 10) + margin, 20),
                yMinCM: max((box?.yMinCM ?? -10) - margin, -20), yMaxCM: min((box?.yMaxCM ?? 10) + margin, 20),
                pixelCM: pixelMM / 10)
            let drr = try DigitallyReconstructedRadiograph(
                grid: grid, hu: volume.huValues, beam: geometry, detector: detector)
            let projections = try occupancies.map { name, occupancy in
                DRRFigure.Projection(
                    name: name,
                    pathLengthsCM: try DigitallyReconstructedRadiograph.project(
                        occupancy, grid: grid, beam: geometry, detector: detector),
                    detector: detector, levelCM: silhouetteLevelCM)
            }
            let angles = String(
                format: "gantry %.1f°, collimator %.1f°, couch %.1f°", first.gantryAngleDeg, first.collimatorAngleDeg,
                first.couchAngleDeg)
            var stem = String(beam.name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
            if stem.isEmpty || stems.contains(stem) { stem += "_\(beam.number)" }
            stems.insert(stem)
            return View(
                beam: beam,
                figure: DRRFigure(
                    drr: drr, aperture: aperture, structures: projections,
                    title: "\(beam.name): DRR, \(angles)" + (isArc ? Self.arcNote(beam) : "")),
                fileStem: stem, geometry: geometry)
        }
    }

    /// What an arc's view shows: the gantry's sweep and that the field is the union over the arc.
    static func arcNote(_ beam: Beam) -> String {
        let first = beam.controlPoints[0], last = beam.controlPoints[beam.controlPoints.count - 1]
        return String(
            format: "; arc %.1f° → %.1f° %@, field: union over %d control points", first.gantryAngleDeg, last.gantryAngleDeg,
            first.gantryRotation.rawValue, beam.controlPoints.count)
    }

    /// The open field of one control point (jaws and every MLC layer: a dual-layer MLC's field is where both
    /// layers are open; DICOM mm → cm).
    static func aperture(_ beam: Beam, _ point: ControlPoint) throws -> BeamAperture {
        func jaw(_ types: [String]) -> (Double, Double)? {
            guard let p = types.lazy.compactMap({ point.devicePositionsMM[$0] }).first, p.count == 2 else { return nil }
            return (p[0] / 10, p[1] / 10)
        }
        let mlcs = beam.limitingDevices.filter { $0.type.hasPrefix("MLC") }
        let layers = try mlcs.compactMap { mlc -> BeamAperture.LeafSetting? in
            guard let p = point.devicePositionsMM[mlc.type] else { return nil }
            let half = p.count / 2
            return try BeamAperture.LeafSetting(
                travel: mlc.type == "MLCY" ? .y : .x, boundariesCM: mlc.leafBoundariesMM.map { $0 / 10 },
                bankACM: p[..<half].map { $0 / 10 }, bankBCM: p[half...].map { $0 / 10 })
        }
        do {
            return try BeamAperture(jawXCM: jaw(["ASYMX", "X"]), jawYCM: jaw(["ASYMY", "Y"]), layers: layers)
        } catch let e as AnalysisError {
            throw CommandFailure("beam \(beam.name), control point \(point.index): \(e.description)")
        }
    }
}

extension BeamViews.View {
    /// The beam's row in the report's beam table (angles at the first control point).
    func row(plan: Plan) -> AnalysisReport.Beam {
        let first = beam.controlPoints[0]
        return AnalysisReport.Beam(
            name: beam.name,
            energy: "\(beam.radiationType) "
                + (beam.nominalEnergy.map { String(format: beam.radiationType == "PHOTON" ? "%g MV" : "%g MeV", $0) } ?? "—"),
            gantryDeg: first.gantryAngleDeg, collimatorDeg: first.collimatorAngleDeg, couchDeg: first.couchAngleDeg,
            monitorUnits: plan.metersetMU(beamNumber: beam.number), controlPoints: beam.controlPoints.count)
    }
}
