import Physics

/// Fits a machine's spectrum penetration (its effective filtration) to a measured PDD(10) of the 10×10
/// field: simulate, scale the spectrum's primary ratio (`BeamQuality`) by measured / simulated PDD(10),
/// solve the filter for that ratio, simulate again; stop when the simulated PDD(10) is within `tolerance`
/// (relative) or after `iterations` simulations. PDD(10) follows the primary ratio closely, so one or two
/// updates suffice; the simulator is a parameter so that the algorithm can be tested without transport.
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
    /// - Throws: what the simulator throws, or `BeamError.badMachine` when no filter reaches the target.
    public init(machine start: MachineModel, measuredPDD10Percent measured: Double, physics: PhysicsData,
                iterations: Int = 3, tolerance: Double = 0.003,
                simulatePDD10: (MachineModel) throws -> Double) throws {
        let quality = try BeamQuality(physics: physics)
        var machine = start
        var steps: [Step] = []
        for n in 0..<max(iterations, 1) {
            let ratio = try quality.primaryRatio(of: machine, physics: physics)
            let pdd = try simulatePDD10(machine)
            steps.append(Step(filterCentralGPerCM2: machine.spectrum.filterCentralGPerCM2, primaryRatio: ratio,
                              simulatedPDD10Percent: pdd))
            if abs(pdd / measured - 1) <= tolerance || n == iterations - 1 { break }
            machine = try quality.withFilter(machine, primaryRatio: ratio * measured / pdd, physics: physics)
        }
        self.machine = machine
        self.steps = steps
    }
}
