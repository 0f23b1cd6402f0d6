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

    /// Dose along lines (depth-dose curves or lateral profiles): distance (cm, or mm with `distanceInMM`)
    /// against dose, in Gy or, with `normaliseToPercent`, in % of each line's maximum. Points outside
    /// the dose grid are left out.
    public static func profiles(
        _ lines: [(name: String, samples: [ProfileSample])], title: String, distanceLabel: String = "Depth",
        normaliseToPercent: Bool = false, distanceInMM: Bool = false
    ) -> LinePlot {
        LinePlot(
            title: title, x: .init(label: distanceLabel, unit: distanceInMM ? "mm" : "cm"),
            y: .init(label: normaliseToPercent ? "Relative dose" : "Dose", unit: normaliseToPercent ? "%" : "Gy"),
            series: lines.map { line in
                let present = line.samples.compactMap { s in s.doseGy.map { (x: s.distanceCM, y: $0) } }
                let peak = present.map(\.y).max() ?? 0
                let scale = normaliseToPercent && peak > 0 ? 100 / peak : 1
                let unit = distanceInMM ? 10.0 : 1
                return LinePlot.Series(name: line.name, points: present.map { (x: $0.x * unit, y: $0.y * scale) })
            })
    }
}

extension DoseCharts {
    /// The gamma histogram: percentage of evaluated points per γ bin, with the pass limit γ = 1 marked.
    /// The open last bin is drawn one bin wide and labelled by its lower edge on the axis.
    public static func gammaHistogram(_ bins: [GammaHistogramBin], title: String) -> BarChart {
        let total = Double(bins.reduce(0) { $0 + $1.count })
        let width = bins.first.map { ($0.upperGamma ?? $0.lowerGamma + 0.1) - $0.lowerGamma } ?? 0.1
        return BarChart(
            title: title, x: .init(label: "γ", unit: ""), y: .init(label: "Points", unit: "%"),
            bars: bins.map { bin in
                BarChart.Bar(
                    lower: bin.lowerGamma, upper: bin.upperGamma ?? bin.lowerGamma + width,
                    value: total > 0 ? 100 * Double(bin.count) / total : 0)
            }, marker: (1, "γ = 1"))
    }

    /// The histogram of voxel relative uncertainties (in %) over voxels at or above `fractionOfMax` of
    /// the maximum dose, in bins of `binPercent`; nil when the dose carries no uncertainty.
    public static func uncertaintyHistogram(_ dose: DoseGrid, fractionOfMax: Double = 0.5, binPercent: Double = 0.25)
        -> BarChart?
    {
        guard let sigma = dose.relativeUncertainty, binPercent > 0 else { return nil }
        let threshold = fractionOfMax * dose.maxDoseGy
        let values = dose.doseGy.indices.filter { dose.doseGy[$0] >= threshold && threshold > 0 }.map { 100 * sigma[$0] }
        guard let top = values.max() else { return nil }
        var counts = [Int](repeating: 0, count: Int(top / binPercent) + 1)
        for v in values { counts[Int(v / binPercent)] += 1 }
        return BarChart(
            title: "Statistical uncertainty, voxels ≥ \(Int((fractionOfMax * 100).rounded())) % of the maximum dose",
            x: .init(label: "Relative uncertainty (k = 1)", unit: "%"), y: .init(label: "Voxels", unit: "%"),
            bars: counts.enumerated().map { n, c in
                BarChart.Bar(
                    lower: Double(n) * binPercent, upper: Double(n + 1) * binPercent,
                    value: 100 * Double(c) / Double(values.count))
            })
    }
}
