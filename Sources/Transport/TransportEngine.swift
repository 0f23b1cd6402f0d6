import Foundation
import Synchronization

/// Runs histories on N threads, each with its own tally, and merges the tallies exactly.
///
/// Histories are cut into blocks of `blockSize` consecutive global indices; threads take blocks in any
/// order. Because a history's random stream depends only on (seed, index) and tallies are integer sums,
/// the merged tally is bit-identical for any thread count, block size or scheduling (DESIGN.md
/// invariant 1). The run proceeds in rounds so that progress (histories, uncertainty so far, time left)
/// can be reported from merged data between rounds.
public struct TransportEngine: Sendable {
    public let simulation: Simulation
    public let threads: Int
    public let blockSize: Int
    /// History by history (the reference) or event based (`Simulation.runEventBased`).
    public let driver: TransportDriver

    /// Progress after a round.
    public struct Progress: Sendable {
        public let historiesDone: UInt64
        public let historiesTotal: UInt64
        public let seconds: Double
        /// Mean relative uncertainty of voxels above 50 % of the maximum dose so far.
        public let meanRelativeUncertainty: Double
        /// Where the threads' time went so far.
        public let usage: ThreadUsage
    }

    /// How the run used its threads: the split of a multi-thread speed-up into what the engine allows
    /// (serial parts, threads idling at the end of a round) and what the machine gives (how fast a thread
    /// runs histories while the others run too), as the cluster's `scaling` benchmark splits a job.
    public struct ThreadUsage: Sendable, Equatable {
        /// Seconds of all threads spent running histories (claiming, transporting and flushing blocks).
        public var busyThreadSeconds: Double = 0
        /// Wall seconds of the rounds' parallel phases (first thread start to last thread end).
        public var parallelSeconds: Double = 0
    }

    /// The threads' tallies, kept between runs: a run takes them, and returns them emptied (`EnergyTally.reset`,
    /// which zeroes only the blocks of voxels they reached), so that runs of many units allocate and
    /// page-fault nothing after the first. Engines of the same grid may share one (`sharingTallies(_:)`).
    public private(set) var tallies: TallyPool
    /// The event driver's per-thread scratch, kept between runs (it belongs to this engine's simulation).
    let scratch: ScratchPool

    /// An engine with `threads` workers taking up to `blockSize` histories at a time, keeping its threads'
    /// tallies in `tallies` between runs.
    public init(simulation: Simulation, threads: Int, blockSize: Int = 1000, driver: TransportDriver = .scalar,
                tallies: TallyPool = TallyPool()) throws {
        guard threads >= 1, threads <= 1024 else { throw EngineError.invalid("threads must be 1…1024, got \(threads)") }
        guard blockSize >= 1 else { throw EngineError.invalid("block size must be positive, got \(blockSize)") }
        self.simulation = simulation
        self.threads = threads
        self.blockSize = blockSize
        self.driver = driver
        self.tallies = tallies
        scratch = ScratchPool()
    }

    /// The same engine with its threads' tallies kept in `pool`: engines that run one after another on the
    /// same grid (a plan's beams) then hold one set of tallies between them instead of one each.
    public func sharingTallies(_ pool: TallyPool) -> TransportEngine {
        var engine = self
        engine.tallies = pool
        return engine
    }

    /// How many rounds (progress reports) a run of `histories` gets: one per 50 000 histories, 1 to 20.
    /// Every round ends with a σ pass over the whole grid (`RoundUncertainty`), which costs as much whatever
    /// the round's length: twenty of them were ≈ 30 % of a 20 000-history run's 2-thread wall
    /// (docs/performance.md, session 7). The tally does not depend on the rounds.
    public static func progressRounds(histories: UInt64) -> Int {
        Int(min(20, max(1, histories / 50_000)))
    }

    /// Runs histories `0..<histories` under `seed`, calling `progress` after each of `rounds` rounds.
    ///
    /// The threads' tallies are not merged between rounds: they keep accumulating, the round's σ is
    /// computed from their sums on all threads (`RoundUncertainty`) and they are merged once at the end.
    public func run(histories: UInt64, seed: UInt64, rounds: Int = 10,
                    progress: (Progress) -> Void = { _ in }) throws -> EnergyTally {
        guard histories > 0 else { throw EngineError.invalid("the number of histories must be positive") }
        let start = Date()
        let roundCount = UInt64(max(1, rounds))
        var done: UInt64 = 0
        let working = WorkingSet()
        let uncertainty = RoundUncertainty(phantom: simulation.phantom, threads: threads)
        var usage = ThreadUsage()
        for round in 0..<roundCount {
            let end = histories * (round + 1) / roundCount
            if end > done {
                runBlocks(done..<end, seed: seed, working: working, usage: &usage)
                done = end
            }
            let sigma = uncertainty.mean(of: working.slots.withLock { $0.map(\.tally) })
            progress(Progress(historiesDone: done, historiesTotal: histories, seconds: Date().timeIntervalSince(start),
                              meanRelativeUncertainty: sigma, usage: usage))
        }
        return merge(working)
    }

    /// Runs one range of histories on all threads and returns the merged, flushed tally (the caller's; the
    /// threads' other tallies go back to the pool emptied).
    public func runRange(_ range: Range<UInt64>, seed: UInt64) -> EnergyTally {
        let working = WorkingSet()
        var usage = ThreadUsage()
        runBlocks(range, seed: seed, working: working, usage: &usage)
        return merge(working)
    }

    /// Runs one range of histories on all threads and calls `body` with the merged, flushed tally; then every
    /// thread's tally, the merged one included, goes back to the pool emptied. A cluster unit's path: after
    /// the first run nothing grid-sized is allocated. `body` should not keep the tally or a view of it (if it
    /// does, emptying copies the records first, as any write of a shared tally does).
    public func runRange<R>(_ range: Range<UInt64>, seed: UInt64, _ body: (EnergyTally) throws -> R) rethrows -> R {
        let working = WorkingSet()
        var usage = ThreadUsage()
        runBlocks(range, seed: seed, working: working, usage: &usage)
        var merged = merge(working)
        defer {
            merged.reset()
            tallies.give([merged])
        }
        return try body(merged)
    }

    /// One thread's tally memory: its records' bytes (32 per voxel of the grid, all allocated), and the most
    /// of them one thread's histories wrote so far, in 4 KiB blocks.
    public var tallyBytesPerThread: TallyPool.Footprint {
        tallies.footprint(voxelCount: simulation.phantom.grid.voxelCount)
    }

    /// The threads' tallies and scratch during one run, taken from the engine's pools as threads start and
    /// kept between the run's rounds.
    final class WorkingSet: Sendable {
        let slots = Mutex<[(tally: EnergyTally, scratch: Simulation.EventScratch)]>([])
    }

    /// Empties `working` into one merged, flushed tally: its scratch goes back to the engine's pool, the
    /// tallies merged into it go back to the tally pool emptied.
    private func merge(_ working: WorkingSet) -> EnergyTally {
        // Taken out of the mutex so that each tally is uniquely referenced (no copy on merge).
        var all = working.slots.withLock { s in
            let taken = s
            s = []
            return taken
        }
        scratch.give(all.map(\.scratch))
        guard var total = all.popLast()?.tally else {
            return tallies.take(voxelCount: simulation.phantom.grid.voxelCount)
        }
        var emptied: [EnergyTally] = []
        while var (tally, _) = all.popLast() {
            tallies.note(tally)
            total.merge(tally)
            tally.reset()
            emptied.append(tally)
        }
        tallies.give(emptied)
        tallies.note(total)
        return total
    }

    /// The histories a thread takes next when `left` of a round remain: `blockSize` while there is plenty,
    /// then at most half a thread's share of what is left (factoring, Hummel, Schonberg & Flynn 1992,
    /// Commun. ACM 35:90), so the last blocks are small and the threads end a round together instead of
    /// one idling through the other's last full block (≈ 6–7 % of a 2-thread run, docs/performance.md).
    /// One thread takes whole blocks. Block sizes do not change the tally (DESIGN.md invariant 1).
    static func claim(left: Int, blockSize: Int, threads: Int) -> Int {
        guard threads > 1 else { return min(left, blockSize) }
        let share = (left + 2 * threads - 1) / (2 * threads)
        return min(left, blockSize, max(share, minimumBlock(blockSize)))
    }

    /// The smallest block `claim` hands out: a history's set-up is nothing next to its transport, but the
    /// event driver's lanes fill from a block, so not single histories.
    static func minimumBlock(_ blockSize: Int) -> Int { max(1, blockSize / 64) }

    /// The threads a round of `count` histories runs on: as many as there are minimum blocks to share, so
    /// that a round shorter than one block still splits (factoring hands out blocks below `blockSize`).
    static func workers(count: Int, blockSize: Int, threads: Int) -> Int {
        guard threads > 1 else { return 1 }
        let minimum = minimumBlock(blockSize)
        return min(threads, max(1, (count + minimum - 1) / minimum))
    }

    /// Runs `range` on the threads, each adding into a tally of `working` (taken, or on first use taken from
    /// the engine's pools).
    func runBlocks(_ range: Range<UInt64>, seed: UInt64, working: WorkingSet, usage: inout ThreadUsage) {
        let count = Int(range.count)
        let workers = Self.workers(count: count, blockSize: blockSize, threads: threads)
        let next = Atomic<Int>(0)
        let busyNanoseconds = Atomic<UInt64>(0)
        let sim = simulation
        let driver = driver
        let (size, threadCount) = (blockSize, threads)
        let (tallyPool, scratchPool) = (tallies, scratch)
        let phaseStart = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var (tally, scratch) = working.slots.withLock { $0.popLast() }
                ?? (tallyPool.take(voxelCount: sim.phantom.grid.voxelCount),
                    scratchPool.take() ?? Simulation.EventScratch(for: sim))
        let busyStart = DispatchTime.now().uptimeNanoseconds
            var taken = next.load(ordering: .relaxed)
            while taken < count {
                let n = Self.claim(left: count - taken, blockSize: size, threads: threadCount)
                let (won, seen) = next.compareExchange(expected: taken, desired: taken + n, ordering: .relaxed)
                guard won else {
                    taken = seen
                    continue
                }
                let lo = range.lowerBound + UInt64(taken)
                let hi = lo + UInt64(n)
                switch driver {
                case .scalar:
                    for h in lo..<hi { sim.runHistory(h, seed: seed, tally: &tally, scratch: &scratch.scalar) }
                case .simd:
                    sim.runEventBased(lo..<hi, seed: seed, tally: &tally, scratch: &scratch)
                }
                taken = next.load(ordering: .relaxed)
            }
            tally.flush()
            busyNanoseconds.wrappingAdd(DispatchTime.now().uptimeNanoseconds - busyStart, ordering: .relaxed)
            working.slots.withLock { [tally, scratch] in $0.append((tally, scratch)) }
        }
        usage.parallelSeconds += Double(DispatchTime.now().uptimeNanoseconds - phaseStart) * 1e-9
        usage.busyThreadSeconds += Double(busyNanoseconds.load(ordering: .relaxed)) * 1e-9
    }
}

/// A bad engine parameter.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let s): s
        }
    }
}
