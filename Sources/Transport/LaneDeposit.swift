/// A charged lane's open deposit record in the event driver: the lane's consecutive continuous losses in
/// one voxel summed in quanta (as `EnergyTally.deposit` rounds each of them) before they reach the tally.
/// The tally merges a deposit into the record before it (change 20, docs/performance.md), but the event
/// driver's lanes interleave their segments, so there it merged almost none; the integer sums, and so
/// the tally's bits, are the same either way.
struct LaneDeposit {
    /// The voxel of the open record; −1 when none is open.
    var voxel = -1
    var quanta: UInt64 = 0

    /// Adds `energyMeV` deposited in `voxel` by the lane's particle, of history `history`: to the open
    /// record when it is this voxel's, else the open record goes to `tally` and this one opens.
    @inline(__always)
    mutating func add(_ energyMeV: Double, voxel v: Int, history: UInt64, tally: inout EnergyTally) {
        guard energyMeV > 0 else { return }
        let q = EnergyTally.quanta(energyMeV)
        if v == voxel {
            quanta &+= q
            return
        }
        close(history: history, tally: &tally)
        (voxel, quanta) = (v, q)
    }

    /// Hands the open record (if any) of the lane's particle, of history `history`, to `tally`.
    @inline(__always)
    mutating func close(history: UInt64, tally: inout EnergyTally) {
        guard voxel >= 0 else { return }
        tally.record(quanta: quanta, voxel: voxel, history: history)
        voxel = -1
    }
}

extension EnergyTally {
    /// Records `quanta` deposited in `voxel` by history `history` (a history of the block being recorded).
    @inline(__always)
    mutating func record(quanta: UInt64, voxel: Int, history: UInt64) {
        let offset = UInt32(truncatingIfNeeded: history &- recordingFrom!)
        records.append(DepositRecord(quanta: quanta, voxel: UInt32(voxel), offset: offset))
    }
}
