import ArgumentParser
import Foundation
import Logging
import Transport

/// `--decomposed N` of `simulate`: decomposed (slab-bounded) transport in this process. The phantom is
/// cut into N slabs of z planes; each is transported on its own and particles that cross a slab face
/// are handed to the neighbour in the next round (docs/cluster.md, "Decomposed mode"). The dose is
/// bit-identical to the replicated run's; its uncertainty comes from `--batches` batches.
struct DecompositionOptions: ParsableArguments {
    @Option(help: "Decomposed transport: cut the phantom into N slabs along z, handing particles between them in rounds (in this process, or on the cluster with --workers/--coordinator).")
    var decomposed: Int?

    @Option(help: "With --decomposed: batches for the uncertainty (at least 10).")
    var batches: Int = 10

    func validate() throws {
        if let decomposed, decomposed < 1 { throw ValidationError("--decomposed must be at least 1 slab, got \(decomposed)") }
        guard batches >= 10 && batches <= 10_000 else {
            throw ValidationError("--batches must be 10…10000 (the batch uncertainty needs at least 10), got \(batches)")
        }
    }

    /// Runs `histories` histories of `simulation` decomposed into `slabs` slabs, printing progress per
    /// batch; returns the batches and the planes of each slab.
    func run(_ simulation: Simulation, slabs: Int, histories: UInt64, seed: UInt64, threads: Int,
             logger: Logger) throws -> (tally: BatchTally, slabPlanes: [Range<Int>]) {
        let grid = simulation.phantom.grid
        let boundaries = DecomposedTransport.boundaries(
            planes: grid.counts.z, slabs: slabs, edge: simulation.settings.majorantBlockVoxels)
        let run = try DecomposedTransport(simulation: simulation, boundaries: boundaries)
        logger.info("simulating \(histories) histories decomposed into \(run.slabs.count) slabs (planes \(run.slabs.map(\.planes))) in \(batches) batches on \(threads) threads")
        var rounds = 0, banked = 0
        let display = ProgressDisplay()
        let total = run.run(histories: histories, seed: seed, batches: batches, threads: threads) { n, done, batch in
            rounds += batch.rounds
            banked += batch.bankedParticles
            display.show(
                "batch \(n + 1)/\(batches): \(done) histories, \(rounds) rounds, \(banked) particles handed between slabs")
        }
        display.finish()
        return (total, run.slabs.map(\.planes))
    }
}
