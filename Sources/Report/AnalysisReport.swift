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

    /// Conformity of one target to the prescription isodose, with its homogeneity.
    public struct Conformity: Sendable {
        /// The target's name.
        public var structure: String
        /// The volumes and indices (`Analysis.ConformityIndices`).
        public var indices: ConformityIndices
        /// The target's ICRU 83 homogeneity index.
        public var homogeneityIndex: Double?
        /// Creates a conformity row.
        public init(structure: String, indices: ConformityIndices, homogeneityIndex: Double?) {
            self.structure = structure
            self.indices = indices
            self.homogeneityIndex = homogeneityIndex
        }
    }

    /// One DVH metric of one structure under this dose and under the reference dose.
    public struct MetricDifference: Sendable, Encodable {
        /// The structure and metric ("Dmean", "D98", "D95", "D2").
        public let structure: String, metric: String
        /// The metric under this dose and under the reference, Gy.
        public let doseGy: Double, referenceGy: Double
        /// The relative difference (this / reference − 1) in %, nil when the reference is 0.
        public let differencePercent: Double?
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
    /// The Monte Carlo calculation's settings and statistics, as label–value pairs (empty when the dose
    /// does not come from a Penumbra run).
    public var computation: [(String, String)] = []
    /// The run's density overrides (`summary.json`); nil when the dose is not a Penumbra run's or the run computed
    /// the CT alone (`--ignore-density-overrides`), which the computation table then says.
    public var densityOverrides: [DensityOverride]? = nil
    /// The devices (couch, bolus, immobilisation) the run's phantom held; nil as for `densityOverrides`.
    public var devices: [Device]? = nil
    /// Conformity of the targets to the prescription isodose (empty without a prescription or target).
    public var conformity: [Conformity] = []
    /// Patient identifiers (name, ID, …) as label–value pairs: empty unless the user asked for them.
    public var patient: [(String, String)] = []

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

    private static func html(_ table: Table) -> String {
        var html = "<table id=\"\(table.name)\"><thead><tr>" + table.header.map { "<th>\(e($0))</th>" }.joined()
            + "</tr></thead><tbody>"
        for (n, row) in table.rows.enumerated() {
            let cls = n < table.rowClasses.count && !table.rowClasses[n].isEmpty ? " class=\"\(table.rowClasses[n])\"" : ""
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
        let views = figures.contains { $0.caption.lowercased().contains("beam's-eye view") }
        return [
            ("3D volume reconstruction", slices,
                slices ? "axial, coronal and sagittal planes through the volume" + (views ? "; beam's-eye views (DRRs)" : "")
                    : "not included"),
            ("Dose distribution", slices, slices ? "dose figures with isodose lines" : "not included"),
            ("Dose–volume histograms", !dvh.isEmpty && dvhPlot, "DVH figure and metrics table"),
            ("Summary of the 3D dose calculation in graph form", dvhPlot, dvhPlot ? "DVH figure, dose figures" : "not included"),
        ]
    }

    /// The report as one self-contained HTML document.
    public func html() -> String {
        let e = Self.e
        let tables = Dictionary(self.tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func section(_ name: String, level: Int = 2) -> String {
            guard let t = tables[name] else { return "" }
            return "<h\(level)>\(e(t.title))</h\(level)>" + Self.html(t)
        }
        var body = "<h1>\(e(title))</h1>"
        body += "<p class=\"meta\">\(e(software)) · generated \(e(generated)) · "
            + (patient.isEmpty ? "no patient identifiers" : "patient identifiers included on request") + "</p>"
        for name in [
            "patient", "inputs", "beams", "dose", "computation", "density-overrides", "devices", "dvh-metrics", "conformity",
            "constraints", "gamma",
        ] {
            body += section(name)
        }
        body += section("dvh-differences", level: 3)
        if !figures.isEmpty {
            body += "<h2>Figures</h2>"
            for figure in figures {
                body += "<figure>\(Self.inline(figure.svg))<figcaption>\(e(figure.caption))</figcaption></figure>"
            }
        }
        body += section("cpt77295")
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
