import Analysis

/// The report's standard charts built from analysis results.
public enum DoseCharts {
    /// Cumulative DVHs of several structures: dose (Gy) against volume (% of each structure).
    public static func dvh(_ curves: [DVHCurve], title: String = "Dose–volume histograms") -> LinePlot {
        LinePlot(
            title: title, x: .init(label: "Dose", unit: "Gy"), y: .init(label: "Volume", unit: "%", range: 0...100),
            series: curves.map { curve in
                LinePlot.Series(
                    name: curve.structureName,
                    points: zip(curve.dosesGy, curve.volumesPercent).map { (x: $0, y: $1) })
            })
    }

    /// Dose along lines (depth-dose curves or lateral profiles): distance (cm) against dose, in Gy or,
    /// with `normaliseToPercent`, in % of each line's maximum. Points outside the dose grid are left out.
    public static func profiles(
        _ lines: [(name: String, samples: [ProfileSample])], title: String, distanceLabel: String = "Depth",
        normaliseToPercent: Bool = false
    ) -> LinePlot {
        LinePlot(
            title: title, x: .init(label: distanceLabel, unit: "cm"),
            y: .init(label: normaliseToPercent ? "Relative dose" : "Dose", unit: normaliseToPercent ? "%" : "Gy"),
            series: lines.map { line in
                let present = line.samples.compactMap { s in s.doseGy.map { (x: s.distanceCM, y: $0) } }
                let peak = present.map(\.y).max() ?? 0
                let scale = normaliseToPercent && peak > 0 ? 100 / peak : 1
                return LinePlot.Series(name: line.name, points: present.map { (x: $0.x, y: $0.y * scale) })
            })
    }
}
