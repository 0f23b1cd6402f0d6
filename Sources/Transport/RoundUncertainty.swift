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
    /// Per voxel, its dose (pass 1); then per chunk, from the voxel where it starts, the relative
    /// uncertainties of its voxels above half the maximum in voxel order (pass 2 writes them over the
    /// doses it has read: the k-th value goes to the chunk's k-th voxel, never past the voxel being read).
    /// Chunks are disjoint and each is written by the one thread that took it; that is why this class is
    /// `@unchecked Sendable`.
    private let values: UnsafeMutableBufferPointer<Double>
    /// Per chunk: its largest dose (pass 1), then how many of its voxels are above half the maximum (pass 2).
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
        maxima = .allocate(capacity: max(chunkCount, 1))
        counts = .allocate(capacity: max(chunkCount, 1))
    }

    deinit {
        values.deallocate()
        maxima.deallocate()
        counts.deallocate()
    }

    /// The mean relative uncertainty above half the maximum of the tallies' summed (flushed) sums; 0 for
    /// at most one history.
    func mean(of tallies: [EnergyTally]) -> Double {
        let histories = tallies.reduce(0) { $0 + $1.histories }
        guard histories > 1 else { return 0 }
        let n = Double(histories)
        return Sums.over(tallies[...]) { sums in
            forEachChunk { c in self.maxima[c] = self.maximumDose(inChunk: c, of: sums, histories: n) }
            let half = 0.5 * maxima.reduce(0.0) { max($0, $1) }
            forEachChunk { c in self.counts[c] = self.uncertainties(inChunk: c, above: half, of: sums, histories: n) }
            var s = 0.0, count = 0
            for c in 0..<chunkCount {
                let start = c * chunkVoxels
                for k in 0..<counts[c] { s += values[start + k] }
                count += counts[c]
            }
            return count > 0 ? s / Double(count) : 0
        }
    }

    /// The tallies' S1 and S2 arrays, read through pointers (no retain or release per voxel). Only read,
    /// and only inside `over`'s body, while the tallies are not written: hence `@unchecked Sendable`.
    struct Sums: @unchecked Sendable {
        var s1: [UnsafeBufferPointer<UInt64>] = []
        var s2: [UnsafeBufferPointer<UInt128>] = []

        /// Calls `body` with the sums of `tallies`, valid inside it only.
        static func over<R>(_ tallies: ArraySlice<EnergyTally>, _ sums: Sums = Sums(), _ body: (Sums) -> R) -> R {
            guard let first = tallies.first else { return body(sums) }
            return first.sum.withUnsafeBufferPointer { a in
                first.sumOfSquares.withUnsafeBufferPointer { b in
                    over(tallies.dropFirst(), Sums(s1: sums.s1 + [a], s2: sums.s2 + [b]), body)
                }
            }
        }

        /// S1 of voxel `v` summed over the tallies (wrapping, as `EnergyTally.merge` adds).
        @inline(__always)
        func sum(_ v: Int) -> UInt64 {
            switch s1.count {
            case 1: return s1[0][v]
            case 2: return s1[0][v] &+ s1[1][v]
            default:
                var s: UInt64 = 0
                for p in s1 { s &+= p[v] }
                return s
            }
        }

        /// S2 of voxel `v` summed over the tallies.
        @inline(__always)
        func sumOfSquares(_ v: Int) -> UInt128 {
            var s: UInt128 = 0
            for p in s2 { s &+= p[v] }
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

    /// Stores the doses of chunk `c`'s voxels and returns the largest.
    private func maximumDose(inChunk c: Int, of sums: Sums, histories n: Double) -> Double {
        var maximum = 0.0
        for v in voxels(ofChunk: c) {
            let d = dose(sums.sum(v), v, histories: n)
            values[v] = d
            maximum = max(maximum, d)
        }
        return maximum
    }

    /// Writes the relative uncertainties of chunk `c`'s voxels above `half` in order from the chunk's
    /// start and returns how many there are.
    private func uncertainties(inChunk c: Int, above half: Double, of sums: Sums, histories n: Double) -> Int {
        let range = voxels(ofChunk: c)
        var k = range.lowerBound
        for v in range where values[v] > half {
            values[k] = EnergyTally.relativeUncertainty(sum: sums.sum(v), sumOfSquares: sums.sumOfSquares(v), histories: n)
            k += 1
        }
        return k - range.lowerBound
    }
}
