import ArgumentParser
import Foundation
import Logging
import Transport

/// `--decomposed N` of `simulate` and `run`: decomposed (slab-bounded) transport in this process. The phantom is
/// cut into N slabs of z planes; each is transported on its own and particles that cross a slab face
/// are handed to the neighbour in the next round (docs/cluster.md, "Decomposed mode"). The dose is
/// bit-identical to the replicated run's; its uncertainty comes from `--batches` batches.
struct DecompositionOptions: ParsableArguments {
    @Option(help: "Decomposed transport: cut the phantom (or dose grid) into N slabs along z, handing particles between them in rounds (in this process, or on the cluster with --workers/--coordinator).")
    var decomposed: Int?

    @Option(help: "With --decomposed: batches for the uncertainty (at least 10).")
    var batches: Int = 10

    func validate() throws {
        if let decomposed, decomposed < 1 { throw ValidationError("--decomposed must be at least 1 slab, got \(decomposed)") }
        guard batches >= 10 && batches <= 10_000 else {
            throw ValidationError("--batches must be 10…10000 (the batch uncertainty needs at least 10), got \(batches)")
        }
    }

    /// The first plane of every slab but the first when `slabs` slabs cut a grid of `planes` planes in whole
    /// photon-majorant blocks of `edge` planes (`DecomposedTransport.boundaries`).
    /// - Throws: `CommandFailure` when the grid has fewer blocks than slabs asked for (rather than cutting
    ///   fewer slabs than asked without a word).
    static func boundaries(planes: Int, slabs: Int, edge: Int) throws -> [Int] {
        let blocks = (planes + edge - 1) / edge
        guard slabs <= blocks else {
            throw CommandFailure(
                "--decomposed \(slabs): the grid has \(planes) planes along z, which cut into at most \(blocks) slabs of "
                    + "whole \(edge)-plane blocks; give --decomposed \(blocks) or fewer (or smaller voxels)")
        }
        return DecomposedTransport.boundaries(planes: planes, slabs: slabs, edge: edge)
    }

    /// Runs `histories` histories of `simulation` decomposed into `slabs` slabs, printing progress per
    /// batch; returns the batches and the planes of each slab.
    func run(_ simulation: Simulation, slabs: Int, histories: UInt64, seed: UInt64, threads: Int,
             logger: Logger) throws -> (tally: BatchTally, slabPlanes: [Range<Int>]) {
        let grid = simulation.phantom.grid
        let boundaries = try Self.boundaries(
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
