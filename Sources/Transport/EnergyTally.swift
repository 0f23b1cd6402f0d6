/// Per-voxel energy deposited, in integer fixed point, with history-by-history second moments.
///
/// Energy is counted in quanta of 2⁻²⁴ MeV (≈ 6·10⁻⁸ MeV): integer sums are associative, so the same
/// histories give the same bits whatever the thread count, block size or merge order (DESIGN.md
/// invariant 1). For each voxel the tally keeps S1 = Σ_h x_h (UInt64) and S2 = Σ_h x_h² (UInt128),
/// where x_h is everything primary history h and its descendants deposited there (Walters, Kawrakow &
/// Rogers 2002, Med. Phys. 29:2745, the history-by-history method DOSXYZnrc uses; PHYSICS.md §5). A
/// history's deposits are recorded as it runs and folded into S1 and S2 when it ends (`foldHistory`),
/// touching only the voxels it reached. The Cluster wire carries exactly S1 and S2 per voxel plus the history
/// count. A voxel's S1, S2 and fold scratch lie side by side in one 32-byte record (`VoxelSums`);
/// `sum` and `sumOfSquares` are views of them.
public struct EnergyTally: Sendable {
    /// The energy of one quantum, in MeV.
    public static let quantumMeV: Double = 0x1p-24

    /// Histories folded into this tally.
    public private(set) var histories: UInt64 = 0
    /// Per voxel: S1, S2 and the energy of the history being folded (shared between copies until one is
    /// written: `writableSums`).
    private(set) var sums: VoxelSumsStorage
    /// 1 + the history depositing now (0: none yet).
    var currentHistory: UInt64 = 0
    /// The deposits of the open history (the scalar driver), folded when the next one begins or at `flush`.
    /// Appending a record and folding a history's records at its end costs less than the per-voxel lazy fold
    /// this replaced (a "last history" mark per voxel, four random-access arrays per deposit:
    /// docs/performance.md, profile 5), and gives the same integer sums.
    var open: [DepositRecord] = []
    /// The event-based driver's deposits of a block of histories, folded in history order at the block's
    /// end (`foldRecorded`): it transports many histories' particles interleaved, and `open` above holds
    /// one history at a time. Empty (and unused) for the scalar driver.
    var records: [DepositRecord] = []
    var recordOrder: [DepositRecord] = []
    var recordStarts: [Int] = []
    /// The first history of the block being recorded, or nil when deposits go straight to the sums.
    var recordingFrom: UInt64?

    /// An empty tally for `voxelCount` voxels.
    public init(voxelCount: Int) {
        sums = VoxelSumsStorage(count: voxelCount)
        open.reserveCapacity(256)
    }

    /// A tally from sums received from elsewhere (a worker, a checkpoint).
    /// - Precondition: both arrays have the same length.
    public init(histories: UInt64, sum: [UInt64], sumOfSquares: [UInt128]) {
        precondition(sum.count == sumOfSquares.count, "S1 and S2 must cover the same voxels")
        self.histories = histories
        sums = VoxelSumsStorage(count: sum.count)
        for v in 0..<sum.count where sum[v] != 0 || sumOfSquares[v] != 0 {
            sums.base[v] = VoxelSums(sumOfSquares: sumOfSquares[v], sum: sum[v], pending: 0)
            sums.mark(voxel: v)
        }
    }

    /// The number of voxels.
    public var voxelCount: Int { sums.count }

    /// Σ_h x_h per voxel, in quanta (a view of the tally's records, not a copy).
    public var sum: TallyColumn<UInt64> {
        TallyColumn(storage: sums, fieldOffset: MemoryLayout<VoxelSums>.offset(of: \.sum)!)
    }

    /// Σ_h x_h² per voxel, in quanta² (a view of the tally's records, not a copy).
    public var sumOfSquares: TallyColumn<UInt128> {
        TallyColumn(storage: sums, fieldOffset: MemoryLayout<VoxelSums>.offset(of: \.sumOfSquares)!)
    }

    /// S1 of voxel `v`.
    @inline(__always)
    func sum(ofVoxel v: Int) -> UInt64 { sums.base[v].sum }

    /// The records, to be written: copied first when another tally (or a view) shares them.
    @inline(__always)
    mutating func writableSums() -> UnsafeMutablePointer<VoxelSums> {
        if !isKnownUniquelyReferenced(&sums) { sums = VoxelSumsStorage(copying: sums) }
        return sums.base
    }

    /// Starts primary history `history` (a global index: the same one that keys its random stream). The
    /// previous history's deposits are folded first, unless it is the same history again (a decomposed
    /// run's slab transports a history's banked particles one after another).
    public mutating func beginHistory(_ history: UInt64) {
        if history &+ 1 != currentHistory { foldOpen() }
        currentHistory = history &+ 1
        histories += 1
    }

    /// Adds `energyMeV` deposited in `voxel` by the current history.

    ///
    /// A deposit in the voxel of the one before it (same history) adds to that record: an electron
    /// deposits several segments in a row in one voxel, and fewer records are fewer random accesses in
    /// the fold. The integer sums are the same.
    public mutating func deposit(_ energyMeV: Double, voxel: Int) {
        guard energyMeV > 0 else { return }
        let q = UInt64((energyMeV * 0x1p24).rounded())
        if let first = recordingFrom {
            let offset = UInt32(truncatingIfNeeded: currentHistory &- 1 &- first)
            let n = records.count - 1
            if n >= 0 && records[n].voxel == UInt32(voxel) && records[n].offset == offset {
                records[n].quanta &+= q
                return
            }
            records.append(DepositRecord(quanta: q, voxel: UInt32(voxel), offset: offset))
            return
        }
        let n = open.count - 1
        if n >= 0 && open[n].voxel == UInt32(voxel) {
            open[n].quanta &+= q
            return
        }
        open.append(DepositRecord(quanta: q, voxel: UInt32(voxel), offset: 0))
    }

    /// Folds the open history's deposits into S1 and S2.
    @inline(__always)
    mutating func foldOpen() {
        guard !open.isEmpty else { return }
        foldHistory(open[...])
        open.removeAll(keepingCapacity: true)
    }

    /// Adds one history's deposits to S1 and S2: its energy x_h per voxel is summed first (in `pending`),
    /// then each voxel it reached gets x_h and x_h² once (the first record of a voxel folds it and clears
    /// `pending`; later ones of the same voxel find zero). The second pass finds each voxel's record in the
    /// cache line the first pass brought in.
    mutating func foldHistory(_ deposits: ArraySlice<DepositRecord>) {
        let voxels = writableSums()
        let marks = sums.marks
        for r in deposits { voxels[Int(r.voxel)].pending &+= r.quanta }
        for r in deposits {
            let p = voxels + Int(r.voxel)
            let x = p.pointee.pending
            guard x != 0 else { continue }
            p.pointee.sum &+= x
            let (high, low) = x.multipliedFullWidth(by: x)
            p.pointee.sumOfSquares &+= UInt128(_low: low, _high: high)
            p.pointee.pending = 0
            marks[Int(r.voxel) >> VoxelSumsStorage.blockShift] = VoxelSumsStorage.holdsSums
        }
    }

    /// Starts recording the deposits of histories `first…` (the event-based driver): `deposit` then keeps
    /// (history, voxel, quanta) until `foldRecorded`. `recordHistory` says whose particle deposits next.
    mutating func beginRecording(from first: UInt64) {
        foldOpen()
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
            foldHistory(recordOrder[start..<recordStarts[h]])
            start = recordStarts[h]
        }
        self.histories += UInt64(n)
        currentHistory = histories.upperBound
        records.removeAll(keepingCapacity: true)
    }

    /// Folds the open history into S1 and S2; call once all histories are done. Changes nothing (and
    /// copies nothing) when no history is open.
    public mutating func flush() {
        foldOpen()
    }

    /// Empties the tally in place for reuse: its open history and recorded deposits are dropped, and only
    /// the blocks of voxels that hold sums are zeroed (`VoxelSumsStorage.clear`); nothing is allocated unless
    /// a copy or a view shares the records (then they are copied first, as for any write).
    mutating func reset() {
        open.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        recordingFrom = nil
        currentHistory = 0
        histories = 0
        _ = writableSums()
        sums.clear()
    }

    /// Adds another (flushed) tally's sums to this one. Exact: the result does not depend on order. Only
    /// the other's blocks that hold sums are read.
    public mutating func merge(_ other: EnergyTally) {
        precondition(other.voxelCount == voxelCount, "tallies must cover the same grid")
        flush()
        var o = other
        o.flush()
        histories += o.histories
        let into = writableSums()
        withExtendedLifetime(o) {
            let from = o.sums
            for block in 0..<from.blockCount where from.marks[block] == VoxelSumsStorage.holdsSums {
                for v in from.voxels(ofBlock: block) {
                    into[v].sum &+= from.base[v].sum
                    into[v].sumOfSquares &+= from.base[v].sumOfSquares
                }
                sums.marks[block] = VoxelSumsStorage.holdsSums
            }
        }
    }

    /// Calls `body` with each voxel whose S1 or S2 is nonzero, in increasing order, with its sums (a flushed
    /// tally; only the blocks that hold sums are read).
    public func forEachNonzeroVoxel(_ body: (_ voxel: Int, _ sum: UInt64, _ sumOfSquares: UInt128) throws -> Void) rethrows {
        try withExtendedLifetime(sums) {
            for block in 0..<sums.blockCount where sums.marks[block] == VoxelSumsStorage.holdsSums {
                for v in sums.voxels(ofBlock: block) {
                    let r = sums.base[v]
                    if r.sum != 0 || r.sumOfSquares != 0 { try body(v, r.sum, r.sumOfSquares) }
                }
            }
        }
    }

    /// Bytes of the per-voxel records (32 per voxel): the tally's memory when its histories reach every
    /// block of voxels.
    public var recordBytes: Int { sums.recordBytes }

    /// Bytes of the blocks of records (128 records, 4 KiB, each) its histories ever wrote, emptied ones
    /// included: how much of the grid they reached, i.e. what a tally allocated block by block on first
    /// touch would hold (all of `recordBytes` are allocated and resident).
    public var touchedBytes: Int { sums.touchedBytes }

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
            if t.histories == 1 { for v in 0..<t.voxelCount { mean[v] = Double(t.sum(ofVoxel: v)) * Self.quantumMeV } }
            return (mean, rel)
        }
        for v in 0..<t.voxelCount where t.sum(ofVoxel: v) > 0 {
            mean[v] = Double(t.sum(ofVoxel: v)) / n * Self.quantumMeV
            rel[v] = t.relativeUncertainty(ofVoxel: v)
        }
        return (mean, rel)
    }

    /// The relative 1σ uncertainty of voxel `v`'s mean energy per history, from S1 and S2 of a flushed
    /// tally of more than one history whose S1 there is positive.
    @inline(__always)
    func relativeUncertainty(ofVoxel v: Int) -> Double {
        Self.relativeUncertainty(sum: sums.base[v].sum, sumOfSquares: sums.base[v].sumOfSquares,
                                 histories: Double(histories))
    }

    /// The relative 1σ uncertainty of a mean from its sums S1 > 0 and S2 over `n` > 1 histories (the same
    /// arithmetic for one tally and for the sums of several, `RoundUncertainty`).
    @inline(__always)
    static func relativeUncertainty(sum: UInt64, sumOfSquares: UInt128, histories n: Double) -> Double {
        let m = Double(sum) / n
        let variance = max(0, (double(sumOfSquares) / n - m * m) / (n - 1))
        return variance.squareRoot() / m
    }
}

/// One recorded deposit: quanta, voxel and, for the event-based driver, the history's offset in its block
/// (0 in the open history of the scalar driver).
struct DepositRecord: Sendable {
    var quanta: UInt64
    var voxel: UInt32
    var offset: UInt32
}
