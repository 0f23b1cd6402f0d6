import Foundation
import Phantom
import Transport

/// Runs a `PlanSource` through the Transport engine in a phantom and returns the dose in Gy for the
/// planned monitor units (or per history when the machine is not calibrated).
public struct BeamSimulation: Sendable {
    public let source: PlanSource
    public private(set) var engine: TransportEngine

    /// Prepares the transport: interaction tables up to the model's highest energy, primaries from `source`.
    public init(source: PlanSource, phantom: VoxelPhantom, threads: Int, settings: TransportSettings = TransportSettings()) throws {
        try self.init(source: source, phantom: phantom, media: try PhysicsMedium.media(named: phantom.media, settings: settings),
                      threads: threads, settings: settings)
    }

    /// Prepares the transport with the physics of `phantom`'s media already built (`PhysicsMedium.media`
    /// with the same `settings`): a plan's beams share one set (its tables were 61 MB per beam on the
    /// thorax example's 27 media, docs/performance.md, session 9).
    public init(source: PlanSource, phantom: VoxelPhantom, media: [any MediumPhysics], threads: Int,
                settings: TransportSettings = TransportSettings()) throws {
        let simulation = try Simulation(phantom: phantom, mediumPhysics: media, source: source, settings: settings)
        self.source = source
        engine = try TransportEngine(simulation: simulation, threads: threads)
    }

    /// The same beam with its engine's thread tallies kept in `pool` (`TransportEngine.sharingTallies`): a
    /// plan's beams run one after another on one grid and need one set of tallies between them.
    public func sharingTallies(_ pool: TallyPool) -> BeamSimulation {
        var beam = self
        beam.engine = engine.sharingTallies(pool)
        return beam
    }

    /// Runs `histories` proposals under `seed` and returns the dose per history and its uncertainty.
    public func run(histories: UInt64, seed: UInt64, rounds: Int = 10,
                    progress: (TransportEngine.Progress) -> Void = { _ in }) throws -> DoseDistribution {
        let tally = try engine.run(histories: histories, seed: seed, rounds: rounds, progress: progress)
        return DoseDistribution(tally: tally, phantom: engine.simulation.phantom)
    }

    /// The dose in Gy for the planned MU (per fraction) from a dose per history.
    public func doseGy(_ perHistory: DoseDistribution) throws -> DoseDistribution {
        let scale = try source.gyPerHistoryScale()
        return DoseDistribution(grid: perHistory.grid, doseGyPerHistory: perHistory.doseGyPerHistory.map { $0 * scale },
                                relativeUncertainty: perHistory.relativeUncertainty, quantity: perHistory.quantity)
    }
}
