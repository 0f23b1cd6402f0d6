import Foundation
import Physics

/// Fits a machine's spectrum penetration (its effective filtration) to a measured PDD(10) of the 10×10
/// field: simulate, scale the spectrum's primary ratio Q (`BeamQuality`) by (measured / simulated
/// PDD(10))^(1/s), solve the filter for that ratio, simulate again; stop when the simulated PDD(10) is
/// within `tolerance` (relative) or after `iterations` simulations. s = d ln PDD(10) / d ln Q is the
/// sensitivity, ≈ 0.75 from the generic-6x commissioning runs (docs/beam-model.md); each step changes Q by
/// at most 10 % so that a noisy simulation cannot throw the fit far, and the filter stays in 0–150 g/cm².
/// The simulator is a parameter so that the algorithm can be tested without transport.
public struct PenetrationFit: Sendable {
    /// One simulation of the fit.
    public struct Step: Sendable, Codable {
        public let filterCentralGPerCM2: Double
        public let primaryRatio: Double
        public let simulatedPDD10Percent: Double
    }

    /// The fitted machine (the last one simulated) and every step.
    public let machine: MachineModel
    public let steps: [Step]

    /// Runs the fit; `simulatePDD10` returns the machine's PDD(10) in %.
    /// - Throws: what the simulator throws.
    public init(machine start: MachineModel, measuredPDD10Percent measured: Double, physics: PhysicsData,
                iterations: Int = 3, tolerance: Double = 0.003, sensitivity: Double = 0.75,
                simulatePDD10: (MachineModel) throws -> Double) throws {
        let quality = try BeamQuality(physics: physics)
        var machine = start
        var steps: [Step] = []
        let count = max(iterations, 1)
        for n in 0..<count {
            let ratio = try quality.primaryRatio(of: machine, physics: physics)
            let pdd = try simulatePDD10(machine)
            steps.append(Step(filterCentralGPerCM2: machine.spectrum.filterCentralGPerCM2, primaryRatio: ratio,
                              simulatedPDD10Percent: pdd))
            if abs(pdd / measured - 1) <= tolerance || n == count - 1 { break }
            let factor = min(max(pow(measured / pdd, 1 / sensitivity), 0.9), 1.1)
            machine = try quality.withFilter(machine, primaryRatio: ratio * factor, physics: physics, clampingToRange: true)
        }
        self.machine = machine
        self.steps = steps
    }
}
