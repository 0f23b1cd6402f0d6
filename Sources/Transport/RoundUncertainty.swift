import Foundation
import Phantom
import Synchronization

/// The engine's per-round σ: the mean relative uncertainty of the voxels above half the maximum dose, from
/// the sums of the threads' tallies (never merged between rounds) and computed in voxel chunks on all
/// threads.
///
/// The value has the same bits as `DoseDistribution(tally: merged, phantom:).meanRelativeUncertaintyAboveHalfMax`
/// of the merged tally: S1 and S2 of a voxel are integer sums (exact in any order), the maximum is exact
/// in any order, and the relative uncertainties of the voxels above half the maximum are added in voxel
/// order — each chunk writes its own in order, one thread adds them up chunk by chunk. Merging and
/// emptying the thread tallies and a serial σ every round were ≈ 6 % of a 2-thread run
/// (docs/performance.md, change 23).
final class RoundUncertainty: @unchecked Sendable {
    let phantom: VoxelPhantom
    let threads: Int
    /// Voxels per chunk.
    let chunkVoxels: Int
    let chunkCount: Int
    /// Per voxel, its approximate dose S1/m in units of the round's `scale` (pass 1); then per chunk, from
    /// the voxel where it starts, the relative uncertainties of its voxels above half the maximum in voxel
    /// order (pass 3 writes them over the values it has read: the k-th goes to the chunk's k-th voxel, never
    /// past the voxel being read). Chunks are disjoint and each is written by the one thread that took it;
    /// that is why this class is `@unchecked Sendable`.
    private let values: UnsafeMutableBufferPointer<Double>
    /// 1/m per voxel (0 where the mass is 0), so that pass 1 multiplies instead of dividing twice.
    private let inverseMassKG: UnsafeMutableBufferPointer<Double>
    /// Per chunk: its largest approximate dose (pass 1), its largest exact dose (pass 2), then how many of
    /// its voxels are above half the maximum (pass 3).
    private let maxima: UnsafeMutableBufferPointer<Double>
    private let counts: UnsafeMutableBufferPointer<Int>

    /// The σ of `phantom`'s tallies, computed on up to `threads` threads in chunks of `chunkVoxels`
    /// voxels: 4 096 voxels' sums of two tallies are ≈ 0.2 MB, so a chunk takes a few tens of microseconds
    /// and the 55 chunks of a 223 260-voxel phantom spread evenly over the threads.
    init(phantom: VoxelPhantom, threads: Int, chunkVoxels: Int = 4096) {
        precondition(chunkVoxels >= 1, "a chunk holds at least one voxel")
        self.phantom = phantom
        self.threads = threads
        self.chunkVoxels = chunkVoxels
        let voxels = phantom.grid.voxelCount
        chunkCount = (voxels + chunkVoxels - 1) / chunkVoxels
        values = .allocate(capacity: voxels)
        inverseMassKG = .allocate(capacity: voxels)
        for v in 0..<voxels {
            let massKG = DoseDistribution.massKG(ofVoxel: v, in: phantom)
            inverseMassKG[v] = massKG > 0 ? 1 / massKG : 0
        }
        maxima = .allocate(capacity: max(chunkCount, 1))
        counts = .allocate(capacity: max(chunkCount, 1))
    }

    deinit {
        values.deallocate()
        inverseMassKG.deallocate()
        maxima.deallocate()
        counts.deallocate()
    }

    /// How far the approximate dose S1·(1/m)·scale may be from the exact one, relative: each is a few
    /// roundings (≤ 8 × 2⁻⁵³ ≈ 10⁻¹⁵) from S1·q·J/(n m); 10⁻¹² leaves a wide margin. Only voxels within it
    /// of the maximum or of half of it are decided with the exact dose.
    static let margin = 1e-12

    /// The mean relative uncertainty above half the maximum of the tallies' summed (flushed) sums; 0 for
    /// at most one history.
    ///
    /// Pass 1 finds every voxel's approximate dose and the largest (a multiplication per voxel: the exact
    /// dose divides twice, and was most of a round's σ); pass 2 takes the exact dose of the voxels within
    /// `margin` of that largest, whose maximum is the exact maximum; pass 3 decides "above half" from the
    /// approximation where it is clear by more than `margin` and from the exact dose where it is not. So
    /// every decision and every added value is the exact computation's.
    func mean(of tallies: [EnergyTally]) -> Double {
        let histories = tallies.reduce(0) { $0 + $1.histories }
        guard histories > 1 else { return 0 }
        let n = Double(histories)
        let scale = EnergyTally.quantumMeV * DoseDistribution.joulePerMeV / n
        return Sums.over(tallies) { sums in
            forEachChunk { c in self.maxima[c] = self.approximateDoses(inChunk: c, of: sums) }
            let floor = maxima.reduce(0.0) { max($0, $1) } * (1 - Self.margin)
            forEachChunk { c in self.maxima[c] = self.exactMaximum(inChunk: c, from: floor, of: sums, histories: n) }
            let half = 0.5 * maxima.reduce(0.0) { max($0, $1) }
            let bounds = (half / scale * (1 - Self.margin), half / scale * (1 + Self.margin))
            forEachChunk { c in
                self.counts[c] = self.uncertainties(inChunk: c, above: half, bounds: bounds, of: sums, histories: n)
            }
            var s = 0.0, count = 0
            for c in 0..<chunkCount {
                let start = c * chunkVoxels
                for k in 0..<counts[c] { s += values[start + k] }
                count += counts[c]
            }
            return count > 0 ? s / Double(count) : 0
        }
    }

    /// The tallies' records, read through pointers (no retain or release per voxel). Only read, and only
    /// inside `over`'s body, while the tallies are not written: hence `@unchecked Sendable`.
    struct Sums: @unchecked Sendable {
        let records: [UnsafePointer<VoxelSums>]
        /// Each tally's block marks (`VoxelSumsStorage.marks`).
        let marks: [UnsafePointer<UInt8>]

        /// Calls `body` with the sums of `tallies`, valid inside it only.
        static func over<R>(_ tallies: [EnergyTally], _ body: (Sums) -> R) -> R {
            withExtendedLifetime(tallies) {
                body(Sums(records: tallies.map { UnsafePointer($0.sums.base) },
                          marks: tallies.map { UnsafePointer($0.sums.marks) }))
            }
        }

        /// Whether a voxel of block `block` may hold sums in any of the tallies (if not, all its sums are 0
        /// and its records need not be read: a large tally's unwritten pages stay unmapped).
        @inline(__always)
        func holdsSums(block: Int) -> Bool {
            for m in marks where m[block] == VoxelSumsStorage.holdsSums { return true }
            return false
        }

        /// S1 of voxel `v` summed over the tallies (wrapping, as `EnergyTally.merge` adds).
        @inline(__always)
        func sum(_ v: Int) -> UInt64 {
            switch records.count {
            case 1: return records[0][v].sum
            case 2: return records[0][v].sum &+ records[1][v].sum
            default:
                var s: UInt64 = 0
                for p in records { s &+= p[v].sum }
                return s
            }
        }

        /// S2 of voxel `v` summed over the tallies.
        @inline(__always)
        func sumOfSquares(_ v: Int) -> UInt128 {
            var s: UInt128 = 0
            for p in records { s &+= p[v].sumOfSquares }
            return s
        }
    }

    /// Runs `body` for every chunk, spread over the threads (each chunk on exactly one).
    private func forEachChunk(_ body: @Sendable (Int) -> Void) {
        let workers = min(threads, chunkCount)
        guard workers > 1 else {
            for c in 0..<chunkCount { body(c) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if c >= chunkCount { break }
                body(c)
            }
        }
    }

    private func voxels(ofChunk c: Int) -> Range<Int> {
        c * chunkVoxels..<min((c + 1) * chunkVoxels, phantom.grid.voxelCount)
    }

    /// The dose of voxel `v` from S1, with exactly the arithmetic of
    /// `DoseDistribution.meanRelativeUncertaintyAboveHalfMax(of:phantom:)`.
    @inline(__always)
    private func dose(_ s1: UInt64, _ v: Int, histories n: Double) -> Double {
        let massKG = DoseDistribution.massKG(ofVoxel: v, in: phantom)
        guard massKG > 0, s1 > 0 else { return 0 }
        return Double(s1) / n * EnergyTally.quantumMeV * DoseDistribution.joulePerMeV / massKG
    }

    /// Stores S1/m of chunk `c`'s voxels (the dose in units of the round's scale) and returns the largest.
    /// Blocks of voxels no tally wrote get 0 without reading their records.
    private func approximateDoses(inChunk c: Int, of sums: Sums) -> Double {
        var maximum = 0.0
        let chunk = voxels(ofChunk: c)
        var start = chunk.lowerBound
        while start < chunk.upperBound {
            let block = start >> VoxelSumsStorage.blockShift
            let end = min((block + 1) << VoxelSumsStorage.blockShift, chunk.upperBound)
            if sums.holdsSums(block: block) {
                for v in start..<end {
                    let a = Double(sums.sum(v)) * inverseMassKG[v]
                    values[v] = a
                    maximum = max(maximum, a)
                }
            } else {
                for v in start..<end { values[v] = 0 }
            }
            start = end
        }
        return maximum
    }

    /// The largest exact dose among chunk `c`'s voxels whose approximate dose is at least `floor`.
    private func exactMaximum(inChunk c: Int, from floor: Double, of sums: Sums, histories n: Double) -> Double {
        var maximum = 0.0
        for v in voxels(ofChunk: c) where values[v] >= floor {
            maximum = max(maximum, dose(sums.sum(v), v, histories: n))
        }
        return maximum
    }

    /// Writes the relative uncertainties of chunk `c`'s voxels whose exact dose is above `half` in order
    /// from the chunk's start and returns how many there are. `bounds` is `half` in the approximate
    /// doses' units, less and plus the margin: outside them the approximation decides.
    private func uncertainties(inChunk c: Int, above half: Double, bounds: (Double, Double), of sums: Sums,
                               histories n: Double) -> Int {
        let range = voxels(ofChunk: c)
        var k = range.lowerBound
        for v in range where values[v] > bounds.0 {
            let s1 = sums.sum(v)
            guard values[v] >= bounds.1 || dose(s1, v, histories: n) > half else { continue }
            values[k] = EnergyTally.relativeUncertainty(sum: s1, sumOfSquares: sums.sumOfSquares(v), histories: n)
            k += 1
        }
        return k - range.lowerBound
    }
}
