import Analysis
import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import Report

/// `penumbra report RUN_DIR --out report.html` (or `--dose RD.dcm --structures RS.dcm`): one self-contained
/// HTML file with the beams, DVH metrics, conformity, constraints, dose figures over the CT, DRRs, the
/// comparison with the planning system's dose, the Monte Carlo record, and the review block.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a dose: DVHs, constraints, figures, gamma, review block.",
        discussion: """
            penumbra report RUN_DIR --out report.html reads what `penumbra run` wrote (summary.json, RD.dcm, \
            dose.3ddose) and the plan folder it ran on (CT, RT Structure Set, RT Plan); RUN_DIR may also be the \
            plan folder itself when the run went to PLAN_DIR/penumbra. Or give the files: --dose RD.dcm \
            --structures RS.dcm [--plan PLAN_DIR]. No network, no scripts; patient-free identifiers only (file \
            names and SHA-256 of the inputs). Reviewer names and dates are printed when given, otherwise left \
            blank to sign on paper. docs/report.md.
            """)

    @Argument(help: "A folder `penumbra run` wrote (or the plan folder it ran on).")
    var runDirectory: String?

    @Option(help: "The RT Dose to report (dose in Gy), instead of a run folder.")
    var dose: String?

    @Option(help: "The RT Structure Set (default: the plan folder's).")
    var structures: String?

    @Option(name: .customLong("structure"), help: "Only this structure, by ROI name or number (repeatable; default: all).")
    var onlyStructures: [String] = []

    @Option(
        name: [.customLong("tps-dose"), .customLong("reference")],
        help: "The planning system's RT Dose (or any reference dose) to compare with: gamma 3%/2mm and 2%/2mm, DVH metrics.")
    var reference: String?

    @Option(help: "A constraint set: 'thorax' or a JSON file.")
    var constraints: String?

    @Option(help: "The prescription dose in Gy, for constraints, conformity and isodoses (default: the RT Plan's target prescription).")
    var prescriptionGy: Double?

    @Option(help: "The reviewing physicist's name.")
    var physicist: String?

    @Option(help: "The reviewing physician's name.")
    var physician: String?

    @Option(help: "The review date printed beside the names given.")
    var reviewDate: String?

    @Option(help: "The physicist's review date (default: --review-date).")
    var physicistDate: String?

    @Option(help: "The physician's review date (default: --review-date).")
    var physicianDate: String?

    @Option(help: "Another reviewer as ROLE:NAME[:DATE], e.g. 'Dosimetrist:A. Smith:2026-11-30' (repeatable).")
    var reviewer: [String] = []

    @Option(help: "The plan folder (CT series, RT Plan, RT Structure Set): beams, DRRs and the CT under the dose figures.")
    var plan: String?

    @Option(name: .customLong("figures"), help: "Also write every figure as SVG and PNG (rsvg-convert) into this folder, numbered in report order.")
    var figuresFolder: String?

    @Flag(help: "Print the patient's name, ID and birth date and the plan's label from the RT Plan (default: none, only file names and hashes).")
    var patientIdentifiers = false

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "Also write the report's numbers as JSON for pipelines.")
    var summary: String?

    @Option(help: "Also write every table of the report as CSV, and each structure's cumulative and differential DVH, into this folder.")
    var tables: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if runDirectory != nil {
            guard dose == nil else { throw ValidationError("give a RUN_DIR or --dose, not both (a run's dose is its RD.dcm)") }
        } else {
            guard dose != nil, structures != nil || plan != nil else {
                throw ValidationError("give a RUN_DIR, or --dose RD.dcm with --structures RS.dcm (or --plan PLAN_DIR)")
            }
        }
        if let prescriptionGy, !(prescriptionGy > 0) { throw ValidationError("--prescription-gy must be positive") }
        _ = try reviewers()
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.report")
        let set = try DoseInputs.constraintSet(constraints)
        let run = try runDirectory.map { try RunDirectory.locate($0, planFolder: plan) }
        let dosePath = run?.rtDoseURL.path ?? dose!
        var (doseGrid, frame) = try DoseInputs.readDose(dosePath)
        if let run {
            if let sigma = try run.relativeUncertainty(matching: doseGrid.grid) {
                doseGrid = try DoseGrid(grid: doseGrid.grid, doseGy: doseGrid.doseGy, relativeUncertainty: sigma)
            } else {
                logger.warning("no dose.3ddose on the RT Dose's grid in \(run.url.path): the report shows no uncertainty")
            }
        }
        // The plan folder is read (and refused if it does not fit) before the long DVH work.
        let planFolder = run?.planFolder.path ?? plan
        let planSource = try planFolder.map { folder in
            let (source, warnings) = try BeamViews.load(folder: URL(fileURLWithPath: folder))
            for warning in warnings { logger.warning("\(warning)") }
            guard source.volume.frameOfReferenceUID == frame else {
                throw ValidationError(
                    "the plan folder \(folder) is in another frame of reference than \(dosePath); give the plan the dose was computed for")
            }
            return source
        }
        guard let structuresPath = structures ?? planSource?.structuresURL?.path else {
            throw ValidationError("\(planFolder ?? "the plan folder") holds no RT Structure Set; give --structures RS.dcm")
        }
        let prescription = try prescriptionGy ?? planSource.flatMap { try Self.targetPrescriptionGy($0.planURL, logger: logger) }
        let evaluated = try DoseInputs.structureDVHs(
            structuresPath, on: doseGrid, frameOfReference: frame, selected: onlyStructures, supersampling: 4, logger: logger)
        let results = try set.map {
            try $0.evaluate(dose: doseGrid, structures: evaluated.map(\.mask), prescriptionGy: prescription)
        }
        let comparison = try reference.map { try Self.compare(doseGrid, frame: frame, with: $0, structures: evaluated) }

        var figures = [AnalysisReport.Figure(
            caption: "Dose–volume histograms", svg: try DoseCharts.dvh(try evaluated.map { try $0.dvh.cumulativeCurve(binWidthGy: 0.05) }).svg())]
        let isocentreCM = planSource?.plan.beams.first?.controlPoints.first?.isocentreMM.map { $0 / 10 }
        let underlay = try planSource.map { try CTUnderlay(grid: $0.volume.voxelGrid, hu: $0.volume.huValues) }
        figures += try DoseInputs.figures(
            doseGrid, evaluated, isocentreCM: isocentreCM, ct: underlay, prescriptionGy: prescription
        ).map { .init(caption: $0.caption, svg: $0.svg) }
        let views = try planSource?.views(pixelMM: 1, marginMM: 20) ?? []
        let hottest = doseGrid.doseGy.indices.max { doseGrid.doseGy[$0] < doseGrid.doseGy[$1] } ?? 0
        let (i, j, k) = doseGrid.grid.ijk(ofIndex: hottest)
        figures += try DoseInputs.profileFigures(
            doseGrid,
            through: isocentreCM.flatMap { DoseInputs.covers(doseGrid.grid, $0) ? ("the isocentre", $0) : nil }
                ?? ("the dose maximum", doseGrid.grid.centerCM(i, j, k)),
            beams: views.map { ($0.beam.name, $0.geometry) }, ct: underlay
        ).map { .init(caption: $0.caption, svg: $0.svg) }
        if let histogram = DoseCharts.uncertaintyHistogram(doseGrid) {
            figures.append(.init(caption: histogram.title, svg: try histogram.svg()))
        }
        if let comparison {
            figures.append(.init(caption: comparison.histogram.title, svg: try comparison.histogram.svg()))
            figures += DoseInputs.gammaFigures(comparison.map, through: doseGrid, ct: underlay).map {
                .init(caption: $0.caption, svg: $0.svg)
            }
        }

        var beams: [AnalysisReport.Beam] = []
        for view in views {
            if let plan = planSource?.plan { beams.append(view.row(plan: plan)) }
            figures.append(.init(caption: "Beam's-eye view of \(view.beam.name): DRR, field and structures", svg: view.figure.svg()))
        }

        var inputs = [("RT Dose", dosePath), ("RT Structure Set", structuresPath)]
        if let source = planSource { inputs.append(("RT Plan", source.planURL.path)) }
        if let run {
            inputs.append(("run summary", run.url.appendingPathComponent("summary.json").path))
            if let file = run.threeDDoseURL { inputs.append(("dose per fraction with uncertainty", file.path)) }
        }
        if let reference { inputs.append(("reference RT Dose", reference)) }
        var report = AnalysisReport(
            title: "Dose report: \(planSource?.planURL.lastPathComponent ?? URL(fileURLWithPath: dosePath).lastPathComponent)",
            software: "Penumbra \(PenumbraVersion.string)", generated: ISO8601DateFormatter().string(from: Date()),
            inputs: try inputs.map { role, path in
                AnalysisReport.Input(
                    role: role, fileName: URL(fileURLWithPath: path).lastPathComponent,
                    sha256: try FileDigest.sha256Hex(contentsOf: URL(fileURLWithPath: path)))
            },
            doseFacts: Self.facts(doseGrid, prescriptionGy: prescription, fromPlan: prescriptionGy == nil),
            dvh: evaluated.map { DVHSummary($0.dvh) }, constraints: results, gamma: comparison.map { ($0.role, $0.gamma) },
            referenceDVH: comparison?.dvh, figures: figures, reviewers: try reviewers())
        report.beams = beams
        if patientIdentifiers, let plan = planSource?.plan {
            report.patient = [
                ("name", plan.patient.name), ("ID", plan.patient.id), ("birth date", plan.patient.birthDate), ("RT Plan label", plan.label),
            ]
        } else if patientIdentifiers {
            logger.warning("--patient-identifiers needs the plan folder; the report has none")
        }
        report.computation = run.map { Self.computation($0.summary) } ?? []
        report.densityOverrides = run?.summary.densityOverrides?.map {
            .init(roiNumber: $0.roiNumber, roi: $0.roi, property: $0.property, value: $0.value, medium: $0.medium,
                  densityGPerCM3: $0.densityGPerCM3, voxels: $0.voxels)
        }
        report.devices = run?.summary.devices
        if let prescription { report.conformity = try DoseInputs.conformity(evaluated, doseGrid, prescriptionGy: prescription) }

        try OutputFile.write(report.html(), to: URL(fileURLWithPath: out))
        if let summary { try OutputFile.write(try OutputFile.json(report.summary), to: URL(fileURLWithPath: summary)) }
        if let tables { try Self.writeTables(report, evaluated, to: URL(fileURLWithPath: tables)) }
        if let figuresFolder { try Self.writeFigures(report.figures, to: URL(fileURLWithPath: figuresFolder), logger: logger) }
        logger.info("wrote \(out)")
    }

    // MARK: - Pieces

    /// The professional component's reviewers: physicist, physician, then each `--reviewer`.
    func reviewers() throws -> [AnalysisReport.Reviewer] {
        var list: [AnalysisReport.Reviewer] = [
            .init(role: "Medical physicist", name: physicist, date: physicist == nil ? nil : physicistDate ?? reviewDate),
            .init(role: "Radiation oncologist", name: physician, date: physician == nil ? nil : physicianDate ?? reviewDate),
        ]
        for text in reviewer {
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2, !parts[0].isEmpty else {
                throw ValidationError("--reviewer '\(text)' must be ROLE:NAME or ROLE:NAME:DATE (an empty NAME leaves a blank to sign)")
            }
            list.append(.init(role: parts[0], name: parts[1].isEmpty ? nil : parts[1], date: parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil))
        }
        return list
    }

    /// The largest Target Prescription Dose (300A,0026) of the plan's dose references, Gy.
    static func targetPrescriptionGy(_ plan: URL, logger: Logger) throws -> Double? {
        let references = try DICOMFile.read(contentsOf: plan).dataSet.sequence("DoseReferenceSequence") ?? []
        let doses = try references.compactMap { try $0.double("TargetPrescriptionDose") }.filter { $0 > 0 }
        guard let dose = doses.max() else { return nil }
        logger.info("prescription \(dose) Gy from the RT Plan's dose reference")
        return dose
    }

    /// Grid, maximum, mean uncertainty and prescription as label–value pairs.
    static func facts(_ dose: DoseGrid, prescriptionGy: Double?, fromPlan: Bool) -> [(String, String)] {
        let g = dose.grid
        var facts: [(String, String)] = [
            ("grid", "\(g.counts.x) × \(g.counts.y) × \(g.counts.z) voxels of "
                + String(format: "%.2f × %.2f × %.2f mm", g.spacingCM.x * 10, g.spacingCM.y * 10, g.spacingCM.z * 10)),
            ("maximum dose", String(format: "%.3f Gy", dose.maxDoseGy)),
        ]
        if let sigma = dose.meanRelativeUncertainty() {
            facts.append(("mean uncertainty (D > 50 % Dmax, k = 1)", String(format: "%.2f %%", 100 * sigma)))
        }
        if let prescriptionGy {
            facts.append(("prescription", String(format: "%.2f Gy", prescriptionGy) + (fromPlan ? " (from the RT Plan)" : "")))
        }
        return facts
    }

    /// The Monte Carlo record of a run.
    static func computation(_ s: RunSummary) -> [(String, String)] {
        var rows: [(String, String)] = [
            ("engine", "Penumbra \(s.version)"), ("machine", s.machine), ("histories", String(s.histories)),
            ("random seed", String(s.seed)), ("threads", String(s.threads)), ("wall time", String(format: "%.1f s", s.seconds)),
            ("dose quantity", s.doseUnit),
            ("mean uncertainty above 50 % of the maximum (k = 1)", String(format: "%.2f %%", 100 * s.meanRelativeUncertaintyAboveHalfMax)),
            ("maximum dose per fraction", String(format: "%.3f Gy", s.maximumDoseGy)),
        ]
        if let fractions = s.fractionsPlanned { rows.append(("fractions planned (RT Dose = per fraction × fractions)", String(fractions))) }
        for device in s.ignoredDevices ?? [] { rows.append(("NOT MODELLED, left out of this dose", device)) }
        if s.densityOverrides == nil {
            rows.append((
                "density overrides and devices",
                "not applied: the CT numbers alone inside the EXTERNAL ROI (--ignore-density-overrides, or a run before they were applied)"))
        }
        for beam in s.beams {
            rows.append((
                "beam \(beam.name): dose per fraction at its isocentre",
                beam.isocentreDoseGy.map { d in
                    String(format: "%.3f Gy", d) + (beam.isocentreRelativeUncertainty.map { String(format: " ± %.1f %%", 100 * $0) } ?? "")
                } ?? "outside the dose grid"))
        }
        return rows
    }

    /// The comparison with a reference dose: gamma 3 %/2 mm and 2 %/2 mm global with a 10 % threshold,
    /// the 3 %/2 mm histogram and map, and the structures' DVH metrics under the reference.
    static func compare(_ dose: DoseGrid, frame: String, with path: String, structures: [DoseInputs.EvaluatedStructure]) throws
        -> (role: String, gamma: [AnalysisReport.GammaResult], histogram: BarChart, map: GammaIndex, dvh: [DVHSummary])
    {
        let (referenceGrid, referenceFrame) = try DoseInputs.readDose(path)
        guard referenceFrame == frame else { throw ValidationError("\(path) is in another frame of reference than the dose") }
        let results = try [(3.0, 0.2), (2.0, 0.2)].map { percent, dta in
            try GammaIndex(
                reference: referenceGrid, evaluated: dose,
                options: GammaOptions(doseDifferencePercent: percent, distanceToAgreementCM: dta))
        }
        let role = "reference dose (\(URL(fileURLWithPath: path).lastPathComponent))"
        return (
            role,
            results.map { .init(criteria: $0.options.summary, passRatePercent: $0.passRatePercent, points: $0.evaluatedCount, meanGamma: $0.meanGamma) },
            DoseCharts.gammaHistogram(results[0].histogram(), title: "γ histogram, \(results[0].options.summary), against the \(role)"),
            results[0],
            try structures.map { DVHSummary(try DoseVolumeHistogram(dose: referenceGrid, structure: $0.mask)) })
    }

    /// Every table as CSV, and each structure's cumulative and differential DVH (0.05 Gy bins).
    static func writeTables(_ report: AnalysisReport, _ structures: [DoseInputs.EvaluatedStructure], to folder: URL) throws {
        for (name, table) in report.csvTables {
            try OutputFile.write(table.text, to: folder.appendingPathComponent(name + ".csv"))
        }
        for s in structures {
            let stem = String(s.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            try OutputFile.write(
                DVHTables.curve(try s.dvh.cumulativeCurve(binWidthGy: 0.05)).text,
                to: folder.appendingPathComponent("dvh-cumulative-\(stem).csv"))
            try OutputFile.write(
                DVHTables.curve(try s.dvh.differentialCurve(binWidthGy: 0.05)).text,
                to: folder.appendingPathComponent("dvh-differential-\(stem).csv"))
        }
    }

    /// Each figure as `NN-caption.svg` and, when rsvg-convert is installed, `NN-caption.png`.
    static func writeFigures(_ figures: [AnalysisReport.Figure], to folder: URL, logger: Logger) throws {
        if PNGExport.converter == nil { logger.warning("rsvg-convert not found (Debian: librsvg2-bin): figures are written as SVG only") }
        for (n, figure) in figures.enumerated() {
            var slug = ""
            for c in figure.caption.lowercased() {
                if c.isASCII && (c.isLetter || c.isNumber) { slug.append(c) } else if !slug.hasSuffix("-") { slug.append("-") }
            }
            let stem = String(format: "%02d-", n + 1) + String(slug.prefix(60)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
            try OutputFile.write(figure.svg, to: folder.appendingPathComponent(stem + ".svg"))
            if PNGExport.converter != nil { try PNGExport.write(svg: figure.svg, to: folder.appendingPathComponent(stem + ".png")) }
        }
    }
}
