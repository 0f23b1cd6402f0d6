import Foundation

/// Fits the extra-focal (head-scatter) source's weight and width to measured output factors.
///
/// An output factor is S_c · S_p (AAPM TG-74): S_c, the in-air part, comes from the source model
/// (`InAirOutputRatio`, no transport) and is where the head-scatter parameters act; S_p, the phantom scatter,
/// depends on the field in water and hardly on the head. So one Monte Carlo run per field with the starting
/// machine gives S_p = OF_simulated / S_c,start, and the fit searches the weight w and width σ for which
/// S_p · S_c(w, σ) meets the measured factors (least squares of the logarithms, every field equally weighted;
/// a grid over w ∈ [0, 0.25], σ ∈ [0.2, 4] cm refined three times). The extra-focal source stays where the
/// machine file puts it (the flattening filter). A final Monte Carlo run of the fitted machine checks it.
public struct HeadScatterFit: Sendable {
    /// One field of the fit: measured, simulated with the starting machine, and predicted for the fitted one.
    public struct Field: Sendable, Codable {
        public let fieldCM: Double
        public let measured: Double
        public let simulatedStart: Double
        /// S_p = simulatedStart / S_c of the starting machine.
        public let phantomScatter: Double
        /// S_c · S_p with the fitted machine.
        public let predicted: Double
    }

    /// The machine with the fitted extra-focal weight and width; a calibrated start's Φ₀ is scaled by the change
    /// of the reference field's in-air energy fluence on the axis (a new `MUCalibration` run confirms it).
    public let machine: MachineModel
    public let fields: [Field]
    /// Root mean square of ln(predicted / measured) over the fields.
    public let rmsLogDifference: Double

    /// Fits `start` to `measured` output factors (relative to 10×10) given `simulated` ones of `start`
    /// (same fields, same normalisation); `model` is `start` made ready (`SourceModel`).
    /// - Throws: `BeamError.badMachine` when fewer than two fields other than 10×10 are given or a field is missing
    ///   from `simulated`.
    public init(model: SourceModel, measured: [CommissioningTarget.OutputFactor], simulated: [Double: Double]) throws {
        let start = model.machine
        let used = measured.filter { $0.fieldCM != 10 }
        guard used.count >= 2 else {
            throw BeamError.badMachine("head-scatter fit of '\(start.name)': needs output factors of at least two fields besides 10×10")
        }
        let startRatio = InAirOutputRatio(model: model)
        let sp = try used.map { of -> Double in
            guard let sim = simulated[of.fieldCM], sim > 0 else {
                throw BeamError.badMachine("head-scatter fit of '\(start.name)': no simulated output factor for \(of.fieldCM) cm")
            }
            return sim / startRatio.ratio(fieldCM: of.fieldCM, referenceFieldCM: 10)
        }
        func with(_ w: Double, _ sigma: Double) -> MachineModel {
            var m = start
            m.extraFocalSource.weight = w
            m.extraFocalSource.sigmaCM = sigma
            return m
        }
        func cost(_ w: Double, _ sigma: Double) -> Double {
            let r = InAirOutputRatio(machine: with(w, sigma), meanEnergiesOf: startRatio)
            return zip(used, sp).reduce(0.0) { acc, p in
                let d = log(p.1 * r.ratio(fieldCM: p.0.fieldCM, referenceFieldCM: 10) / p.0.value)
                return acc + d * d
            }
        }
        let wLimit = min(0.25, 0.49 - start.electronContamination.weight)
        var wRange = 0.0...wLimit, sRange = 0.2...4.0
        var best = (w: start.extraFocalSource.weight, s: start.extraFocalSource.sigmaCM,
                    c: cost(start.extraFocalSource.weight, start.extraFocalSource.sigmaCM))
        for _ in 0..<4 {
            let n = 40
            for i in 0...n {
                for j in 0...n {
                    let w = wRange.lowerBound + (wRange.upperBound - wRange.lowerBound) * Double(i) / Double(n)
                    let s = sRange.lowerBound + (sRange.upperBound - sRange.lowerBound) * Double(j) / Double(n)
                    let c = cost(w, s)
                    if c < best.c { best = (w, s, c) }
                }
            }
            let dw = (wRange.upperBound - wRange.lowerBound) / 10, ds = (sRange.upperBound - sRange.lowerBound) / 10
            wRange = max(0, best.w - dw)...min(wLimit, best.w + dw)
            sRange = max(0.05, best.s - ds)...(best.s + ds)
        }
        var fittedMachine = with(best.w, best.s)
        let fitted = InAirOutputRatio(machine: fittedMachine, meanEnergiesOf: startRatio)
        // MU calibration to first order: the reference dose follows the in-air energy fluence on the axis.
        let reference = InAirOutputRatio.square(start.calibration.referenceFieldCM)
        if let phi = start.calibration.proposalsPerCM2PerMU {
            fittedMachine.calibration.proposalsPerCM2PerMU =
                phi * startRatio.axisEnergyFluence(reference) / fitted.axisEnergyFluence(reference)
        }
        machine = fittedMachine
        fields = zip(used, sp).map { of, p in
            Field(fieldCM: of.fieldCM, measured: of.value, simulatedStart: simulated[of.fieldCM]!, phantomScatter: p,
                  predicted: p * fitted.ratio(fieldCM: of.fieldCM, referenceFieldCM: 10))
        }
        rmsLogDifference = (best.c / Double(used.count)).squareRoot()
    }
}
