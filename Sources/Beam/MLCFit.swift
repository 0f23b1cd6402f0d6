import Foundation

/// Fits the MLC fluence model's transmission and leaf-end offset to a clinic's closed-leaf and sweeping-gap readings.
///
/// * Transmission: the mean closed-over-open ratio. What passes closed leaves in a measurement includes the photons
///   scattered in them (≈ 1.4 times the unscattered energy for 6.7 cm of tungsten alloy at 6 MV, `LeafScatterEstimate`),
///   so the measured ratio, not a narrow-beam attenuation, is the fluence model's transmission.
/// * Leaf-end offset: the dosimetric leaf gap of the readings (LoSasso, Chui & Ling, Med. Phys. 25, 1919 (1998)): each
///   reading R of a gap g swept over L gives the effective open width (R − T)/(1 − T)·L, a line in g whose value at
///   g = 0 is the DLG. The model's own readings (`predictReadings`, e.g. the in-air fluence of `MLCModelComparison`, or a
///   stand-in in tests) go through the same analysis, and the offset moves by half the difference of the two DLGs
///   until they agree within 0.001 cm or `iterations` predictions are spent. For the fluence model DLG = 2 × offset, so
///   one step usually suffices; the loop absorbs what the model's finite sources and the analysis add.
public struct MLCFit: Sendable {
    /// One prediction of the fit.
    public struct Step: Sendable, Codable {
        public let leafEndOffsetCM: Double
        public let predictedLeafGapCM: Double
        /// Root mean square of predicted − measured readings.
        public let rmsReadingDifference: Double
    }

    /// The machine with the fitted MLC.
    public let machine: MachineModel
    /// The mean measured closed-leaf ratio, nil if none was given (the transmission then stays).
    public let measuredTransmission: Double?
    /// The measured dosimetric leaf gap, cm; nil without sweeping-gap readings.
    public let measuredLeafGapCM: Double?
    public let steps: [Step]

    /// Fits `start`'s MLC to `closedLeafRatios` and `sweepingGaps` (either may be empty, not both).
    /// - Throws: `BeamError.badMachine` without readings, with fewer than two different gaps, or a transmission outside the
    ///   machine file's range; what the predictor throws.
    public init(machine start: MachineModel, closedLeafRatios: [Double], sweepingGaps: [MeasuredScans.SweepingGap],
                iterations: Int = 4,
                predictReadings: (MachineModel.MultileafCollimator, [MeasuredScans.SweepingGap]) throws -> [Double]) throws {
        guard !closedLeafRatios.isEmpty || !sweepingGaps.isEmpty else {
            throw BeamError.badMachine("MLC fit of '\(start.name)': needs closed-leaf or sweeping-gap readings")
        }
        var machine = start
        if !closedLeafRatios.isEmpty {
            let t = closedLeafRatios.reduce(0, +) / Double(closedLeafRatios.count)
            guard t >= 0, t < 0.2 else {
                throw BeamError.badMachine("MLC fit of '\(start.name)': mean closed-leaf ratio \(t) is outside [0, 0.2)")
            }
            machine.mlc.transmission = t
            measuredTransmission = t
        } else {
            measuredTransmission = nil
        }
        var steps: [Step] = []
        if sweepingGaps.isEmpty {
            measuredLeafGapCM = nil
        } else {
            let t = machine.mlc.transmission
            let measured = try Self.leafGapCM(sweepingGaps, readings: sweepingGaps.map(\.ratio), transmission: t)
            measuredLeafGapCM = measured
            for n in 0..<max(iterations, 1) {
                let predicted = try predictReadings(machine.mlc, sweepingGaps)
                guard predicted.count == sweepingGaps.count else {
                    throw BeamError.badMachine("MLC fit of '\(start.name)': \(predicted.count) predicted readings for \(sweepingGaps.count) gaps")
                }
                let gap = try Self.leafGapCM(sweepingGaps, readings: predicted, transmission: t)
                let rms = (zip(predicted, sweepingGaps).reduce(0.0) { $0 + pow($1.0 - $1.1.ratio, 2) } / Double(predicted.count))
                    .squareRoot()
                steps.append(Step(leafEndOffsetCM: machine.mlc.leafEndOffsetCM, predictedLeafGapCM: gap, rmsReadingDifference: rms))
                if abs(gap - measured) < 0.001 || n == max(iterations, 1) - 1 { break }
                // The machine file allows ±0.5 cm. A position table moves with the constant.
                let next = min(max(machine.mlc.leafEndOffsetCM + (measured - gap) / 2, -0.49), 0.49)
                machine.mlc.shiftLeafEndOffset(byCM: next - machine.mlc.leafEndOffsetCM)
            }
        }
        try machine.validate()
        self.machine = machine
        self.steps = steps
    }

    /// The dosimetric leaf gap of sweeping-gap readings (`readings[i]` for `gaps[i]`): the intercept at g = 0 of the least-
    /// squares line through the effective open widths (R − T)/(1 − T)·L.
    /// - Throws: `BeamError.badMachine` with fewer than two different gaps.
    public static func leafGapCM(_ gaps: [MeasuredScans.SweepingGap], readings: [Double], transmission t: Double) throws -> Double {
        let g = gaps.map(\.gapCM)
        let w = zip(gaps, readings).map { ($1 - t) / (1 - t) * $0.sweepCM }
        let n = Double(g.count), mg = g.reduce(0, +) / n, mw = w.reduce(0, +) / n
        let sxx = g.reduce(0.0) { $0 + ($1 - mg) * ($1 - mg) }
        guard sxx > 0 else { throw BeamError.badMachine("sweeping gap: needs at least two different gaps") }
        let slope = zip(g, w).reduce(0.0) { $0 + ($1.0 - mg) * ($1.1 - mw) } / sxx
        return mw - slope * mg
    }
}
