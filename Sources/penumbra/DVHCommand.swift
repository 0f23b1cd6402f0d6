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

    @Option(help: "Write each structure's cumulative DVH (NAME.csv) and differential DVH (NAME-differential.csv) as CSV into this folder.")
    var curves: String?

    @Option(help: "Draw the cumulative DVHs into this SVG file.")
    var plot: String?

    @Option(help: "Write axial, coronal and sagittal dose figures (SVG) through the dose maximum into this folder.")
    var figures: String?

    @Option(help: "Dose bin width of the written curves and plot, in Gy.")
    var curveBinGy: Double = 0.1

    @Option(name: .customLong("structure"), help: "Only this structure, by ROI name or number (repeatable; default: all).")
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
        let set = try DoseInputs.constraintSet(constraints)
        let doseGrid = try DoseInputs.readDose(dose).grid
        let evaluated = try DoseInputs.structureDVHs(
            structures, on: doseGrid, frameOfReference: nil, selected: onlyStructures, supersampling: supersampling,
            logger: logger)
        var plotted: [DVHCurve] = []
        for s in evaluated {
            let curve = try s.dvh.cumulativeCurve(binWidthGy: curveBinGy)
            plotted.append(curve)
            if let curves {
                let folder = URL(fileURLWithPath: curves)
                try OutputFile.write(DVHTables.curve(curve).text, to: folder.appendingPathComponent(Self.fileName(s.name) + ".csv"))
                try OutputFile.write(
                    DVHTables.curve(try s.dvh.differentialCurve(binWidthGy: curveBinGy)).text,
                    to: folder.appendingPathComponent(Self.fileName(s.name) + "-differential.csv"))
            }
        }
        if let plot {
            try OutputFile.write(try DoseCharts.dvh(plotted).svg(), to: URL(fileURLWithPath: plot))
        }
        if let figures {
            for figure in try DoseInputs.figures(doseGrid, evaluated) {
                try OutputFile.write(figure.svg, to: URL(fileURLWithPath: figures).appendingPathComponent(figure.fileName))
            }
        }
        let results = try set.map {
            try $0.evaluate(dose: doseGrid, structures: evaluated.map(\.mask), prescriptionGy: prescriptionGy)
        }
        let conformity = try prescriptionGy.map { try DoseInputs.conformity(evaluated, doseGrid, prescriptionGy: $0) } ?? []
        try output(evaluated.map { DVHSummary($0.dvh) }, results, conformity)
    }

    // MARK: - Steps

    private static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    // MARK: - Output

    private struct JSONOutput: Encodable {
        let dose: String
        let structureSet: String
        let structures: [DVHSummary]
        /// Paddick and RTOG conformity of the targets (with --prescription-gy).
        let conformity: [AnalysisReport.Conformity]
        let constraints: [ConstraintResult]?
    }

    private func output(_ summaries: [DVHSummary], _ results: [ConstraintResult]?, _ conformity: [AnalysisReport.Conformity]) throws {
        switch format {
        case .json:
            let value = JSONOutput(
                dose: URL(fileURLWithPath: dose).lastPathComponent,
                structureSet: URL(fileURLWithPath: structures).lastPathComponent, structures: summaries,
                conformity: conformity, constraints: results)
            print(String(decoding: try OutputFile.json(value), as: UTF8.self))
        case .csv:
            print(DVHTables.summary(summaries).text, terminator: "")
            if let results { print("\r\n" + DVHTables.constraints(results).text, terminator: "") }
            if !conformity.isEmpty {
                let table = CSVTable(
                    header: ["target", "prescription_gy", "tv_cc", "tv_piv_cc", "piv_cc", "paddick_ci", "rtog_ci"],
                    rows: conformity.map { c in
                        [c.structure] + [c.indices.prescriptionGy, c.indices.targetVolumeCM3, c.indices.coveredTargetVolumeCM3,
                            c.indices.prescriptionIsodoseVolumeCM3, c.indices.paddick, c.indices.rtog].map { CSVTable.number($0, decimals: 4) }
                    })
                print("\r\n" + table.text, terminator: "")
            }
        case .table:
            let header = ["structure", "cc", "Dmin", "Dmean", "Dmax", "D98", "D95", "D50", "D2", "D0.03cc"]
            let rows = summaries.map { s in
                [s.structure, String(format: "%.2f", s.volumeCM3)]
                    + [s.minGy, s.meanGy, s.maxGy, s.d98Gy, s.d95Gy, s.d50Gy, s.d2Gy].map { String(format: "%.2f", $0) }
                    + [s.d0_03ccGy.map { String(format: "%.2f", $0) } ?? "-"]
            }
            print("doses in Gy")
            printAligned([header] + rows)
            for c in conformity {
                print(String(format: "%@: Paddick CI %@, RTOG CI %@ (prescription isodose %.2f Gy: %.2f cc, %.2f cc of the target)",
                             c.structure, c.indices.paddick.map { String(format: "%.3f", $0) } ?? "-",
                             c.indices.rtog.map { String(format: "%.3f", $0) } ?? "-", c.indices.prescriptionGy,
                             c.indices.prescriptionIsodoseVolumeCM3, c.indices.coveredTargetVolumeCM3))
            }
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
