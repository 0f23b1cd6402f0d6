import Analysis
import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import Phantom
import Report

/// `penumbra dvh DOSE.dcm --structures RS.dcm`: per-structure DVH metrics of an RT Dose, and optionally
/// the curves and a constraint check.
struct DVHCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dvh",
        abstract: "Dose–volume histograms and metrics of an RT Dose for the structures of an RT Structure Set.",
        discussion: """
            Prints, per structure, its volume (cc), Dmin, Dmean, Dmax, D98, D95, D50, D2 and D0.03cc in Gy. \
            Structures are rasterised with sub-voxel supersampling on grids aligned with the dose grid; \
            parts outside the dose grid count at 0 Gy (reported). Method and accuracy: docs/dvh.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The RT Dose file (dose in Gy).")
    var dose: String

    @Option(help: "The RT Structure Set file.")
    var structures: String

    @Option(help: "Output format: table, csv or json.")
    var format: Format = .table

    @Option(help: "Write each structure's cumulative DVH as CSV into this folder.")
    var curves: String?

    @Option(help: "Draw the cumulative DVHs into this SVG file.")
    var plot: String?

    @Option(help: "Write axial, coronal and sagittal dose figures (SVG) through the dose maximum into this folder.")
    var figures: String?

    @Option(help: "Dose bin width of the written curves and plot, in Gy.")
    var curveBinGy: Double = 0.1

    @Option(name: .customLong("structure"), help: "Only this structure (repeatable; default: all).")
    var onlyStructures: [String] = []

    @Option(help: "Check a constraint set: 'thorax' (shipped) or a JSON file (docs/dvh.md).")
    var constraints: String?

    @Option(help: "The prescription dose in Gy, for constraints relative to it (e.g. PTV D95 >= 95 %Rx).")
    var prescriptionGy: Double?

    @Option(help: "Rasterisation samples per voxel edge (1 to 16).")
    var supersampling: Int = 4

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...16).contains(supersampling) else { throw ValidationError("--supersampling must be 1 to 16") }
        guard curveBinGy > 0 else { throw ValidationError("--curve-bin-gy must be positive") }
        if let prescriptionGy, !(prescriptionGy > 0) { throw ValidationError("--prescription-gy must be positive") }
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.dvh")
        let set = try constraintSet()
        let (doseGrid, structureSet) = try readInputs()
        var masks: [StructureMask] = []
        var axialOutlines: [(name: String, planar: PlanarStructure)] = []
        var summaries: [DVHSummary] = []
        var plotted: [DVHCurve] = []
        for roi in structureSet.rois where selected(roi.name) {
            let planar = roi.planarStructureCM
            guard !planar.isEmpty else {
                logger.warning("structure '\(roi.name)' has no closed planar contours; skipped")
                continue
            }
            let mask = try StructureMasks.rasterise(planar, alignedWith: doseGrid.grid, supersampling: supersampling)
            guard mask.volumeCM3 > 0 else {
                logger.warning("structure '\(roi.name)' encloses no volume; skipped")
                continue
            }
            let dvh = try DoseVolumeHistogram(dose: doseGrid, structure: mask)
            if dvh.volumeOutsideDoseGridCM3 > 0 {
                logger.warning(
                    "\(String(format: "%.2f", dvh.volumeOutsideDoseGridCM3)) cc of '\(roi.name)' lies outside the dose grid and counts at 0 Gy")
            }
            masks.append(mask)
            axialOutlines.append((roi.name, planar))
            summaries.append(DVHSummary(dvh))
            let curve = try dvh.cumulativeCurve(binWidthGy: curveBinGy)
            if plot != nil { plotted.append(curve) }
            if let curves {
                let file = URL(fileURLWithPath: curves).appendingPathComponent(Self.fileName(roi.name) + ".csv")
                try OutputFile.write(DVHTables.curve(curve).text, to: file)
            }
        }
        guard !summaries.isEmpty else {
            throw ValidationError("no structure of \(structures) could be evaluated" + (onlyStructures.isEmpty ? "" : " (selected: \(onlyStructures.joined(separator: ", ")))"))
        }
        if let plot {
            try OutputFile.write(try DoseCharts.dvh(plotted).svg(), to: URL(fileURLWithPath: plot))
        }
        if let figures { try writeFigures(doseGrid, axialOutlines, into: URL(fileURLWithPath: figures)) }
        let results = try set.map { try $0.evaluate(dose: doseGrid, structures: masks, prescriptionGy: prescriptionGy) }
        try output(summaries, results)
    }

    // MARK: - Steps

    private func constraintSet() throws -> ConstraintSet? {
        guard let constraints else { return nil }
        if constraints.lowercased() == "thorax" { return .thoraxConventional }
        do {
            return try ConstraintSet(contentsOf: URL(fileURLWithPath: constraints))
        } catch let e as AnalysisError {
            throw ValidationError(e.description)
        }
    }

    private func readInputs() throws -> (DoseGrid, StructureSet) {
        let volume: DoseVolume, structureSet: StructureSet
        do {
            volume = try DoseVolume(contentsOf: URL(fileURLWithPath: dose))
            structureSet = try StructureSet(contentsOf: URL(fileURLWithPath: structures))
        } catch let e as DICOMError {
            throw ValidationError(e.description)
        }
        guard let gy = volume.doseGy else {
            throw ValidationError("\(dose) holds \(volume.units.rawValue) dose, not Gy; DVHs need absolute dose")
        }
        if let frame = structureSet.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
            throw ValidationError(
                "\(dose) and \(structures) are in different frames of reference; they must belong to the same plan")
        }
        do {
            return (try DoseGrid(grid: volume.voxelGrid, doseGy: gy.map(Double.init)), structureSet)
        } catch let e as AnalysisError {
            throw ValidationError("\(dose): \(e.description)")
        }
    }

    private func selected(_ name: String) -> Bool {
        onlyStructures.isEmpty || onlyStructures.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Axial, coronal and sagittal planes through the dose maximum, isodoses at 20–95 % of it; axial
    /// figures carry the outlines of the contours on the nearest contour plane.
    private func writeFigures(
        _ dose: DoseGrid, _ structures: [(name: String, planar: PlanarStructure)], into folder: URL
    ) throws {
        guard let hottest = dose.doseGy.indices.max(by: { dose.doseGy[$0] < dose.doseGy[$1] }) else { return }
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
        for (name, plane, drawn) in planes {
            let figure = DoseSliceFigure(
                dose: dose, plane: plane, isodoseLevelsGy: levels, referenceDoseGy: peak, outlines: drawn,
                title: "Dose, \(name) plane through the maximum (\(String(format: "%.2f", peak)) Gy)")
            try OutputFile.write(try figure.svg(), to: folder.appendingPathComponent("dose-\(name).svg"))
        }
    }

    private static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    // MARK: - Output

    private struct JSONOutput: Encodable {
        let dose: String
        let structureSet: String
        let structures: [DVHSummary]
        let constraints: [ConstraintResult]?
    }

    private func output(_ summaries: [DVHSummary], _ results: [ConstraintResult]?) throws {
        switch format {
        case .json:
            let value = JSONOutput(
                dose: URL(fileURLWithPath: dose).lastPathComponent,
                structureSet: URL(fileURLWithPath: structures).lastPathComponent, structures: summaries,
                constraints: results)
            print(String(decoding: try OutputFile.json(value), as: UTF8.self))
        case .csv:
            print(DVHTables.summary(summaries).text, terminator: "")
            if let results { print("\r\n" + DVHTables.constraints(results).text, terminator: "") }
        case .table:
            let header = ["structure", "cc", "Dmin", "Dmean", "Dmax", "D98", "D95", "D50", "D2", "D0.03cc"]
            let rows = summaries.map { s in
                [s.structure, String(format: "%.2f", s.volumeCM3)]
                    + [s.minGy, s.meanGy, s.maxGy, s.d98Gy, s.d95Gy, s.d50Gy, s.d2Gy].map { String(format: "%.2f", $0) }
                    + [s.d0_03ccGy.map { String(format: "%.2f", $0) } ?? "-"]
            }
            print("doses in Gy")
            printAligned([header] + rows)
            if let results {
                print("")
                printAligned(
                    [["constraint", "structure", "value", "status"]]
                        + results.map { r in
                            let c = r.constraint
                            return [
                                "\(c.metric) \(c.comparison.rawValue) \(CSVTable.number(c.limit, decimals: 2)) \(c.unit.rawValue)",
                                r.structureName ?? "-", r.value.map { String(format: "%.2f %@", $0, c.metric.unit) } ?? "-",
                                r.status.rawValue + (r.note.map { " (\($0))" } ?? ""),
                            ]
                        }, leftAlignedColumns: [0, 1, 3])
            }
        }
    }

    /// Prints columns padded to a common width; the last column is never padded.
    private func printAligned(_ rows: [[String]], leftAlignedColumns: Set<Int> = [0]) {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let fields = row.enumerated().map { c, field in
                if c == row.count - 1 && leftAlignedColumns.contains(c) { return field }
                let pad = String(repeating: " ", count: widths[c] - field.count)
                return leftAlignedColumns.contains(c) ? field + pad : pad + field
            }
            print(fields.joined(separator: "  "))
        }
    }
}
