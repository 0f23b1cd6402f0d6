/// Per-voxel energy deposited, in integer fixed point, with history-by-history second moments.
///
/// Energy is counted in quanta of 2⁻²⁴ MeV (≈ 6·10⁻⁸ MeV): integer sums are associative, so the same
/// histories give the same bits whatever the thread count, block size or merge order (DESIGN.md
/// invariant 1). For each voxel the tally keeps S1 = Σ_h x_h (UInt64) and S2 = Σ_h x_h² (UInt128),
/// where x_h is everything primary history h and its descendants deposited there, folded in lazily
/// with a per-voxel "last history" mark (Walters, Kawrakow & Rogers 2002, Med. Phys. 29:2745, the
/// history-by-history method DOSXYZnrc uses; PHYSICS.md §5). The Cluster wire carries exactly these
/// three things per voxel plus the history count.
public struct EnergyTally: Sendable {
    /// The energy of one quantum, in MeV.
    public static let quantumMeV: Double = 0x1p-24

    /// Histories folded into this tally.
    public private(set) var histories: UInt64 = 0
    /// Σ_h x_h per voxel, in quanta.
    public private(set) var sum: [UInt64]
    /// Σ_h x_h² per voxel, in quanta².
    public private(set) var sumOfSquares: [UInt128]
    var pending: [UInt64]
    /// 1 + the last history that touched each voxel (0: none yet).
    var pendingHistory: [UInt64]
    var currentHistory: UInt64 = 0
    /// The event-based driver's deposits of a block of histories, folded in history order at the block's
    /// end (`foldRecorded`): it transports many histories' particles interleaved, and the lazy per-voxel
    /// fold above assumes one history at a time. Empty (and unused) for the scalar driver.
    var records: [DepositRecord] = []
    var recordOrder: [DepositRecord] = []
    var recordStarts: [Int] = []
    /// The first history of the block being recorded, or nil when deposits go straight to the sums.
    var recordingFrom: UInt64?

    /// An empty tally for `voxelCount` voxels.
    public init(voxelCount: Int) {
        sum = Array(repeating: 0, count: voxelCount)
        sumOfSquares = Array(repeating: 0, count: voxelCount)
        pending = Array(repeating: 0, count: voxelCount)
        pendingHistory = Array(repeating: 0, count: voxelCount)
    }

    /// A tally from sums received from elsewhere (a worker, a checkpoint).
    /// - Precondition: both arrays have the same length.
    public init(histories: UInt64, sum: [UInt64], sumOfSquares: [UInt128]) {
        precondition(sum.count == sumOfSquares.count, "S1 and S2 must cover the same voxels")
        self.histories = histories
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        pending = Array(repeating: 0, count: sum.count)
        pendingHistory = Array(repeating: 0, count: sum.count)
    }

    /// The number of voxels.
    public var voxelCount: Int { sum.count }

    /// Starts primary history `history` (a global index: the same one that keys its random stream).

    public mutating func beginHistory(_ history: UInt64) {
        currentHistory = history &+ 1
        histories += 1
    }

    /// Adds `energyMeV` deposited in `voxel` by the current history.

    public mutating func deposit(_ energyMeV: Double, voxel: Int) {
        guard energyMeV > 0 else { return }
        let q = UInt64((energyMeV * 0x1p24).rounded())
        if let first = recordingFrom {
            records.append(DepositRecord(quanta: q, voxel: UInt32(voxel), offset: UInt32(truncatingIfNeeded: currentHistory &- 1 &- first)))
            return
        }
        add(q, voxel: voxel)
    }

    @inline(__always)
    mutating func add(_ q: UInt64, voxel: Int) {
        if pendingHistory[voxel] != currentHistory {
            fold(voxel)
            pendingHistory[voxel] = currentHistory
        }
        pending[voxel] &+= q
    }

    mutating func fold(_ voxel: Int) {
        let x = pending[voxel]
        guard x != 0 else { return }
        sum[voxel] &+= x
        let (high, low) = x.multipliedFullWidth(by: x)
        sumOfSquares[voxel] &+= UInt128(_low: low, _high: high)
        pending[voxel] = 0
    }

    /// Starts recording the deposits of histories `first…` (the event-based driver): `deposit` then keeps
    /// (history, voxel, quanta) until `foldRecorded`. `recordHistory` says whose particle deposits next.
    mutating func beginRecording(from first: UInt64) {
        records.removeAll(keepingCapacity: true)
        recordingFrom = first
    }

    /// The history whose particle is transported next, while recording.
    @inline(__always)
    mutating func recordHistory(_ history: UInt64) {
        currentHistory = history &+ 1
    }

    /// Ends recording and folds the recorded deposits of `histories` (every one counts, also those that
    /// deposited nothing) history by history, in order: S1 and S2 are then exactly the integer sums a
    /// history-by-history run of the same deposits gives, whatever order the particles ran in.
    mutating func foldRecorded(_ histories: Range<UInt64>) {
        precondition(recordingFrom == histories.lowerBound, "foldRecorded: not recording this block")
        recordingFrom = nil
        let n = Int(histories.count)
        // Counting sort by history (stable; the order inside a history does not matter for integer sums).
        recordStarts.removeAll(keepingCapacity: true)
        recordStarts.append(contentsOf: repeatElement(0, count: n + 1))
        for r in records { recordStarts[Int(r.offset) + 1] += 1 }
        for h in 0..<n { recordStarts[h + 1] += recordStarts[h] }
        recordOrder.removeAll(keepingCapacity: true)
        recordOrder.append(contentsOf: repeatElement(DepositRecord(quanta: 0, voxel: 0, offset: 0), count: records.count))
        for r in records {
            let h = Int(r.offset)
            recordOrder[recordStarts[h]] = r
            recordStarts[h] += 1
        }
        // recordStarts[h] is now the end of history h's records, i.e. the start of h + 1's.
        var start = 0
        for h in 0..<n {
            beginHistory(histories.lowerBound + UInt64(h))
            for r in recordOrder[start..<recordStarts[h]] { add(r.quanta, voxel: Int(r.voxel)) }
            start = recordStarts[h]
        }
        records.removeAll(keepingCapacity: true)
    }

    /// Folds every pending history into S1 and S2; call once all histories are done.
    public mutating func flush() {
        for v in 0..<sum.count where pending[v] != 0 { fold(v) }
    }

    /// Empties a flushed tally in place (its storage is reused, nothing is allocated).
    mutating func reset() {
        flush()
        histories = 0
        sum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        sumOfSquares.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Adds another (flushed) tally's sums to this one. Exact: the result does not depend on order.
    public mutating func merge(_ other: EnergyTally) {
        precondition(other.voxelCount == voxelCount, "tallies must cover the same grid")
        flush()
        var o = other
        o.flush()
        histories += o.histories
        for v in 0..<sum.count {
            sum[v] &+= o.sum[v]
            sumOfSquares[v] &+= o.sumOfSquares[v]
        }
    }

    /// A UInt128 as the nearest Double or one ulp off (the stdlib's generic conversion was 18 % of a
    /// benchmark run's CPU time, docs/performance.md; the variance needs nowhere near 53 bits).
    @inline(__always)
    static func double(_ x: UInt128) -> Double {
        x._high == 0 ? Double(x._low) : Double(x._high) * 0x1p64 + Double(x._low)
    }

    /// Mean energy per history in each voxel (MeV) and its relative standard error (1σ; 0 where no energy).
    ///
    /// s_x̄ = √[(S2/N − (S1/N)²)/(N − 1)] (Walters et al. 2002, eq. 4).
    public func meanEnergyPerHistory() -> (energyMeV: [Double], relativeUncertainty: [Double]) {
        var t = self
        t.flush()
        let n = Double(t.histories)
        var mean = [Double](repeating: 0, count: t.voxelCount)
        var rel = [Double](repeating: 0, count: t.voxelCount)
        guard t.histories > 1 else {
            if t.histories == 1 { for v in 0..<t.voxelCount { mean[v] = Double(t.sum[v]) * Self.quantumMeV } }
            return (mean, rel)
        }
        for v in 0..<t.voxelCount where t.sum[v] > 0 {
            let m = Double(t.sum[v]) / n
            let variance = max(0, (Self.double(t.sumOfSquares[v]) / n - m * m) / (n - 1))
            mean[v] = m * Self.quantumMeV
            rel[v] = variance.squareRoot() / m
        }
        return (mean, rel)
    }
}

/// One recorded deposit of the event-based driver: quanta, voxel and the history's offset in its block.
struct DepositRecord: Sendable {
    var quanta: UInt64
    var voxel: UInt32
    var offset: UInt32
}
