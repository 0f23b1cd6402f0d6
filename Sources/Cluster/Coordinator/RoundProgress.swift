/// The rounds of a decomposed job as the coordinator drives them (docs/cluster.md, "Decomposed mode").
///
/// Batches open in order, at most `window` at a time. A batch starts with round 0: one unit per slab
/// (each starts the batch's source histories that enter its slab). When every unit of a round is
/// merged, the banks they sent out become the next round's units, one per slab that receives any,
/// with its banks listed by source slab in the order each source sent them; a round that sends
/// nothing completes its batch. Completed batches fold into the job's tally strictly in batch order,
/// so whatever order units finish in, the tally after k batches is the same bits.
struct RoundProgress: Hashable, Sendable {
    /// One open batch.
    struct Batch: Hashable, Sendable {
        /// The round being computed.
        var round: UInt32 = 0
        /// Its units, by slab.
        var units: [UInt32: JobRecord.UnitState]
        /// Their incoming banks, by slab.
        var incoming: [UInt32: [ContentDigest]] = [:]
        /// Banks for the next round, by destination slab, then by source slab.
        var next: [UInt32: [UInt32: [ContentDigest]]] = [:]
        /// Energy per voxel of the whole grid, in quanta.
        var energy: [UInt64]
        /// True once a round sent no particle on.
        var complete = false
    }

    /// What became of a result.
    enum Outcome: Hashable, Sendable {
        /// Its unit was merged before, or its round or batch is over: nothing of it counts.
        case duplicate
        /// Merged; `consumed` lists the banks of a round that just ended (no unit needs them again).
        case merged(consumed: [ContentDigest])
    }

    /// What the open batches of one job may hold in the coordinator: each a dense energy array of the
    /// grid (8 bytes per voxel) and, while its rounds run, banks of up to about 420 bytes per history
    /// (the bank traffic per history over all rounds on a thorax-sized grid, each bank counted in and
    /// out, benchmarks/RESULTS.md: more than a batch's banks hold at any one time).
    static let openBatchBytes = 256 << 20

    /// The most batches open at once: as many as fit in `openBatchBytes`, at least 2. Open batches let
    /// workers run units of other batches while a round waits for its slowest unit.
    let window: Int

    let decomposition: Decomposition
    let voxelCount: Int
    let planeVoxelCount: Int
    /// Batches `0..<folded` are in the job's tally.
    private(set) var folded: Int
    /// Batches `0..<opened` have been opened.
    private(set) var opened: Int
    /// The open batches, by index.
    private(set) var batches: [UInt32: Batch] = [:]

    /// A job's rounds with batches `0..<folded` already in its tally.
    init(spec: JobSpec, folded: Int) {
        decomposition = spec.decomposition!
        voxelCount = spec.layout.voxelCount
        planeVoxelCount = Int(spec.layout.countX) * Int(spec.layout.countY)
        let perBatch = 8 * voxelCount + 420 * Int(spec.historyCount / UInt64(decomposition.batches))
        window = max(2, min(Int(decomposition.batches), Self.openBatchBytes / max(1, perBatch)))
        self.folded = folded
        opened = folded
        openBatches()
    }

    /// True while some unit waits for a worker.
    var hasPending: Bool { batches.values.contains { $0.units.values.contains { if case .pending = $0 { true } else { false } } } }

    /// Units out with workers.
    var unitsRunning: Int {
        batches.values.reduce(0) { sum, batch in
            sum + batch.units.values.filter { if case .running = $0 { true } else { false } }.count
        }
    }

    /// Every bank an open round still needs: the incoming banks of its units and those already sent on
    /// to its next round.
    var neededBanks: Set<ContentDigest> {
        Set(batches.values.flatMap { $0.incoming.values.joined() + $0.next.values.flatMap { $0.values.joined() } })
    }

    private mutating func openBatches() {
        while opened < Int(decomposition.batches), opened - folded < window {
            let slabs = (0..<UInt32(decomposition.slabCount)).map { ($0, JobRecord.UnitState.pending(attempts: 0)) }
            batches[UInt32(opened)] = Batch(
                units: Dictionary(uniqueKeysWithValues: slabs), energy: Array(repeating: 0, count: voxelCount))
            opened += 1
        }
    }

    /// The next unit to hand out: the lowest batch's, preferring slab `slab` (a worker keeps its slab,
    /// whose phantom it holds).
    func nextPending(preferring slab: UInt32?) -> (batch: UInt32, slab: UInt32)? {
        var first: (UInt32, UInt32)?
        for b in batches.keys.sorted() {
            for s in batches[b]!.units.keys.sorted() {
                guard case .pending = batches[b]!.units[s]! else { continue }
                if s == slab || slab == nil { return (b, s) }
                if first == nil { first = (b, s) }
            }
        }
        return first
    }

    /// The state of unit (`batch`, current round, `slab`), if that unit is open.
    func state(_ key: SlabUnitKey) -> JobRecord.UnitState? {
        guard let batch = batches[key.batch], batch.round == key.round, !batch.complete else { return nil }
        return batch.units[key.slab]
    }

    /// Sets the state of an open unit.
    mutating func set(_ key: SlabUnitKey, _ state: JobRecord.UnitState) {
        precondition(self.state(key) != nil)
        batches[key.batch]!.units[key.slab] = state
    }

    /// The incoming banks of an open unit.
    func banks(_ key: SlabUnitKey) -> [ContentDigest] { batches[key.batch]?.incoming[key.slab] ?? [] }

    /// Merges a validated result: its energy into its batch, its banks into the next round's routing;
    /// ends the round when it was the last unit.
    /// - Throws: `ClusterError.tallyOverflow` (nothing merged).
    mutating func merge(_ result: SlabUnitResult) throws(ClusterError) -> Outcome {
        let key = result.key
        guard let state = state(key), state != .done else { return .duplicate }
        var batch = batches.removeValue(forKey: key.batch)!
        defer { batches[key.batch] = batch }
        let base = decomposition.planes(ofSlab: Int(key.slab), planeCount: voxelCount / planeVoxelCount).lowerBound
            * planeVoxelCount
        for (voxel, energy) in zip(result.voxels, result.energySum)
        where batch.energy[base + Int(voxel)].addingReportingOverflow(energy).overflow {
            throw .tallyOverflow("voxel \(base + Int(voxel)) of \(key)")
        }
        for (voxel, energy) in zip(result.voxels, result.energySum) { batch.energy[base + Int(voxel)] &+= energy }
        batch.units[key.slab] = .done
        for bank in result.outgoing { batch.next[bank.slab, default: [:]][key.slab, default: []].append(bank.digest) }
        guard batch.units.values.allSatisfy({ $0 == .done }) else { return .merged(consumed: []) }
        let consumed = batch.incoming.keys.sorted().flatMap { batch.incoming[$0]! }
        batch.incoming = batch.next.mapValues { sources in sources.keys.sorted().flatMap { sources[$0]! } }
        batch.next = [:]
        batch.units = batch.incoming.mapValues { _ in .pending(attempts: 0) }
        if batch.units.isEmpty { batch.complete = true } else { batch.round += 1 }
        return .merged(consumed: consumed)
    }

    /// Folds the completed batches that are next in order into `tally` (Σ X_b and Σ X_b² per voxel),
    /// one at a time, calling `decide` after each with the number folded; stops folding when it
    /// returns true. Opens new batches into the window.
    /// - Throws: `ClusterError.tallyOverflow` (the batch is not folded).
    mutating func fold(into tally: inout MergedTally, historyCount: UInt64, decide: (Int, MergedTally) -> Bool)
        throws(ClusterError)
    {
        while let batch = batches[UInt32(folded)], batch.complete {
            let histories = decomposition.histories(ofBatch: folded, historyCount: historyCount)
            try tally.add(batch: batch.energy, histories: UInt64(histories.count))
            batches[UInt32(folded)] = nil
            folded += 1
            if decide(folded, tally) {
                batches = [:]
                return
            }
        }
        openBatches()
    }
}

extension MergedTally {
    /// Adds one batch of a decomposed job: X (energy per voxel) to Σ, X² to Σ², and its histories.
    /// All of it or, on overflow, none of it.
    /// - Throws: `ClusterError.tallyOverflow` when a sum would leave its integer range.
    mutating func add(batch energy: [UInt64], histories: UInt64) throws(ClusterError) {
        precondition(energy.count == layout.voxelCount)
        let (total, historyOverflow) = historyCount.addingReportingOverflow(histories)
        guard !historyOverflow else { throw .tallyOverflow("history count") }
        var squares = [UInt128](repeating: 0, count: energy.count)
        for n in energy.indices where energy[n] != 0 {
            let (high, low) = energy[n].multipliedFullWidth(by: energy[n])
            squares[n] = UInt128(_low: low, _high: high)
            guard !energySum[n].addingReportingOverflow(energy[n]).overflow,
                !energySquaredSum[n].addingReportingOverflow(squares[n]).overflow
            else { throw .tallyOverflow("voxel \(n) of a batch") }
        }
        self = MergedTally(
            layout: layout, historyCount: total, energySum: zip(energySum, energy).map { $0 &+ $1 },
            energySquaredSum: zip(energySquaredSum, squares).map { $0 &+ $1 })
    }

    /// The stop figure of a decomposed job whose tally holds `batches` batch sums (Σ X_b, Σ X_b²): the
    /// mean over voxels above `fraction` of the maximum energy of the relative 1σ of the mean, by the
    /// batch method, s² = [B·Σ X_b²/N² − (Σ X_b/N)²]/(B − 1) (as `BatchTally`; Walters, Kawrakow &
    /// Rogers, Med. Phys. 29, 2745 (2002)). Infinity with fewer than two batches or no energy.
    func meanRelativeUncertainty(aboveFraction fraction: Double, batches: Int) -> Double {
        guard batches > 1, historyCount > 0, let maximum = energySum.max(), maximum > 0 else { return .infinity }
        let n = Double(historyCount), b = Double(batches)
        var total = 0.0
        var counted = 0
        for v in energySum.indices where Double(energySum[v]) > fraction * Double(maximum) {
            let mean = Double(energySum[v]) / n
            let variance = max((b * energySquaredSum[v].nearestDouble / (n * n) - mean * mean) / (b - 1), 0)
            total += variance.squareRoot() / mean
            counted += 1
        }
        return total / Double(counted)
    }
}
