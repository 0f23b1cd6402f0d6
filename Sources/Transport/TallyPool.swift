import Synchronization

/// Empty `EnergyTally`s kept between runs of a `TransportEngine` (or of several engines on one grid, a plan's
/// beams): a thread takes one when it starts and the engine gives it back emptied (`EnergyTally.reset`,
/// which zeroes only the blocks of voxels the tally's histories reached).
///
/// Fresh tallies per run were grid-sized allocations and page faults per cluster unit and thread, and, freed
/// again, they grew glibc's arenas (docs/performance.md, session 9): a pool holds at most as many tallies as
/// threads ran at once.
public final class TallyPool: Sendable {
    private let free = Mutex<[EnergyTally]>([])
    /// The largest `EnergyTally.touchedBytes` of a tally that went through the pool or an engine's merge.
    private let largestTouched = Mutex<Int>(0)

    /// An empty pool.
    public init() {}

    /// A tally's memory.
    public struct Footprint: Sendable, Equatable, Codable {
        /// Bytes of its per-voxel records (32 per voxel).
        public var recordBytes: Int
        /// Bytes of the 4 KiB blocks of records its histories wrote (`EnergyTally.touchedBytes`): how much of
        /// the grid a thread's histories reach, what a tally allocated on first touch would hold.
        public var touchedBytes: Int
    }

    /// An empty tally for `voxelCount` voxels: one of the pool's, or a new one. Tallies of another grid are
    /// dropped.
    func take(voxelCount: Int) -> EnergyTally {
        free.withLock { tallies in
            while let tally = tallies.popLast() {
                if tally.voxelCount == voxelCount { return tally }
            }
            return nil
        } ?? EnergyTally(voxelCount: voxelCount)
    }

    /// Keeps `tallies` (emptied) for later runs.
    func give(_ tallies: [EnergyTally]) {
        guard !tallies.isEmpty else { return }
        tallies.forEach(note)
        free.withLock { $0.append(contentsOf: tallies) }
    }

    /// Counts `tally`'s touched records towards the pool's footprint (a tally the engine hands out).
    func note(_ tally: EnergyTally) {
        let touched = tally.touchedBytes
        largestTouched.withLock { $0 = max($0, touched) }
    }

    /// The number of tallies kept.
    public var count: Int { free.withLock { $0.count } }

    /// The memory of one thread's tally of `voxelCount` voxels: its records' bytes, and the most of them a
    /// tally that went through the pool wrote so far (zero before any run).
    public func footprint(voxelCount: Int) -> Footprint {
        Footprint(recordBytes: max(voxelCount, 1) * MemoryLayout<VoxelSums>.stride,
                  touchedBytes: largestTouched.withLock { $0 })
    }
}

/// The event driver's scratch (`Simulation.EventScratch`) kept between the runs of one engine.
final class ScratchPool: Sendable {
    private let free = Mutex<[Simulation.EventScratch]>([])

    /// One kept scratch, or nil.
    func take() -> Simulation.EventScratch? { free.withLock { $0.popLast() } }

    /// Keeps `scratch` for later runs.
    func give(_ scratch: [Simulation.EventScratch]) {
        guard !scratch.isEmpty else { return }
        free.withLock { $0.append(contentsOf: scratch) }
    }
}
