import Analysis
import Foundation

/// A self-contained HTML report of a dose analysis: inputs with their hashes, DVH metrics, constraint
/// checks, the comparison with a reference dose, figures, the CPT 77295 documentation elements present,
/// and a review block that keeps the technical component (the computation record, modifier TC) apart from
/// the professional component (the physicist's and physician's review and sign-off, modifier 26).
///
/// The document is XHTML-compatible HTML5 with inline CSS and inline SVG: no scripts, no network.
public struct AnalysisReport: Sendable {
    /// An input file: what it is, its name, and its SHA-256.
    public struct Input: Sendable {
        /// What the file is (e.g. "RT Dose"), its name (no folder: folders can name patients), its hash.
        public var role: String, fileName: String, sha256: String
        /// Creates an input record.
        public init(role: String, fileName: String, sha256: String) {
            self.role = role
            self.fileName = fileName
            self.sha256 = sha256
        }
    }

    /// One gamma result.
    public struct GammaResult: Sendable {
        /// The criteria as written (`GammaOptions.summary`), the pass rate, the points evaluated, mean γ.
        public var criteria: String, passRatePercent: Double?, points: Int, meanGamma: Double?
        /// Creates a gamma record.
        public init(criteria: String, passRatePercent: Double?, points: Int, meanGamma: Double?) {
            self.criteria = criteria
            self.passRatePercent = passRatePercent
            self.points = points
            self.meanGamma = meanGamma
        }
    }

    /// A reviewer of the professional component; name and date are left blank to sign on paper.
    public struct Reviewer: Sendable {
        /// The reviewer's role, name and review date (nil: a blank to fill in by hand).
        public var role: String, name: String?, date: String?
        /// Creates a reviewer line.
        public init(role: String, name: String? = nil, date: String? = nil) {
            self.role = role
            self.name = name
            self.date = date
        }
    }

    /// One beam of the plan, as the beam table prints it (angles at the first control point).
    public struct Beam: Sendable, Encodable {
        /// The beam's name, radiation type and nominal energy as written (e.g. "PHOTON 6 MV").
        public var name: String, energy: String
        /// Gantry, collimator and couch angles at the first control point, degrees.
        public var gantryDeg: Double, collimatorDeg: Double, couchDeg: Double
        /// The beam's meterset, MU (nil when the plan gives none), and its number of control points.
        public var monitorUnits: Double?, controlPoints: Int
        /// Creates a beam row.
        public init(
            name: String, energy: String, gantryDeg: Double, collimatorDeg: Double, couchDeg: Double,
            monitorUnits: Double?, controlPoints: Int
        ) {
            self.name = name
            self.energy = energy
            self.gantryDeg = gantryDeg
            self.collimatorDeg = collimatorDeg
            self.couchDeg = couchDeg
            self.monitorUnits = monitorUnits
            self.controlPoints = controlPoints
        }
    }

    /// A figure: caption and SVG document.
    public struct Figure: Sendable {
        /// The caption under the figure and the SVG document (inlined without its XML declaration).
        public var caption: String, svg: String
        /// Creates a figure.
        public init(caption: String, svg: String) {
            self.caption = caption
            self.svg = svg
        }
    }

    /// The report's heading.
    public var title: String
    /// Software name and version (the computation record).
    public var software: String
    /// When the report was made (ISO 8601).
    public var generated: String
    /// The input files.
    public var inputs: [Input]
    /// Facts about the dose (grid, maximum, uncertainty), as label–value pairs.
    public var doseFacts: [(String, String)]
    /// DVH metrics per structure.
    public var dvh: [DVHSummary]
    /// Constraint results, when a set was checked.
    public var constraints: [ConstraintResult]?
    /// Gamma against the reference dose, with the reference's role (e.g. "planning system").
    public var gamma: (reference: String, results: [GammaResult])?
    /// The DVH metrics of the same structures under the reference dose, for the difference table.
    public var referenceDVH: [DVHSummary]?
    /// Figures, in order.
    public var figures: [Figure]
    /// The professional component's reviewers.
    public var reviewers: [Reviewer]
    /// The plan's beams, when a plan was given.
    public var beams: [Beam] = []

    /// Creates a report.
    public init(
        title: String, software: String, generated: String, inputs: [Input], doseFacts: [(String, String)],
        dvh: [DVHSummary], constraints: [ConstraintResult]? = nil, gamma: (reference: String, results: [GammaResult])? = nil,
        referenceDVH: [DVHSummary]? = nil, figures: [Figure] = [],
        reviewers: [Reviewer] = [Reviewer(role: "Medical physicist"), Reviewer(role: "Radiation oncologist")]
    ) {
        self.title = title
        self.software = software
        self.generated = generated
        self.inputs = inputs
        self.doseFacts = doseFacts
        self.dvh = dvh
        self.constraints = constraints
        self.gamma = gamma
        self.referenceDVH = referenceDVH
        self.figures = figures
        self.reviewers = reviewers
    }

    // MARK: - HTML

    private static func e(_ text: String) -> String { SVGWriter.escape(text) }

    private static func table(_ header: [String], _ rows: [[String]], classes: [String] = []) -> String {
        var html = "<table><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (n, row) in rows.enumerated() {
            let cls = n < classes.count && !classes[n].isEmpty ? " class=\"\(classes[n])\"" : ""
            html += "<tr\(cls)>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    /// The SVG without its XML declaration, for inline use.
    private static func inline(_ svg: String) -> String {
        guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
        return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The CPT 77295 documentation elements (3D volume reconstruction, dose distribution, dose–volume
    /// histograms, summary of the 3D dose calculation in graph form) and whether this report holds them.
    public var cptElements: [(element: String, present: Bool, where: String)] {
        let slices = figures.contains { $0.caption.lowercased().contains("plane") }
        let dvhPlot = figures.contains { $0.caption.lowercased().contains("dose–volume") }
        return [
            ("3D volume reconstruction", slices, slices ? "dose planes through the volume (figures)" : "not included"),
            ("Dose distribution", slices, slices ? "axial, coronal and sagittal dose figures with isodoses" : "not included"),
            ("Dose–volume histograms", !dvh.isEmpty && dvhPlot, "DVH figure and metrics table"),
            ("Summary of the 3D dose calculation in graph form", dvhPlot, dvhPlot ? "DVH figure, dose figures" : "not included"),
        ]
    }

    /// The report as one self-contained HTML document.
    public func html() -> String {
        let e = Self.e
        var body = "<h1>\(e(title))</h1>"
        body += "<p class=\"meta\">\(e(software)) · generated \(e(generated)) · no patient identifiers</p>"
        body += "<h2>Inputs</h2>" + Self.table(["input", "file", "SHA-256"], inputs.map { [$0.role, $0.fileName, $0.sha256] })
        if !beams.isEmpty {
            body += "<h2>Beams</h2>"
                + Self.table(
                    ["beam", "energy", "gantry (°)", "collimator (°)", "couch (°)", "MU", "control points"],
                    beams.map { b in
                        [b.name, b.energy, String(format: "%.1f", b.gantryDeg), String(format: "%.1f", b.collimatorDeg),
                            String(format: "%.1f", b.couchDeg), b.monitorUnits.map { String(format: "%.1f", $0) } ?? "—",
                            String(b.controlPoints)]
                    })
        }
        body += "<h2>Dose</h2>" + Self.table(["quantity", "value"], doseFacts.map { [$0.0, $0.1] })
        body += "<h2>Dose–volume metrics</h2>"
            + Self.table(
                ["structure", "volume (cc)", "Dmin (Gy)", "Dmean (Gy)", "Dmax (Gy)", "D98 (Gy)", "D95 (Gy)", "D50 (Gy)",
                    "D2 (Gy)", "D0.03cc (Gy)"],
                dvh.map { s in
                    [s.structure, CSVTable.number(s.volumeCM3, decimals: 2)]
                        + [s.minGy, s.meanGy, s.maxGy, s.d98Gy, s.d95Gy, s.d50Gy, s.d2Gy, s.d0_03ccGy].map {
                            CSVTable.number($0, decimals: 2)
                        }
                })
        if let constraints {
            body += "<h2>Constraints</h2>"
                + Self.table(
                    ["structure", "constraint", "value", "status", "source", "note"],
                    constraints.map { r in
                        let c = r.constraint
                        return [
                            r.structureName ?? "—",
                            "\(c.metric) \(c.comparison.rawValue) \(CSVTable.number(c.limit, decimals: 2)) \(c.unit.rawValue)",
                            r.value.map { CSVTable.number($0, decimals: 2) + " " + c.metric.unit } ?? "—", r.status.rawValue,
                            c.source, r.note ?? "",
                        ]
                    }, classes: constraints.map { $0.status == .pass ? "pass" : $0.status == .fail ? "fail" : "open" })
        }
        if let gamma {
            body += "<h2>Comparison with the \(e(gamma.reference))</h2>"
                + Self.table(
                    ["criteria", "pass rate", "points", "mean γ"],
                    gamma.results.map { g in
                        [
                            g.criteria, g.passRatePercent.map { String(format: "%.2f %%", $0) } ?? "—", String(g.points),
                            g.meanGamma.map { String(format: "%.3f", $0) } ?? "—",
                        ]
                    })
        }
        if let referenceDVH, let gamma {
            let reference = Dictionary(referenceDVH.map { ($0.structure, $0) }, uniquingKeysWith: { a, _ in a })
            var rows: [[String]] = []
            for s in dvh {
                guard let r = reference[s.structure] else { continue }
                for (metric, a, b) in [("Dmean", s.meanGy, r.meanGy), ("D98", s.d98Gy, r.d98Gy), ("D95", s.d95Gy, r.d95Gy),
                    ("D2", s.d2Gy, r.d2Gy)]
                {
                    rows.append([
                        s.structure, metric, CSVTable.number(a, decimals: 3), CSVTable.number(b, decimals: 3),
                        b > 0 ? String(format: "%+.2f %%", 100 * (a / b - 1)) : "—",
                    ])
                }
            }
            body += "<h3>DVH metrics against the \(e(gamma.reference))</h3>"
                + Self.table(["structure", "metric", "this dose (Gy)", "reference (Gy)", "difference"], rows)
        }
        if !figures.isEmpty {
            body += "<h2>Figures</h2>"
            for figure in figures {
                body += "<figure>\(Self.inline(figure.svg))<figcaption>\(e(figure.caption))</figcaption></figure>"
            }
        }
        body += "<h2>CPT 77295 documentation elements</h2>"
            + Self.table(
                ["element", "present", "where"], cptElements.map { [$0.element, $0.present ? "yes" : "no", $0.where] })
        body += "<h2>Review</h2><div class=\"review\">"
        body += "<section><h3>Technical component (TC): computation record</h3><p>Computed by \(e(software)) on "
            + "\(e(generated)) from the inputs listed above (SHA-256).</p></section>"
        body += "<section><h3>Professional component (26): review and sign-off</h3>"
        for r in reviewers {
            body += "<p class=\"sign\"><span>\(e(r.role))</span> name: <span class=\"field\">\(e(r.name ?? ""))</span> "
                + "date: <span class=\"field\">\(e(r.date ?? ""))</span> signature: <span class=\"field\"></span></p>"
        }
        body += "</section></div>"
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
            <title>\(e(title))</title>
            <style>
            body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2em;color:#111;max-width:1100px}
            table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #999;padding:0.2em 0.6em;text-align:left}
            th{background:#eee}tr.pass td:nth-child(4){color:#006e4f;font-weight:bold}
            tr.fail td:nth-child(4){color:#a33a00;font-weight:bold}tr.open td:nth-child(4){color:#555;font-style:italic}
            figure{margin:1em 0}figcaption{font-size:0.9em;color:#333}.meta{color:#555}
            .field{display:inline-block;min-width:14em;border-bottom:1px solid #000;margin-right:1em}
            .review section{border:1px solid #999;padding:0.5em 1em;margin-bottom:1em}
            </style></head>
            <body>
            """ + body + "\n</body></html>\n"
    }
}

// MARK: - Machine-readable summary

extension AnalysisReport {
    /// What an overnight pipeline reads: the same numbers as the HTML, as JSON (`summary.json`).
    public struct Summary: Encodable {
        /// An input file and its SHA-256.
        public struct InputRecord: Encodable {
            public let role: String, fileName: String, sha256: String
        }
        /// One gamma result.
        public struct GammaRecord: Encodable {
            public let criteria: String, passRatePercent: Double?, points: Int, meanGamma: Double?
        }
        /// Heading, software and version, generation time (ISO 8601).
        public let title: String, software: String, generated: String
        /// The input files.
        public let inputs: [InputRecord]
        /// Dose facts by label.
        public let dose: [String: String]
        /// DVH metrics per structure.
        public let structures: [DVHSummary]
        /// Constraint results, when a set was checked.
        public let constraints: [ConstraintResult]?
        /// Whether every evaluated constraint passed; nil without constraints or when none was evaluated.
        public let allConstraintsPass: Bool?
        /// What the gamma results compare against, and the results.
        public let gammaReference: String?
        /// The gamma results.
        public let gamma: [GammaRecord]?
        /// The plan's beams (empty without a plan).
        public let beams: [Beam]
    }

    /// The report's numbers for machines.
    public var summary: Summary {
        let evaluated = constraints?.filter { $0.status != .notEvaluated } ?? []
        return Summary(
            title: title, software: software, generated: generated,
            inputs: inputs.map { .init(role: $0.role, fileName: $0.fileName, sha256: $0.sha256) },
            dose: Dictionary(doseFacts, uniquingKeysWith: { first, _ in first }), structures: dvh,
            constraints: constraints, allConstraintsPass: evaluated.isEmpty ? nil : evaluated.allSatisfy { $0.status == .pass },
            gammaReference: gamma?.reference,
            gamma: gamma?.results.map {
                .init(criteria: $0.criteria, passRatePercent: $0.passRatePercent, points: $0.points, meanGamma: $0.meanGamma)
            }, beams: beams)
    }
}
