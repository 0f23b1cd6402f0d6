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

    /// An engine with `threads` workers taking up to `blockSize` histories at a time.
    public init(simulation: Simulation, threads: Int, blockSize: Int = 1000, driver: TransportDriver = .scalar) throws {
        guard threads >= 1, threads <= 1024 else { throw EngineError.invalid("threads must be 1…1024, got \(threads)") }
        guard blockSize >= 1 else { throw EngineError.invalid("block size must be positive, got \(blockSize)") }
        self.simulation = simulation
        self.threads = threads
        self.blockSize = blockSize
        self.driver = driver
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
        let pool = TallyPool()
        let uncertainty = RoundUncertainty(phantom: simulation.phantom, threads: threads)
        var usage = ThreadUsage()
        for round in 0..<roundCount {
            let end = histories * (round + 1) / roundCount
            if end > done {
                runBlocks(done..<end, seed: seed, pool: pool, usage: &usage)
                done = end
            }
            let sigma = uncertainty.mean(of: pool.free.withLock { $0.map(\.0) })
            progress(Progress(historiesDone: done, historiesTotal: histories, seconds: Date().timeIntervalSince(start),
                              meanRelativeUncertainty: sigma, usage: usage))
        }
        return pool.merged(voxelCount: simulation.phantom.grid.voxelCount)
    }

    /// Runs one range of histories on all threads and returns the merged, flushed tally.
    public func runRange(_ range: Range<UInt64>, seed: UInt64) -> EnergyTally {
        let pool = TallyPool()
        var usage = ThreadUsage()
        runBlocks(range, seed: seed, pool: pool, usage: &usage)
        return pool.merged(voxelCount: simulation.phantom.grid.voxelCount)
    }

    /// Per-thread tallies and scratch kept between the rounds of a run, so that a round allocates (and
    /// page-faults in) nothing: fresh tallies each round were 8 % of a benchmark run's CPU time.
    final class TallyPool: Sendable {
        let free = Mutex<[(EnergyTally, Simulation.EventScratch)]>([])

        /// The sum of the pool's tallies (an empty one when the pool is empty); empties the pool.
        func merged(voxelCount: Int) -> EnergyTally {
            // Taken out of the mutex so that each tally is uniquely referenced (no copy on merge).
            var all = free.withLock { f in
                let taken = f
                f = []
                return taken
            }
            guard var total = all.popLast()?.0 else { return EnergyTally(voxelCount: voxelCount) }
            while let (tally, _) = all.popLast() { total.merge(tally) }
            return total
        }
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

    /// Runs `range` on the threads, each adding into a tally of the pool (taken, or made on first use).
    func runBlocks(_ range: Range<UInt64>, seed: UInt64, pool: TallyPool, usage: inout ThreadUsage) {
        let count = Int(range.count)
        let workers = Self.workers(count: count, blockSize: blockSize, threads: threads)
        let next = Atomic<Int>(0)
        let busyNanoseconds = Atomic<UInt64>(0)
        let sim = simulation
        let driver = driver
        let (size, threadCount) = (blockSize, threads)
        let phaseStart = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var (tally, scratch) = pool.free.withLock { $0.popLast() }
                ?? (EnergyTally(voxelCount: sim.phantom.grid.voxelCount), Simulation.EventScratch(for: sim))
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
            pool.free.withLock { [tally, scratch] in $0.append((tally, scratch)) }
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
