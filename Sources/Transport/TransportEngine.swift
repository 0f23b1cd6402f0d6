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

    /// An engine with `threads` workers taking `blockSize` histories at a time.
    public init(simulation: Simulation, threads: Int, blockSize: Int = 1000, driver: TransportDriver = .scalar) throws {
        guard threads >= 1, threads <= 1024 else { throw EngineError.invalid("threads must be 1…1024, got \(threads)") }
        guard blockSize >= 1 else { throw EngineError.invalid("block size must be positive, got \(blockSize)") }
        self.simulation = simulation
        self.threads = threads
        self.blockSize = blockSize
        self.driver = driver
    }

    /// Runs histories `0..<histories` under `seed`, calling `progress` after each of `rounds` rounds.
    public func run(histories: UInt64, seed: UInt64, rounds: Int = 10,
                    progress: (Progress) -> Void = { _ in }) throws -> EnergyTally {
        guard histories > 0 else { throw EngineError.invalid("the number of histories must be positive") }
        let start = Date()
        var total = EnergyTally(voxelCount: simulation.phantom.grid.voxelCount)
        let roundCount = UInt64(max(1, rounds))
        var done: UInt64 = 0
        let pool = TallyPool()
        var usage = ThreadUsage()
        for round in 0..<roundCount {
            let end = histories * (round + 1) / roundCount
            if end > done {
                runRange(done..<end, seed: seed, pool: pool, into: &total, usage: &usage)
                done = end
            }
            let sigma = DoseDistribution.meanRelativeUncertaintyAboveHalfMax(of: total, phantom: simulation.phantom)
            progress(Progress(historiesDone: done, historiesTotal: histories, seconds: Date().timeIntervalSince(start),
                              meanRelativeUncertainty: sigma, usage: usage))
        }
        return total
    }

    /// Runs one range of histories on all threads and returns the merged, flushed tally.
    public func runRange(_ range: Range<UInt64>, seed: UInt64) -> EnergyTally {
        var merged = EnergyTally(voxelCount: simulation.phantom.grid.voxelCount)
        var usage = ThreadUsage()
        runRange(range, seed: seed, pool: TallyPool(), into: &merged, usage: &usage)
        return merged
    }

    /// Per-thread tallies and scratch kept between the rounds of a run, so that a round allocates (and
    /// page-faults in) nothing: fresh tallies each round were 8 % of a benchmark run's CPU time.
    final class TallyPool: Sendable {
        let free = Mutex<[(EnergyTally, Simulation.EventScratch)]>([])
    }

    func runRange(_ range: Range<UInt64>, seed: UInt64, pool: TallyPool, into merged: inout EnergyTally, usage: inout ThreadUsage) {
        let blockCount = (Int(range.count) + blockSize - 1) / blockSize
        let next = Atomic<Int>(0)
        let results = Mutex<[(EnergyTally, Simulation.EventScratch)]>([])
        let sim = simulation
        let driver = driver
        let size = UInt64(blockSize)
        let busyNanoseconds = Atomic<UInt64>(0)
        let phaseStart = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: min(threads, max(blockCount, 1))) { _ in
            var (tally, scratch) = pool.free.withLock { $0.popLast() }
                ?? (EnergyTally(voxelCount: sim.phantom.grid.voxelCount), Simulation.EventScratch(for: sim))
            let busyStart = DispatchTime.now().uptimeNanoseconds
            while true {
                let b = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if b >= blockCount { break }
                let lo = range.lowerBound + UInt64(b) * size
                let hi = min(lo + size, range.upperBound)
                switch driver {
                case .scalar:
                    for h in lo..<hi { sim.runHistory(h, seed: seed, tally: &tally, scratch: &scratch.scalar) }
                case .simd:
                    sim.runEventBased(lo..<hi, seed: seed, tally: &tally, scratch: &scratch)
                }
            }
            tally.flush()
            busyNanoseconds.wrappingAdd(DispatchTime.now().uptimeNanoseconds - busyStart, ordering: .relaxed)
            results.withLock { [tally, scratch] in $0.append((tally, scratch)) }
        }
        usage.parallelSeconds += Double(DispatchTime.now().uptimeNanoseconds - phaseStart) * 1e-9
        usage.busyThreadSeconds += Double(busyNanoseconds.load(ordering: .relaxed)) * 1e-9
        // Taken out of the mutex so that each tally is uniquely referenced and resets in place.
        var finished = results.withLock { r in
            let all = r
            r = []
            return all
        }
        while let (finishedTally, scratch) = finished.popLast() {
            var tally = finishedTally
            merged.merge(tally)
            tally.reset()
            pool.free.withLock { [tally, scratch] in $0.append((tally, scratch)) }
        }
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
