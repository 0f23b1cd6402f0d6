import Foundation
import Physics

/// Fits a machine's spectrum penetration (its effective filtration) to a measured PDD(10) of the 10×10
/// field from all its simulations at once: ln PDD(10) = a + s·ln Q (Q the spectrum's primary ratio,
/// `BeamQuality`) is fitted by weighted least squares to every step so far, the next filter is solved for the
/// Q where that line meets the measurement, and the fit stops when the line's PDD(10) at the last machine
/// simulated lies within `tolerance` of the measurement by its distance plus its standard error, or after
/// `iterations` simulations.
///
/// Why all steps: where PDD(10) moves little with the filtration (10 MV: ≈ 0.06 points per g/cm²), one run's
/// noise throws a step from its own reading alone by many g/cm² and a lucky reading stops it early
/// (docs/beam-model.md, "generic-10x's filtration"); pooled, the intercept's noise falls as more runs are made.
/// The slope s = d ln PDD(10) / d ln Q has a prior, 0.75 ± 0.25 (generic-6x's commissioning steps 0.41–0.93 and
/// 0.57 over its fit, generic-10x 0.80 from its pooled runs at 52.7 and 76.5 g/cm²; docs/beam-model.md), so that
/// steps close together, whose slope is mostly noise, keep it near 0.75 while steps far apart measure it.
/// A straight line in ln Q is exact only locally: for PDD(10) = scatter + primary ∝ Q its curvature is
/// f(1 − f) ≤ 1/4 (f the primary's share), so a step at x = ln(Q/Q_last) carries an extra error of x²/8 and
/// distant early steps weigh less. Each step changes Q by at most 10 % and the filter stays in 0–150 g/cm²,
/// so that a noisy first reading cannot throw the fit far. The simulator is a parameter so that the algorithm
/// can be tested without transport.
public struct PenetrationFit: Sendable {
    /// One simulation's PDD(10) in % with its standard error (e.g. from independent batches).
    public struct Reading: Sendable {
        public let pdd10Percent: Double
        public let standardErrorPercent: Double
        public init(pdd10Percent: Double, standardErrorPercent: Double) {
            self.pdd10Percent = pdd10Percent
            self.standardErrorPercent = standardErrorPercent
        }
    }

    /// One simulation of the fit and the pooled line's PDD(10) at its machine after it.
    public struct Step: Sendable, Codable {
        public let filterCentralGPerCM2: Double
        public let primaryRatio: Double
        public let simulatedPDD10Percent: Double
        /// nil in records written before the fit pooled its steps (2026-11-30), as are the next two.
        public let simulatedStandardErrorPercent: Double?
        /// The fitted line's PDD(10) at this step's machine, from this and all earlier steps.
        public let pooledPDD10Percent: Double?
        public let pooledStandardErrorPercent: Double?
    }

    /// The prior of the slope d ln PDD(10) / d ln Q (see the type's comment).
    public static let sensitivityPrior = (mean: 0.75, standardDeviation: 0.25)

    /// The fitted machine (the last one simulated) and every step.
    public let machine: MachineModel
    public let steps: [Step]
    /// Whether the last step met the stop rule (false: `iterations` ran out first).
    public let converged: Bool

    /// Runs the fit; `simulate` returns the machine's PDD(10) with its standard error.
    /// - Throws: what the simulator throws; `BeamError.badMachine` for a reading without a positive, finite
    ///   PDD(10) and standard error (nothing to weigh it by).
    public init(machine start: MachineModel, measuredPDD10Percent measured: Double, physics: PhysicsData,
                iterations: Int = 3, tolerance: Double = 0.003, simulate: (MachineModel) throws -> Reading) throws {
        let quality = try BeamQuality(physics: physics)
        var machine = start
        var steps: [Step] = []
        var converged = false
        var points: [(lnQ: Double, lnPDD: Double, variance: Double)] = []
        let count = max(iterations, 1)
        for n in 0..<count {
            let ratio = try quality.primaryRatio(of: machine, physics: physics)
            let reading = try simulate(machine)
            let (pdd, sigma) = (reading.pdd10Percent, reading.standardErrorPercent)
            guard pdd > 0, pdd.isFinite, sigma > 0, sigma.isFinite else {
                throw BeamError.badMachine("commissioning: a simulated PDD(10) of \(pdd) ± \(sigma) % cannot be weighed; "
                                           + "run the reference field in two or more batches with more proposals")
            }
            points.append((log(ratio), log(pdd), (sigma / pdd) * (sigma / pdd)))
            let line = Self.line(through: points)
            let pooled = exp(line.intercept)
            steps.append(Step(filterCentralGPerCM2: machine.spectrum.filterCentralGPerCM2, primaryRatio: ratio,
                              simulatedPDD10Percent: pdd, simulatedStandardErrorPercent: sigma, pooledPDD10Percent: pooled,
                              pooledStandardErrorPercent: pooled * line.interceptStandardError))
            if abs(pooled / measured - 1) + line.interceptStandardError <= tolerance {
                converged = true
                break
            }
            if n == count - 1 { break }
            // A slope near zero would send Q anywhere; the smallest a run has shown is 0.41.
            let slope = max(line.slope, 0.2)
            let factor = min(max(exp((log(measured) - line.intercept) / slope), 0.9), 1.1)
            machine = try quality.withFilter(machine, primaryRatio: ratio * factor, physics: physics, clampingToRange: true)
        }
        self.machine = machine
        self.steps = steps
        self.converged = converged
    }

    /// ln PDD(10) = intercept + slope·(ln Q − ln Q_last) by weighted least squares with the slope's prior as one
    /// more observation (a ridge on the slope); the intercept is the line's ln PDD(10) at the last point.
    static func line(through points: [(lnQ: Double, lnPDD: Double, variance: Double)])
        -> (intercept: Double, slope: Double, interceptStandardError: Double) {
        let last = points[points.count - 1].lnQ
        let prior = sensitivityPrior
        var (s0, s1, s2, sy, sxy) = (0.0, 0.0, 0.0, 0.0, 0.0)
        for p in points {
            let x = p.lnQ - last
            let w = 1 / (p.variance + (x * x / 8) * (x * x / 8))
            s0 += w; s1 += w * x; s2 += w * x * x; sy += w * p.lnPDD; sxy += w * x * p.lnPDD
        }
        let priorWeight = 1 / (prior.standardDeviation * prior.standardDeviation)
        s2 += priorWeight
        sxy += priorWeight * prior.mean
        let determinant = s0 * s2 - s1 * s1
        return ((s2 * sy - s1 * sxy) / determinant, (s0 * sxy - s1 * sy) / determinant, (s2 / determinant).squareRoot())
    }
}
