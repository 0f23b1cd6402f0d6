import Analysis
import ArgumentParser
import DICOM
import FileIO
import Foundation
import Logging
import Report

/// `penumbra compare REFERENCE.dcm EVALUATED.dcm`: gamma index and, with structures, DVH metric
/// differences between two RT Doses of one plan (e.g. the planning system's and Penumbra's).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two RT Doses: gamma pass rates and, with --structures, DVH metric differences.",
        discussion: """
            The first dose is the reference (each of its voxels is a gamma point), the second is searched. \
            Criteria are written like 3%/2mm; by default 3%/2mm and 2%/2mm, global, 10 % threshold (AAPM \
            TG-218). Method and agreement with pymedphys: docs/gamma.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The reference RT Dose (e.g. the planning system's).")
    var reference: String

    @Argument(help: "The evaluated RT Dose (e.g. Penumbra's).")
    var evaluated: String

    @Option(name: .customLong("criteria"), help: "Gamma criteria such as 3%/2mm (repeatable).")
    var criteriaText: [String] = ["3%/2mm", "2%/2mm"]

    @Flag(help: "Local dose differences (relative to each reference point) instead of global.")
    var local = false

    @Option(help: "Low-dose threshold in percent of the reference maximum.")
    var thresholdPercent: Double = 10

    @Option(help: "Search step as a fraction of the distance criterion (10: DTA/10).")
    var interpolationFraction: Int = 10

    @Option(help: "Write the first criterion's gamma map (reference grid, z-y-x, NaN = not evaluated) as .npy.")
    var gammaMap: String?

    @Option(help: "Draw the first criterion's gamma histogram into this SVG file.")
    var gammaHistogram: String?

    @Option(help: "Write the first criterion's gamma map on axial, coronal and sagittal planes through the evaluated dose maximum (SVG) into this folder.")
    var gammaFigures: String?

    @Option(help: "An RT Structure Set: also compare DVH metrics per structure.")
    var structures: String?

    @Option(name: .customLong("structure"), help: "With --structures: only this structure, by ROI name or number (repeatable; default: all).")
    var onlyStructures: [String] = []

    @Option(help: "Output format: table, csv (the gamma table, then the DVH metric table) or json.")
    var format: Format = .table

    @OptionGroup var logging: LoggingOptions

    /// Parses `3%/2mm` into (3 %, 0.2 cm).
    static func parseCriterion(_ text: String) throws -> (percent: Double, distanceCM: Double) {
        let parts = text.lowercased().replacingOccurrences(of: " ", with: "").split(separator: "/")
        guard parts.count == 2, parts[0].hasSuffix("%"), parts[1].hasSuffix("mm"),
            let percent = Double(parts[0].dropLast()), let mm = Double(parts[1].dropLast(2)), percent > 0, mm > 0
        else { throw ValidationError("criterion '\(text)' is not like 3%/2mm") }
        return (percent, mm / 10)
    }

    func validate() throws {
        guard !criteriaText.isEmpty else { throw ValidationError("give at least one --criteria") }
        for text in criteriaText { _ = try Self.parseCriterion(text) }
    }

    struct GammaRow: Encodable {
        let criteria: String
        let passRatePercent: Double?
        let evaluatedPoints: Int
        let meanGamma: Double?
        let gamma95thPercentile: Double?
        let histogram: [GammaHistogramBin]
    }

    struct MetricRow: Encodable {
        let structure: String
        let reference: DVHSummary
        let evaluated: DVHSummary
    }

    struct JSONOutput: Encodable {
        let reference: String
        let evaluated: String
        let gamma: [GammaRow]
        let structures: [MetricRow]?
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.compare")
        let (referenceDose, referenceFrame) = try DoseInputs.readDose(reference)
        let (evaluatedDose, evaluatedFrame) = try DoseInputs.readDose(evaluated)
        guard referenceFrame == evaluatedFrame else {
            throw ValidationError("\(reference) and \(evaluated) are in different frames of reference; compare doses of one plan")
        }
        var rows: [GammaRow] = []
        for (n, text) in criteriaText.enumerated() {
            let criterion = try Self.parseCriterion(text)
            let options = GammaOptions(
                doseDifferencePercent: criterion.percent, distanceToAgreementCM: criterion.distanceCM,
                normalisation: local ? .local : .global, lowDoseThresholdPercent: thresholdPercent,
                interpolationFraction: interpolationFraction)
            let gamma: GammaIndex
            do {
                gamma = try GammaIndex(reference: referenceDose, evaluated: evaluatedDose, options: options)
            } catch let e as AnalysisError {
                throw ValidationError(e.description)
            }
            if gamma.outsideEvaluatedCount > 0 {
                logger.warning("\(gamma.outsideEvaluatedCount) reference points have no evaluated dose within the search radius")
            }
            if n == 0, let gammaMap {
                let g = referenceDose.grid
                try NumPyArray(shape: [g.counts.z, g.counts.y, g.counts.x], values: gamma.gamma)
                    .write(to: URL(fileURLWithPath: gammaMap))
            }
            if n == 0, let gammaFigures {
                for figure in DoseInputs.gammaFigures(gamma, through: evaluatedDose) {
                    try OutputFile.write(figure.svg, to: URL(fileURLWithPath: gammaFigures).appendingPathComponent(figure.fileName))
                }
            }
            if n == 0, let gammaHistogram {
                let chart = DoseCharts.gammaHistogram(gamma.histogram(), title: "Gamma, \(options.summary)")
                try OutputFile.write(try chart.svg(), to: URL(fileURLWithPath: gammaHistogram))
            }
            rows.append(
                GammaRow(
                    criteria: options.summary, passRatePercent: gamma.passRatePercent, evaluatedPoints: gamma.evaluatedCount,
                    meanGamma: gamma.meanGamma, gamma95thPercentile: gamma.gammaPercentile(95), histogram: gamma.histogram()))
        }
        let metrics = try structures.map {
            try compareStructures($0, referenceDose, evaluatedDose, frame: referenceFrame, logger)
        }
        try output(rows, metrics)
    }

    private func compareStructures(_ path: String, _ a: DoseGrid, _ b: DoseGrid, frame: String, _ logger: Logger) throws
        -> [MetricRow]
    {
        try DoseInputs.structureDVHs(path, on: a, frameOfReference: frame, selected: onlyStructures, supersampling: 4, logger: logger)
            .map { s in
                MetricRow(
                    structure: s.name, reference: DVHSummary(s.dvh),
                    evaluated: DVHSummary(try DoseVolumeHistogram(dose: b, structure: s.mask)))
            }
    }

    private func output(_ gamma: [GammaRow], _ metrics: [MetricRow]?) throws {
        if format == .json {
            let value = JSONOutput(
                reference: URL(fileURLWithPath: reference).lastPathComponent,
                evaluated: URL(fileURLWithPath: evaluated).lastPathComponent, gamma: gamma, structures: metrics)
            print(String(decoding: try OutputFile.json(value), as: UTF8.self))
            return
        }
        if format == .csv {
            print(
                CSVTable(
                    header: ["criteria", "pass_rate_percent", "evaluated_points", "mean_gamma", "gamma_95th_percentile"],
                    rows: gamma.map { r in
                        [r.criteria, CSVTable.number(r.passRatePercent, decimals: 3), String(r.evaluatedPoints),
                            CSVTable.number(r.meanGamma, decimals: 4), CSVTable.number(r.gamma95thPercentile, decimals: 4)]
                    }
                ).text, terminator: "")
            guard let metrics else { return }
            var rows: [[String]] = []
            for m in metrics {
                let pairs: [(String, Double, Double)] = [
                    ("Dmean", m.reference.meanGy, m.evaluated.meanGy), ("D98", m.reference.d98Gy, m.evaluated.d98Gy),
                    ("D95", m.reference.d95Gy, m.evaluated.d95Gy), ("D50", m.reference.d50Gy, m.evaluated.d50Gy),
                    ("D2", m.reference.d2Gy, m.evaluated.d2Gy),
                ]
                for (name, a, b) in pairs {
                    let difference = a > 0 ? CSVTable.number(100 * (b / a - 1), decimals: 3) : ""
                    rows.append([m.structure, name, CSVTable.number(a, decimals: 4), CSVTable.number(b, decimals: 4), difference])
                }
            }
            let table = CSVTable(header: ["structure", "metric", "reference_gy", "evaluated_gy", "difference_percent"], rows: rows)
            print("\r\n" + table.text, terminator: "")
            return
        }
        for row in gamma {
            print(
                "gamma \(row.criteria): "
                    + (row.passRatePercent.map { String(format: "%.2f %% pass", $0) } ?? "no points")
                    + " of \(row.evaluatedPoints) points"
                    + (row.meanGamma.map { String(format: ", mean γ %.3f", $0) } ?? "")
                    + (row.gamma95thPercentile.map { String(format: ", γ95 %.3f", $0) } ?? ""))
        }
        guard let metrics, !metrics.isEmpty else { return }
        print("\nDVH metrics, reference → evaluated (difference in % of reference)")
        for m in metrics {
            func cell(_ name: String, _ a: Double, _ b: Double) -> String {
                String(format: "%@ %.2f → %.2f Gy (%+.1f %%)", name, a, b, a > 0 ? 100 * (b / a - 1) : 0)
            }
            print(
                "\(m.structure): " + [
                    cell("Dmean", m.reference.meanGy, m.evaluated.meanGy), cell("D95", m.reference.d95Gy, m.evaluated.d95Gy),
                    cell("D2", m.reference.d2Gy, m.evaluated.d2Gy),
                ].joined(separator: ", "))
        }
    }
}
