import Foundation
import Testing
@testable import Beam

/// The source-size fit without transport: penumbrae made by a stand-in from a known focal σ must give it back.
@Suite struct SourceSizeFitTests {
    static let targets = [(10.0, 1.5, 0.30), (10.0, 10.0, 0.45), (30.0, 10.0, 0.70)]

    /// A stand-in for the Monte Carlo: the phantom's penumbra and the source's erf edge through the X jaws, added not quite
    /// in quadrature (an extra 0.2·a·σ) so that the fit's first-order update needs more than one step.
    static func standIn(_ m: MachineModel) -> [Double] {
        targets.map { _, depth, phantom in
            let a = 1.683 * (100 - m.jaws.xDistanceCM) / m.jaws.xDistanceCM * (100 + depth) / 100
            let s = m.primarySource.sigmaCM
            return (phantom * phantom + a * a * s * s).squareRoot() + 0.2 * a * s
        }
    }

    @Test func recoversAKnownFocalSourceSize() throws {
        var known = GenericMachines.sixMV
        known.primarySource.sigmaCM = 0.12
        let measured = Self.standIn(known)
        let targets = zip(Self.targets, measured).map { SourceSizeFit.Target(fieldCM: $0.0, depthCM: $0.1, measuredPenumbraCM: $1) }
        let fit = try SourceSizeFit(machine: GenericMachines.sixMV, targets: targets, iterations: 8, toleranceCM: 1e-5,
                                    simulatePenumbraeCM: Self.standIn)
        // Converged to the requested 1e-5 cm rms: σ within 0.001 cm (dP/dσ ≈ 1–2 here).
        #expect(fit.steps.count > 2 && fit.steps.count <= 8)
        #expect(fit.steps.last!.rmsDifferenceCM <= 1e-5)
        #expect(abs(fit.machine.primarySource.sigmaCM - 0.12) < 0.001, "σ \(fit.machine.primarySource.sigmaCM)")
    }

    @Test func aPenumbraSharperThanThePhantomAloneGivesAPointSource() throws {
        let targets = Self.targets.map { SourceSizeFit.Target(fieldCM: $0.0, depthCM: $0.1, measuredPenumbraCM: 0.5 * $0.2) }
        let fit = try SourceSizeFit(machine: GenericMachines.sixMV, targets: targets, iterations: 2, simulatePenumbraeCM: Self.standIn)
        #expect(fit.machine.primarySource.sigmaCM == 0)
    }

    @Test func refusesMissingTargetsAndAShortSimulation() {
        #expect(throws: BeamError.self) {
            try SourceSizeFit(machine: GenericMachines.sixMV, targets: [], simulatePenumbraeCM: Self.standIn)
        }
        let one = [SourceSizeFit.Target(fieldCM: 10, depthCM: 10, measuredPenumbraCM: 0.5)]
        #expect(throws: BeamError.self) {
            try SourceSizeFit(machine: GenericMachines.sixMV, targets: one, simulatePenumbraeCM: Self.standIn)
        }
    }
}
