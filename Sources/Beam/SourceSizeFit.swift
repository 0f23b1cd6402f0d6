import Foundation

/// Fits the focal (primary) source's size to measured crossline profile penumbrae (80–20 %).
///
/// A Gaussian source of σ seen through the X jaws (the profiles run along Xb) blurs a jaw edge on the plane at
/// depth d (SSD 100 cm) into an erf edge of σ·k with k = (SAD − z_jaw)/z_jaw · (SSD + d)/SAD, whose 80–20 % width is
/// 1.683·σ·k (2 × 0.8416, the normal quantile of 0.8). The phantom's spread adds to it: to first order in quadrature,
/// P² = P_phantom² + (1.683·k·σ)². So one simulation at σ₀ gives each profile's P_phantom² = P_sim² − (1.683·k·σ₀)², and
/// σ² follows from the measured P by least squares over the profiles: σ² = σ₀² − r with r = Σ a²(P_sim² − P_meas²)/Σ a⁴,
/// a = 1.683·k. The fit then simulates again with that σ and repeats, up to `iterations` simulations or until the
/// simulated penumbrae meet the measured ones within `toleranceCM` (rms); from the second update on it uses the secant of r
/// over σ² through the last two simulations, which absorbs how far the phantom's spread is from adding in quadrature.
/// σ stays within [0, 0.5] cm. The simulator is a parameter, so the algorithm is tested without transport.
public struct SourceSizeFit: Sendable {
    /// One measured profile's penumbra.
    public struct Target: Sendable, Codable {
        public let fieldCM: Double
        public let depthCM: Double
        public let measuredPenumbraCM: Double

        /// Creates a target.
        public init(fieldCM: Double, depthCM: Double, measuredPenumbraCM: Double) {
            self.fieldCM = fieldCM
            self.depthCM = depthCM
            self.measuredPenumbraCM = measuredPenumbraCM
        }
    }

    /// One simulation of the fit.
    public struct Step: Sendable, Codable {
        public let sigmaCM: Double
        /// Simulated 80–20 % penumbra of each target, cm, in the targets' order.
        public let simulatedPenumbraCM: [Double]
        /// Root mean square of simulated − measured, cm.
        public let rmsDifferenceCM: Double
    }

    /// The machine with the fitted focal σ (the last one simulated).
    public let machine: MachineModel
    public let targets: [Target]
    public let steps: [Step]

    /// Runs the fit; `simulatePenumbraeCM` returns the 80–20 % penumbra of every target for a machine, in order.
    /// - Throws: `BeamError.badMachine` without targets or when the simulator returns the wrong count; what the simulator
    ///   throws.
    public init(machine start: MachineModel, targets: [Target], iterations: Int = 2, toleranceCM: Double = 0.01,
                simulatePenumbraeCM: (MachineModel) throws -> [Double]) throws {
        guard !targets.isEmpty, targets.allSatisfy({ $0.measuredPenumbraCM > 0 }) else {
            throw BeamError.badMachine("source-size fit of '\(start.name)': needs at least one measured profile with a penumbra")
        }
        let sad = start.sourceAxisDistanceCM, zJaw = start.jaws.xDistanceCM
        let a = targets.map { 2 * 0.8416 * (sad - zJaw) / zJaw * (sad + $0.depthCM) / sad }
        var machine = start
        var steps: [Step] = []
        var previous: (sigma2: Double, r: Double)?
        for n in 0..<max(iterations, 1) {
            let simulated = try simulatePenumbraeCM(machine)
            guard simulated.count == targets.count, simulated.allSatisfy(\.isFinite) else {
                throw BeamError.badMachine("source-size fit of '\(start.name)': the simulation gave \(simulated.count) penumbrae "
                                           + "for \(targets.count) profiles")
            }
            let rms = (zip(simulated, targets).reduce(0.0) { $0 + pow($1.0 - $1.1.measuredPenumbraCM, 2) } / Double(targets.count))
                .squareRoot()
            let sigma0 = machine.primarySource.sigmaCM
            steps.append(Step(sigmaCM: sigma0, simulatedPenumbraCM: simulated, rmsDifferenceCM: rms))
            if rms <= toleranceCM || n == max(iterations, 1) - 1 { break }
            // r: how much σ² is too large, to first order (quadrature); its secant over σ² once two simulations exist.
            var num = 0.0, den = 0.0
            for (k, t) in targets.enumerated() {
                num += a[k] * a[k] * (simulated[k] * simulated[k] - t.measuredPenumbraCM * t.measuredPenumbraCM)
                den += pow(a[k], 4)
            }
            let r = num / den, sigma2 = sigma0 * sigma0
            var next = sigma2 - r
            if let p = previous, p.sigma2 != sigma2 {
                let slope = (r - p.r) / (sigma2 - p.sigma2)
                if slope > 0 && slope.isFinite { next = sigma2 - r / slope }
            }
            previous = (sigma2, r)
            machine.primarySource.sigmaCM = min(max(next, 0), 0.25).squareRoot()
        }
        self.machine = machine
        self.targets = targets
        self.steps = steps
    }
}
