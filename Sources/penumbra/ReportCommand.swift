import Analysis
import ArgumentParser
import Foundation
import Logging
import Report

/// `penumbra report --dose RD.dcm --structures RS.dcm --out report.html`: one self-contained HTML file with
/// the DVH metrics, constraints, figures, the comparison with a reference dose, and the review block.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a dose: DVHs, constraints, figures, gamma, review block.",
        discussion: """
            No network, no scripts; patient-free identifiers only (file names and SHA-256 of the inputs). \
            Reviewer names and dates are printed when given, otherwise left blank to sign on paper.
            """)

    @Option(help: "The RT Dose to report (dose in Gy).")
    var dose: String

    @Option(help: "The RT Structure Set.")
    var structures: String

    @Option(name: .customLong("structure"), help: "Only this structure (repeatable; default: all).")
    var onlyStructures: [String] = []

    @Option(help: "A reference RT Dose (e.g. the planning system's) to compare with: gamma 3%/2mm and 2%/2mm.")
    var reference: String?

    @Option(help: "A constraint set: 'thorax' or a JSON file.")
    var constraints: String?

    @Option(help: "The prescription dose in Gy, for constraints relative to it.")
    var prescriptionGy: Double?

    @Option(help: "The reviewing physicist's name.")
    var physicist: String?

    @Option(help: "The reviewing physician's name.")
    var physician: String?

    @Option(help: "The review date printed beside the names.")
    var reviewDate: String?

    @Option(help: "A folder with the CT series, RT Plan and RT Structure Set: adds the beam table and each beam's DRR.")
    var plan: String?

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "Also write the report's numbers as JSON (summary.json) for pipelines.")
    var summary: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.report")
        let set = try DoseInputs.constraintSet(constraints)
        let (doseGrid, frame) = try DoseInputs.readDose(dose)
        // The plan folder is read (and refused if it does not fit) before the long DVH work.
        let planSource = try plan.map { plan in
            let (source, warnings) = try BeamViews.load(folder: URL(fileURLWithPath: plan))
            for warning in warnings { logger.warning("\(warning)") }
            guard source.volume.frameOfReferenceUID == frame else {
                throw ValidationError(
                    "the plan folder \(plan) is in another frame of reference than \(dose); give the plan the dose was computed for")
            }
            return source
        }
        let evaluated = try DoseInputs.structureDVHs(
            structures, on: doseGrid, frameOfReference: frame, selected: onlyStructures, supersampling: 4, logger: logger)
        let results = try set.map {
            try $0.evaluate(dose: doseGrid, structures: evaluated.map(\.mask), prescriptionGy: prescriptionGy)
        }
        var gamma: (reference: String, results: [AnalysisReport.GammaResult])?
        var referenceDVH: [DVHSummary]?
        if let reference {
            let (referenceGrid, referenceFrame) = try DoseInputs.readDose(reference)
            guard referenceFrame == frame else {
                throw ValidationError("\(reference) is in another frame of reference than \(dose)")
            }
            gamma = (
                "reference dose (\(URL(fileURLWithPath: reference).lastPathComponent))",
                try [(3.0, 0.2), (2.0, 0.2)].map { percent, dta in
                    let g = try GammaIndex(
                        reference: referenceGrid, evaluated: doseGrid,
                        options: GammaOptions(doseDifferencePercent: percent, distanceToAgreementCM: dta))
                    return AnalysisReport.GammaResult(
                        criteria: g.options.summary, passRatePercent: g.passRatePercent, points: g.evaluatedCount,
                        meanGamma: g.meanGamma)
                })
            referenceDVH = try evaluated.map { DVHSummary(try DoseVolumeHistogram(dose: referenceGrid, structure: $0.mask)) }
        }
        let g = doseGrid.grid
        var facts: [(String, String)] = [
            ("grid", "\(g.counts.x) × \(g.counts.y) × \(g.counts.z) voxels of "
                + String(format: "%.2f × %.2f × %.2f mm", g.spacingCM.x * 10, g.spacingCM.y * 10, g.spacingCM.z * 10)),
            ("maximum dose", String(format: "%.3f Gy", doseGrid.maxDoseGy)),
        ]
        if let sigma = doseGrid.meanRelativeUncertainty() {
            facts.append(("mean uncertainty (D > 50 % Dmax, k = 1)", String(format: "%.2f %%", 100 * sigma)))
        }
        if let prescriptionGy { facts.append(("prescription", String(format: "%.2f Gy", prescriptionGy))) }
        let curves = try evaluated.map { try $0.dvh.cumulativeCurve(binWidthGy: 0.05) }
        var figures = [AnalysisReport.Figure(caption: "Dose–volume histograms", svg: try DoseCharts.dvh(curves).svg())]
        figures += try DoseInputs.figures(doseGrid, evaluated).map { .init(caption: $0.caption, svg: $0.svg) }
        let inputs = try [("RT Dose", dose), ("RT Structure Set", structures)].map { role, path in
            AnalysisReport.Input(
                role: role, fileName: URL(fileURLWithPath: path).lastPathComponent,
                sha256: try FileDigest.sha256Hex(contentsOf: URL(fileURLWithPath: path)))
        }
        var beams: [AnalysisReport.Beam] = []
        var planInputs: [AnalysisReport.Input] = []
        if let source = planSource {
            for view in try source.views(pixelMM: 1, marginMM: 20) {
                let b = view.beam, first = b.controlPoints[0]
                beams.append(
                    .init(
                        name: b.name,
                        energy: "\(b.radiationType) "
                            + (b.nominalEnergy.map { String(format: b.radiationType == "PHOTON" ? "%g MV" : "%g MeV", $0) } ?? "—"),
                        gantryDeg: first.gantryAngleDeg, collimatorDeg: first.collimatorAngleDeg, couchDeg: first.couchAngleDeg,
                        monitorUnits: source.plan.metersetMU(beamNumber: b.number), controlPoints: b.controlPoints.count))
                figures.append(.init(caption: "Beam's-eye view of \(b.name): DRR, field and structures", svg: view.figure.svg()))
            }
            planInputs.append(
                .init(role: "RT Plan", fileName: source.planURL.lastPathComponent, sha256: try FileDigest.sha256Hex(contentsOf: source.planURL)))
        }
        var report = AnalysisReport(
            title: "Dose analysis: \(URL(fileURLWithPath: dose).lastPathComponent)",
            software: "Penumbra \(PenumbraVersion.string)", generated: ISO8601DateFormatter().string(from: Date()),
            inputs: inputs + planInputs + (try reference.map {
                [AnalysisReport.Input(
                    role: "reference RT Dose", fileName: URL(fileURLWithPath: $0).lastPathComponent,
                    sha256: try FileDigest.sha256Hex(contentsOf: URL(fileURLWithPath: $0)))]
            } ?? []),
            doseFacts: facts, dvh: evaluated.map { DVHSummary($0.dvh) }, constraints: results, gamma: gamma,
            referenceDVH: referenceDVH, figures: figures,
            reviewers: [
                .init(role: "Medical physicist", name: physicist, date: physicist == nil ? nil : reviewDate),
                .init(role: "Radiation oncologist", name: physician, date: physician == nil ? nil : reviewDate),
            ])
        report.beams = beams
        try OutputFile.write(report.html(), to: URL(fileURLWithPath: out))
        if let summary { try OutputFile.write(try OutputFile.json(report.summary), to: URL(fileURLWithPath: summary)) }
        logger.info("wrote \(out)")
    }
}
