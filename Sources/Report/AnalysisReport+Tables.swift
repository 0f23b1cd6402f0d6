import Analysis
import Foundation

/// The report's tables, once: the HTML prints them, `csvTables` writes them as CSV, and `summary` carries
/// the same numbers as JSON.
extension AnalysisReport {
    /// A table of the report: a file-name-safe name (the CSV's stem and the HTML table's id), the heading
    /// it is printed under, its header and rows as printed, and a CSS class per row (may be empty).
    public struct Table: Sendable {
        public let name: String, title: String
        public let header: [String]
        public let rows: [[String]]
        public var rowClasses: [String] = []
    }

    /// The DVH metrics of each structure under this dose and the reference dose (empty without both).
    public var metricDifferences: [MetricDifference] {
        guard let referenceDVH, gamma != nil else { return [] }
        let reference = Dictionary(referenceDVH.map { ($0.structure, $0) }, uniquingKeysWith: { a, _ in a })
        return dvh.flatMap { s -> [MetricDifference] in
            guard let r = reference[s.structure] else { return [] }
            return [("Dmean", s.meanGy, r.meanGy), ("D98", s.d98Gy, r.d98Gy), ("D95", s.d95Gy, r.d95Gy), ("D2", s.d2Gy, r.d2Gy)]
                .map { metric, a, b in
                    MetricDifference(
                        structure: s.structure, metric: metric, doseGy: a, referenceGy: b,
                        differencePercent: b > 0 ? 100 * (a / b - 1) : nil)
                }
        }
    }

    /// Every table of the report, in the order printed.
    public var tables: [Table] {
        func n(_ v: Double?, _ decimals: Int = 2) -> String { v.map { CSVTable.number($0, decimals: decimals) } ?? "—" }
        var t: [Table] = patient.isEmpty ? [] : [
            Table(name: "patient", title: "Patient", header: ["identifier", "value"], rows: patient.map { [$0.0, $0.1] })
        ]
        t += [
            Table(name: "inputs", title: "Inputs", header: ["input", "file", "SHA-256"], rows: inputs.map { [$0.role, $0.fileName, $0.sha256] })
        ]
        if !beams.isEmpty {
            t.append(
                Table(
                    name: "beams", title: "Beams",
                    header: ["beam", "energy", "gantry (°)", "collimator (°)", "couch (°)", "MU", "control points"],
                    rows: beams.map { b in
                        [b.name, b.energy, n(b.gantryDeg, 1), n(b.collimatorDeg, 1), n(b.couchDeg, 1), n(b.monitorUnits, 1), String(b.controlPoints)]
                    }))
        }
        t.append(Table(name: "dose", title: "Dose", header: ["quantity", "value"], rows: doseFacts.map { [$0.0, $0.1] }))
        if !computation.isEmpty {
            t.append(
                Table(name: "computation", title: "Monte Carlo calculation", header: ["setting", "value"], rows: computation.map { [$0.0, $0.1] }))
        }
        t += phantomContentTables
        t.append(
            Table(
                name: "dvh-metrics", title: "Dose–volume metrics",
                header: ["structure", "volume (cc)", "Dmin (Gy)", "Dmean (Gy)", "Dmax (Gy)", "D98 (Gy)", "D95 (Gy)", "D50 (Gy)",
                    "D2 (Gy)", "D0.03cc (Gy)", "HI"],
                rows: dvh.map { s in
                    [s.structure, n(s.volumeCM3)] + [s.minGy, s.meanGy, s.maxGy, s.d98Gy, s.d95Gy, s.d50Gy, s.d2Gy, s.d0_03ccGy].map { n($0) }
                        + [n(s.homogeneityIndex, 3)]
                }))
        if !conformity.isEmpty {
            t.append(
                Table(
                    name: "conformity", title: "Conformity to the prescription isodose",
                    header: ["target", "prescription (Gy)", "TV (cc)", "TV in PIV (cc)", "PIV (cc)", "Paddick CI", "RTOG CI", "HI"],
                    rows: conformity.map { c in
                        let i = c.indices
                        return [c.structure, n(i.prescriptionGy), n(i.targetVolumeCM3), n(i.coveredTargetVolumeCM3),
                            n(i.prescriptionIsodoseVolumeCM3), n(i.paddick, 3), n(i.rtog, 3), n(c.homogeneityIndex, 3)]
                    }))
        }
        if let constraints {
            var table = Table(
                name: "constraints", title: "Constraints", header: ["structure", "constraint", "value", "status", "source", "note"],
                rows: constraints.map { r in
                    let c = r.constraint
                    return [
                        r.structureName ?? "—", "\(c.metric) \(c.comparison.rawValue) \(n(c.limit)) \(c.unit.rawValue)",
                        r.value.map { n($0) + " " + c.metric.unit } ?? "—", r.status.rawValue, c.source, r.note ?? "",
                    ]
                })
            table.rowClasses = constraints.map { $0.status == .pass ? "pass" : $0.status == .fail ? "fail" : "open" }
            t.append(table)
        }
        if let gamma {
            t.append(
                Table(
                    name: "gamma", title: "Comparison with the \(gamma.reference)", header: ["criteria", "pass rate", "points", "mean γ"],
                    rows: gamma.results.map { g in
                        [g.criteria, g.passRatePercent.map { String(format: "%.2f %%", $0) } ?? "—", String(g.points), n(g.meanGamma, 3)]
                    }))
            let differences = metricDifferences
            if !differences.isEmpty {
                t.append(
                    Table(
                        name: "dvh-differences", title: "DVH metrics against the \(gamma.reference)",
                        header: ["structure", "metric", "this dose (Gy)", "reference (Gy)", "difference"],
                        rows: differences.map { d in
                            [d.structure, d.metric, n(d.doseGy, 3), n(d.referenceGy, 3),
                                d.differencePercent.map { String(format: "%+.2f %%", $0) } ?? "—"]
                        }))
            }
        }
        t.append(
            Table(
                name: "cpt77295", title: "CPT 77295 documentation elements", header: ["element", "present", "where"],
                rows: cptElements.map { [$0.element, $0.present ? "yes" : "no", $0.where] }))
        return t
    }

    /// Every table as CSV, keyed by its name: as printed, except the DVH metrics and the constraints,
    /// which carry full precision and every column (`DVHTables`).
    public var csvTables: [(name: String, table: CSVTable)] {
        tables.map { t in
            switch t.name {
            case "dvh-metrics": (t.name, DVHTables.summary(dvh))
            case "constraints": (t.name, DVHTables.constraints(constraints ?? []))
            default: (t.name, CSVTable(header: t.header, rows: t.rows))
            }
        }
    }
}
