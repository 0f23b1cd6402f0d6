import Foundation

/// Fits the MLC fluence model's tongue-and-groove width to a measured picket fence (`MeasuredScans.PicketFence`).
///
/// What a picket fence fixes is the missing width per leaf boundary (the dip's area over the level 1 + T): dose is the
/// fluence convolved with a normalised kernel, so the period's mean, and with it the missing width, is the same in air,
/// in water at any depth and under any detector (docs/beam-model.md, "MLC: fluence modulation or geometry": once the
/// widths match, the fluence model's band and explicit leaves give the same dip in dose). The model's own reading of the
/// same delivery (`predictMissingWidth`, e.g. the in-air fluence of `MLCModelComparison.tongueAndGroove`, or a stand-in
/// in tests) is compared with the measured one, and the width moves by the difference times (1 + T)/(1 − T) — the
/// fluence model's band passes T in each exposure, so its missing width is w·(1 − T)/(1 + T) — until they agree within
/// 0.0005 cm or `iterations` predictions are spent.
public struct TongueAndGrooveFit: Sendable {
    /// One prediction of the fit.
    public struct Step: Sendable, Codable {
        public let tongueAndGrooveWidthCM: Double
        public let predictedMissingWidthCM: Double
    }

    /// The machine with the fitted width.
    public let machine: MachineModel
    /// The measured missing width per boundary, cm (with the machine's transmission as the level's T).
    public let measuredMissingWidthCM: Double
    public let steps: [Step]

    /// Fits `start`'s tongue-and-groove width to `picketFence` (the level 1 + T takes `start`'s transmission: fit the
    /// transmission first).
    /// - Throws: `BeamError.badMachine` when the measured missing width is negative beyond 0.005 cm (a sum above
    ///   1 + T: the normalisation or the transmission is off) or at least half a pair, or the width would leave the
    ///   machine file's range [0, 0.2) cm; what the predictor throws.
    public init(machine start: MachineModel, picketFence: MeasuredScans.PicketFence, iterations: Int = 4,
                predictMissingWidth: (MachineModel.MultileafCollimator) throws -> Double) throws {
        let t = start.mlc.transmission
        let measured = picketFence.missingWidthCM(transmission: t)
        func fail(_ s: String) -> BeamError { .badMachine("tongue-and-groove fit of '\(start.name)': " + s) }
        // 0.005 cm: a 1 % error of a 0.5 cm period's mean (the normalisation's order), what a scan without dips can read.
        guard measured > -0.005, measured < picketFence.pairWidthCM / 2 else {
            throw fail(String(format: "the picket fence's missing width per boundary is %.4f cm (its mean %.4f of the level 1 + T "
                              + "= %.4f over whole %g cm pairs): check that it is the two exposures' sum over one exposure's open "
                              + "reading, and the MLC transmission", measured, 1 - measured / picketFence.pairWidthCM, 1 + t,
                              picketFence.pairWidthCM))
        }
        var machine = start
        var steps: [Step] = []
        for n in 0..<max(iterations, 1) {
            let predicted = try predictMissingWidth(machine.mlc)
            guard predicted.isFinite else { throw fail("the model's picket fence gave \(predicted)") }
            steps.append(Step(tongueAndGrooveWidthCM: machine.mlc.tongueAndGrooveWidthCM, predictedMissingWidthCM: predicted))
            if abs(predicted - measured) < 0.0005 || n == max(iterations, 1) - 1 { break }
            let next = max(machine.mlc.tongueAndGrooveWidthCM + (measured - predicted) * (1 + t) / (1 - t), 0)
            guard next < 0.2 else {
                throw fail(String(format: "the measured missing width %.4f cm needs a band of %.3f cm or more; the machine file "
                                  + "allows [0, 0.2) cm", measured, next))
            }
            machine.mlc.tongueAndGrooveWidthCM = next
        }
        try machine.validate()
        self.machine = machine
        measuredMissingWidthCM = measured
        self.steps = steps
    }
}
