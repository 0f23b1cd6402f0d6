import Analysis

/// The DVH tables of a report and of `penumbra dvh`, as CSV.
public enum DVHTables {
    /// One row per structure: volume, Dmin, Dmean, Dmax, D98, D95, D50, D2, D0.03cc (Gy), HI.
    public static func summary(_ rows: [DVHSummary]) -> CSVTable {
        CSVTable(
            header: [
                "structure", "volume_cc", "outside_dose_grid_cc", "dmin_gy", "dmean_gy", "dmax_gy", "d98_gy", "d95_gy",
                "d50_gy", "d2_gy", "d0.03cc_gy", "homogeneity_index",
            ],
            rows: rows.map { r in
                [
                    r.structure, CSVTable.number(r.volumeCM3), CSVTable.number(r.volumeOutsideDoseGridCM3),
                    CSVTable.number(r.minGy), CSVTable.number(r.meanGy), CSVTable.number(r.maxGy),
                    CSVTable.number(r.d98Gy), CSVTable.number(r.d95Gy), CSVTable.number(r.d50Gy),
                    CSVTable.number(r.d2Gy), CSVTable.number(r.d0_03ccGy), CSVTable.number(r.homogeneityIndex, decimals: 4),
                ]
            })
    }

    /// A DVH curve: dose (Gy) against volume (cc and % of the structure).
    public static func curve(_ curve: DVHCurve) -> CSVTable {
        let percent = curve.volumesPercent
        return CSVTable(
            header: ["dose_gy", "volume_cc", "volume_percent"],
            rows: curve.dosesGy.indices.map { n in
                [
                    CSVTable.number(curve.dosesGy[n], decimals: 4), CSVTable.number(curve.volumesCM3[n], decimals: 5),
                    CSVTable.number(percent[n], decimals: 4),
                ]
            })
    }

    /// One row per constraint: structure, metric, limit, value, status, source, note.
    public static func constraints(_ results: [ConstraintResult]) -> CSVTable {
        CSVTable(
            header: ["structure", "metric", "comparison", "limit", "unit", "value", "status", "source", "note"],
            rows: results.map { r in
                [
                    r.structureName ?? "", r.constraint.metric.description, r.constraint.comparison.rawValue,
                    CSVTable.number(r.limit), r.constraint.metric.unit, CSVTable.number(r.value), r.status.rawValue,
                    r.constraint.source, r.note ?? "",
                ]
            })
    }
}
