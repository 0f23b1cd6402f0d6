import Beam
import Foundation
import Report

/// The SVG plots written beside a commissioning record (issue 8: the remaining differences "as gamma pass rates and
/// plots"): depth doses, measured against simulated, and output factors, simulated against the measured or documented
/// table (and the head-scatter fit's prediction). Drawn by Report's `LinePlot`, as the report's own charts are.
enum CommissioningPlots {
    /// One named curve in axis units.
    typealias Curve = LinePlot.Series

    /// Depth doses in % of each curve's maximum against depth (cm).
    static func depthDoses(_ curves: [Curve], title: String) -> LinePlot {
        LinePlot(title: title, x: .init(label: "Depth", unit: "cm"), y: .init(label: "Relative dose", unit: "%", range: 0...105),
                 series: curves)
    }

    /// Output factors (dose per MU at 10 cm depth relative to 10×10) against the square field's side (cm).
    static func outputFactors(_ curves: [Curve], title: String) -> LinePlot {
        let values = curves.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let low = ((values.min() ?? 0.7) * 20).rounded(.down) / 20, high = ((values.max() ?? 1.2) * 20).rounded(.up) / 20
        return LinePlot(title: title, x: .init(label: "Field side", unit: "cm", range: 0...40),
                        y: .init(label: "Output factor", unit: "", range: low...max(high, low + 0.05)), series: curves)
    }

    /// The remaining differences: each curve's output factors relative to `reference` (measured or table), in %, at the
    /// fields both have, with the issue's ±2 % tolerance drawn as two lines.
    static func outputFactorDifferences(_ curves: [Curve], reference: Curve, title: String) -> LinePlot {
        let byField = Dictionary(reference.points.map { ($0.x, $0.y) }, uniquingKeysWith: { a, _ in a })
        let relative = curves.map { c in
            Curve(name: "\(c.name) − \(reference.name)", points: c.points.compactMap { p in
                byField[p.x].map { (x: p.x, y: 100 * (p.y / $0 - 1)) }
            })
        }
        let band = [Curve(name: "+2 %", points: [(0, 2), (40, 2)]), Curve(name: "−2 %", points: [(0, -2), (40, -2)])]
        let largest = relative.flatMap { $0.points.map { abs($0.y) } }.filter(\.isFinite).max() ?? 0
        let bound = max(4, (largest + 1).rounded(.up))
        return LinePlot(title: title, x: .init(label: "Field side", unit: "cm", range: 0...40),
                        y: .init(label: "Difference", unit: "%", range: -bound...bound), series: relative + band)
    }

    /// A curve through (field side, output factor) pairs in order of the field.
    static func curve(_ name: String, _ factors: [(fieldCM: Double, value: Double)]) -> Curve {
        Curve(name: name, points: factors.sorted { $0.fieldCM < $1.fieldCM }.map { (x: $0.fieldCM, y: $0.value) })
    }

    /// Writes each plot as `dir/<fileName>` (atomically) and returns the file names, in order.
    /// - Throws: `ReportError` when a plot has no data or a file cannot be written.
    static func write(_ plots: [(fileName: String, plot: LinePlot)], into dir: URL) throws -> [String] {
        try plots.map { item in
            try OutputFile.write(try item.plot.svg(), to: dir.appendingPathComponent(item.fileName))
            return item.fileName
        }
    }

    static func label(_ fieldCM: Double) -> String { String(format: "%g×%g", fieldCM, fieldCM) }

    /// `penumbra machine commission`'s plots: every simulated depth dose, and the output factors against the machine's
    /// documented table (`CommissioningTarget`, if it has one) and the head-scatter fit's prediction (if fitted).
    static func machine(_ name: String, fields: [MachineCommissionCommand.FieldResult],
                        headScatter: CommissionCommand.HeadScatter?) -> [(fileName: String, plot: LinePlot)] {
        var plots = [(fileName: "depth-doses.svg", plot: depthDoses(
            fields.map { f in Curve(name: "\(label(f.fieldCM)) cm", points: zip(f.depthCM, f.pddPercent).map { (x: $0, y: $1) }) },
            title: "\(name): depth doses at SSD 100 cm"))]
        let simulated = fields.compactMap { f in f.outputFactor.map { (fieldCM: f.fieldCM, value: $0) } }
        if simulated.count > 1 {
            var curves = [curve("simulated", simulated)]
            if let fit = headScatter {
                curves.append(curve("head-scatter fit", fit.fields.map { ($0.fieldCM, $0.predicted) } + [(10, 1)]))
            }
            let table = (CommissioningTarget.forMachine(name)?.outputFactors ?? []).map { ($0.fieldCM, $0.value) }
            let reference = table.isEmpty ? nil : curve("table", table)
            plots.append((fileName: "output-factors.svg", plot: outputFactors(curves + (reference.map { [$0] } ?? []),
                                                                               title: "\(name): output factors at 10 cm depth")))
            if let reference {
                plots.append((fileName: "output-factor-differences.svg", plot: outputFactorDifferences(
                    curves, reference: reference, title: "\(name): output factors against the documented table")))
            }
        }
        return plots
    }

    /// `penumbra commission --measured`'s plots: each measured depth dose with its simulation (`depth-dose-<S>x<S>.svg`),
    /// and the output factors, simulated against measured and against the head-scatter fit's prediction.
    static func measured(_ name: String, scans: MeasuredScans, simulated: [Double: SimulatedField],
                         report: CommissionCommand.Report) -> [(fileName: String, plot: LinePlot)] {
        var plots = scans.depthDoses.compactMap { scan -> (fileName: String, plot: LinePlot)? in
            guard let sim = simulated[scan.fieldCM] else { return nil }
            let side = String(format: "%g", scan.fieldCM)
            let gamma = report.depthDoses.first { $0.fieldCM == scan.fieldCM }.map { String(format: ", γ 2 %%/2 mm pass %.1f %%", $0.gammaPassPercent) } ?? ""
            return (fileName: "depth-dose-\(side)x\(side).svg", plot: depthDoses(
                [Curve(name: "measured", points: zip(scan.depthCM, scan.percent).map { (x: $0, y: $1) }),
                 Curve(name: "simulated", points: zip(sim.depthCM, sim.percent).map { (x: $0, y: $1) })],
                title: "\(name): \(label(scan.fieldCM)) cm depth dose\(gamma)"))
        }
        if report.outputFactors.count > 1 {
            let measured = curve("measured", report.outputFactors.map { ($0.fieldCM, $0.measured) })
            var curves = [curve("simulated", report.outputFactors.map { ($0.fieldCM, $0.simulated) })]
            if let fit = report.headScatter {
                curves.append(curve("head-scatter fit", fit.fields.map { ($0.fieldCM, $0.predicted) } + [(10, 1)]))
            }
            plots.append((fileName: "output-factors.svg", plot: outputFactors([measured] + curves,
                                                                               title: "\(name): output factors at 10 cm depth")))
            plots.append((fileName: "output-factor-differences.svg", plot: outputFactorDifferences(
                curves, reference: measured, title: "\(name): output factors against the measured ones")))
        }
        if let fence = scans.picketFence, let mlc = report.mlc, let fit = mlc.tongueAndGroove, let first = fit.steps.first,
           let last = fit.steps.last {
            plots.append((fileName: "picket-fence.svg", plot: picketFence(fence, transmission: mlc.transmission, fit: fit, first: first,
                                                                          last: last, title: "\(name): picket fence")))
        }
        return plots
    }

    /// The measured picket fence against position across the pairs, with the level 1 + T it would read without
    /// tongue-and-groove and the period means (1 + T)(1 − missing/P) it reads, the model's before and after the fit.
    static func picketFence(_ fence: MeasuredScans.PicketFence, transmission t: Double, fit: CommissionCommand.TongueAndGroove,
                            first: TongueAndGrooveFit.Step, last: TongueAndGrooveFit.Step, title: String) -> LinePlot {
        let ends = [fence.positionCM[0], fence.positionCM[fence.positionCM.count - 1]]
        func level(_ name: String, _ value: Double) -> Curve { Curve(name: name, points: ends.map { (x: $0, y: value) }) }
        func mean(_ missingCM: Double) -> Double { (1 + t) * (1 - missingCM / fence.pairWidthCM) }
        let curves = [
            Curve(name: "measured", points: zip(fence.positionCM, fence.ratio).map { (x: $0, y: $1) }),
            level("1 + T", 1 + t),
            level("mean", mean(fit.measuredMissingWidthCM)),
            level(String(format: "model %.2f mm", 10 * first.tongueAndGrooveWidthCM), mean(first.predictedMissingWidthCM)),
            level(String(format: "fitted %.2f mm", 10 * last.tongueAndGrooveWidthCM), mean(last.predictedMissingWidthCM)),
        ]
        let values = curves.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let low = ((values.min() ?? 0) * 20).rounded(.down) / 20, high = ((values.max() ?? 1) * 20).rounded(.up) / 20
        return LinePlot(title: title, x: .init(label: "Position across the pairs", unit: "cm", range: ends[0]...ends[1]),
                        y: .init(label: "Sum over one exposure's open reading", unit: "", range: low...max(high, low + 0.05)),
                        series: curves)
    }
}
