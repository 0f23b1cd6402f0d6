import Beam
import Foundation
import Physics

/// The off-axis fluence fit as both commissioning commands run it (`OffAxisFluenceFit` with kernel runs of the
/// transport), and its record in their JSON.
enum OffAxisFluenceFitting {
    /// What the fit did: targets, kernels' predictions, the table before and after.
    struct Record: Codable {
        let shape: OffAxisFluenceFit.Shape
        let historiesPerKernelRun: UInt64
        let kernelSeed: UInt64
        let targets: [OffAxisFluenceFit.Target]
        let startTable: RadialTable
        let table: RadialTable
        let startRatio: [Double]
        let predictedRatio: [Double]
        let rmsRelativeDifference: Double
        /// Each target's relative σ from its kernels' noise, added in quadrature to its own.
        let kernelRelativeUncertainty: [Double]
        let kernels: [OffAxisFluenceFit.TargetKernels]
    }

    /// The seed of the kernel runs: apart from the fields' own `seed`, so that a check run with `seed` is independent.
    static func kernelSeed(_ seed: UInt64) -> UInt64 { seed &+ 1_000_003 }

    /// Fits `model`'s off-axis table to `targets` (non-increasing for FFF machines) with kernel runs of `histories`
    /// proposals each; prints each kernel run and the result.
    static func fit(model: MachineModel, targets: [OffAxisFluenceFit.Target], histories: UInt64, seed: UInt64, threads: Int,
                    physics: PhysicsData) throws -> (machine: MachineModel, record: Record) {
        let shape: OffAxisFluenceFit.Shape = model.flatteningFilterFree ? .nonIncreasing : .free
        let kernelSeed = kernelSeed(seed)
        let fit = try OffAxisFluenceFit(machine: model, targets: targets, shape: shape) { kernel, fieldCM, depths in
            let start = Date()
            let profiles = try OffAxisFluenceFit.simulateProfiles(machine: model, kernel: kernel, fieldCM: fieldCM, depthsCM: depths,
                                                                  histories: histories, seed: kernelSeed, threads: threads,
                                                                  physics: physics)
            print(String(format: "off-axis kernel %@ of %g cm: %.0f s", "\(kernel)", fieldCM, Date().timeIntervalSince(start)))
            return profiles
        }
        let s = fit.solution
        print("off-axis fluence (\(shape.rawValue)) at r = "
              + model.offAxisFluence.radiusCM.map { String(format: "%g", $0) }.joined(separator: ", ") + " cm: "
              + model.offAxisFluence.value.map { String(format: "%.4f", $0) }.joined(separator: ", ") + " → "
              + s.table.value.map { String(format: "%.4f", $0) }.joined(separator: ", "))
        for (k, t) in targets.enumerated() {
            print(String(format: "  %g cm at %g cm depth, %.2f cm off axis: ratio %.4f (start %.4f), predicted %.4f "
                         + "(%+.2f %%; kernels ± %.2f %%)",
                         t.fieldCM, t.depthCM, t.offAxisCM, t.ratio, s.startRatio[k], s.predictedRatio[k],
                         100 * (s.predictedRatio[k] / t.ratio - 1), 100 * s.kernelRelativeUncertainty[k]))
        }
        return (fit.machine, Record(shape: shape, historiesPerKernelRun: histories, kernelSeed: kernelSeed, targets: targets,
                                    startTable: model.offAxisFluence, table: s.table, startRatio: s.startRatio,
                                    predictedRatio: s.predictedRatio, rmsRelativeDifference: s.rmsRelativeDifference,
                                    kernelRelativeUncertainty: s.kernelRelativeUncertainty,
                                    kernels: fit.kernels))
    }
}
