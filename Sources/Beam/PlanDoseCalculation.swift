import Foundation
import Geometry
import Phantom
import Transport

/// A plan's dose in Gy per fraction in a phantom: every beam simulated with its own `PlanSource` and
/// history range, in rounds, until the mean relative uncertainty of the total above half its maximum
/// reaches the target or the history budget is spent.
///
/// Beam b's histories have global indices b·2⁴⁰ + n, so its random streams never overlap another
/// beam's and the result is bit-identical for any thread count. Each round gives beam b a share of
/// the round's histories proportional to MU_b × A_b (its share of the plan's proposals).
public struct PlanDoseCalculation: Sendable {
    /// Per-beam doses (Gy per fraction) and the total.
    public struct Result: Sendable {
        public let beamNumbers: [Int]
        public let beamDoses: [DoseDistribution]
        public let total: DoseDistribution
        public let histories: UInt64
        public let seconds: Double
    }

    public let model: SourceModel
    public let deliveries: [BeamDelivery]
    public let phantom: VoxelPhantom
    public let patientPosition: PatientPosition
    public let threads: Int
    /// How the beams' sources place their proposals (`PlanSource.Sampling`; the same fluence either way).
    public let sampling: PlanSource.Sampling

    /// Prepares the calculation.
    public init(model: SourceModel, deliveries: [BeamDelivery], phantom: VoxelPhantom, patientPosition: PatientPosition,
                threads: Int, sampling: PlanSource.Sampling = .jawRectangle) throws {
        guard model.machine.calibration.proposalsPerCM2PerMU != nil else {
            throw BeamError.notCalibrated("machine '\(model.machine.name)' has no MU calibration; run `penumbra machine commission`")
        }
        guard !deliveries.isEmpty else { throw BeamError.badPlan("the plan has no treatment beams with monitor units") }
        self.model = model
        self.deliveries = deliveries
        self.phantom = phantom
        self.patientPosition = patientPosition
        self.threads = threads
        self.sampling = sampling
    }

    /// Runs until `targetUncertainty` (relative, e.g. 0.01) or `maximumHistories`, whichever first.
    public func run(targetUncertainty: Double, maximumHistories: UInt64, seed: UInt64,
                    progress: (UInt64, Double) -> Void = { _, _ in }) throws -> Result {
        let start = Date()
        // The beams share the media's physics and one pool of thread tallies (they run one after another).
        let media = try PhysicsMedium.media(named: phantom.media, settings: TransportSettings())
        let pool = TallyPool()
        let sims = try deliveries.map {
            try BeamSimulation(source: try PlanSource(model: model, deliveries: [$0], patientPosition: patientPosition,
                                                      sampling: sampling),
                               phantom: phantom, media: media, threads: threads).sharingTallies(pool)
        }
        let weights = sims.map(\.source.muAreaSum)
        let totalWeight = weights.reduce(0, +)
        var tallies = sims.map { _ in EnergyTally(voxelCount: phantom.grid.voxelCount) }
        var done = [UInt64](repeating: 0, count: sims.count)
        var round = min(Self.firstRoundHistories, maximumHistories)
        var doses: [DoseDistribution] = []
        var total = DoseDistribution(grid: phantom.grid, doseGyPerHistory: [], relativeUncertainty: [], quantity: .medium)
        while true {
            for b in sims.indices {
                let n = max(UInt64(Double(round) * weights[b] / totalWeight), 1)
                let base = UInt64(b) << 40
                let s = sims[b]
                s.engine.runRange(base + done[b]..<base + done[b] + n, seed: seed) { tallies[b].merge($0) }
                done[b] += n
            }
            doses = try sims.indices.map { try sims[$0].doseGy(DoseDistribution(tally: tallies[$0], phantom: phantom)) }
            total = Self.sum(doses, grid: phantom.grid)
            let sigma = total.meanRelativeUncertaintyAboveHalfMax
            let count = done.reduce(0, +)
            progress(count, sigma)
            if sigma <= targetUncertainty || count >= maximumHistories { break }
            round = Self.nextRound(done: count, sigma: sigma, target: targetUncertainty, maximum: maximumHistories)
        }
        return Result(beamNumbers: deliveries.map(\.number), beamDoses: doses, total: total,
                      histories: done.reduce(0, +), seconds: Date().timeIntervalSince(start))
    }

    /// Histories of a plan's first round.
    public static let firstRoundHistories: UInt64 = 100_000
    /// Aimed rounds ask for this much more than σ² ∝ 1/N predicts: the figure falls a little slower than
    /// that, because the noisy maximum dose that sets its 50 % threshold comes down as N grows and lets
    /// lower-dose, noisier voxels in.
    public static let aimMargin = 1.05
    /// A round at most brings the histories so far to this many times as many, so that a noisy early
    /// figure cannot send a run far past its need.
    public static let largestGrowth = 16.0

    /// The histories of the round after `done` histories reached the figure `sigma` (relative):
    /// enough for `target` by σ² ∝ 1/N times `aimMargin`, at least `smallest`, at most `largestGrowth`
    /// times the histories so far in all, never past `maximum` (0 once it is reached).
    public static func nextRound(done: UInt64, sigma: Double, target: Double, maximum: UInt64,
                                 smallest: UInt64 = firstRoundHistories) -> UInt64 {
        guard done < maximum else { return 0 }
        let growth = sigma.isFinite ? min(sigma * sigma / (target * target) * aimMargin, largestGrowth) : largestGrowth
        let aimed = max(Double(done) * growth, Double(done) + Double(smallest))
        return UInt64(min(aimed, Double(maximum))) - done
    }

    /// The sum of independent doses; variances add.
    public static func sum(_ doses: [DoseDistribution], grid: VoxelGrid) -> DoseDistribution {
        var d = [Double](repeating: 0, count: grid.voxelCount), v = d
        for x in doses {
            for i in d.indices {
                d[i] += x.doseGyPerHistory[i]
                let s = x.relativeUncertainty[i] * x.doseGyPerHistory[i]
                v[i] += s * s
            }
        }
        let r = d.indices.map { d[$0] > 0 ? v[$0].squareRoot() / d[$0] : 0 }
        return DoseDistribution(grid: grid, doseGyPerHistory: d, relativeUncertainty: r, quantity: .medium)
    }

    /// The dose at a point (the voxel containing it), Gy, or nil outside the grid.
    public static func dose(_ d: DoseDistribution, at p: Vec3) -> (doseGy: Double, relativeUncertainty: Double)? {
        guard let v = d.grid.voxel(containing: p) else { return nil }
        let n = d.grid.index(v.i, v.j, v.k)
        return (d.doseGyPerHistory[n], d.relativeUncertainty[n])
    }
}
