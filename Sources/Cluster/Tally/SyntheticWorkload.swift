import Dispatch
import Foundation

/// A deterministic stand-in for the transport engine with the same shape: histories in, per-slab
/// sparse fixed-point tallies out. Each history is a short random walk of deposits around the
/// grid's central axis, so tallies are sparse at the edges and dense in the middle, like a beam.
///
/// If the job names an input, it is read as one weight byte per voxel: a deposit in a voxel is
/// multiplied by (1 + weight), which makes results depend on the content-addressed input (as dose
/// depends on the phantom) and so exercises the blob path.
///
/// Parameters (optional, 4 bytes little-endian): milliseconds to sleep per unit (a span of n units
/// sleeps n times as long), a knob for tests and benchmarks that need units to last (slow workers, a
/// worker killed mid-unit).
public struct SyntheticWorkload: UnitExecutor {
    /// The workload name in `JobSpec.workload`.
    public static let name = "synthetic"
    public var workloads: [String] { [Self.name] }

    /// Creates the executor.
    public init() {}

    /// The parameter block asking for `delayMS` of sleep per unit.
    public static func parameters(unitDelayMS: UInt32) -> [UInt8] {
        withUnsafeBytes(of: unitDelayMS.littleEndian) { Array($0) }
    }

    public func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        let layout = unit.spec.layout
        let weights: [UInt8]? = try unit.spec.inputs.first.map { digest in
            guard let data = inputs[digest] else { throw ClusterError.invalidJob("input \(digest) missing") }
            guard data.count == layout.voxelCount else {
                throw ClusterError.invalidJob(
                    "synthetic weight map has \(data.count) bytes, the grid has \(layout.voxelCount) voxels")
            }
            return data
        }
        if unit.spec.parameters.count == 4 {
            let delayMS = unit.spec.parameters.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
            let units = (UInt64(unit.histories.count) + unit.spec.historiesPerUnit - 1) / unit.spec.historiesPerUnit
            Thread.sleep(forTimeInterval: Double(delayMS) * Double(units) / 1_000)
        }
        let chunks = Self.split(unit.histories, into: max(1, threads))
        let partials = PerThread<DenseTally>(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { n in
            var tally = DenseTally(voxelCount: layout.voxelCount)
            for history in chunks[n] {
                Self.run(history: history, seed: unit.spec.seed, layout: layout, weights: weights, into: &tally)
            }
            partials[n] = tally
        }
        var total = partials[0] ?? DenseTally(voxelCount: layout.voxelCount)
        for n in 1..<chunks.count { if let part = partials[n] { total.add(part) } }
        return UnitResult(
            key: unit.key, historyCount: UInt64(unit.histories.count), layout: layout, energySum: total.sum,
            energySquaredSum: total.squares)
    }

    /// Contiguous, nearly equal pieces of a history range.
    static func split(_ histories: Range<UInt64>, into pieces: Int) -> [Range<UInt64>] {
        let count = UInt64(histories.count), pieces = UInt64(pieces)
        return (0..<pieces).map { n in
            histories.lowerBound + count * n / pieces..<histories.lowerBound + count * (n + 1) / pieces
        }
    }

    /// One history: 1–8 deposits of up to 4 MeV each along a random walk.
    private static func run(
        history: UInt64, seed: UInt64, layout: SlabLayout, weights: [UInt8]?, into tally: inout DenseTally
    ) {
        var rng = SplitMix64(seed: seed, history: history)
        let nx = UInt64(layout.countX), ny = UInt64(layout.countY), nz = UInt64(layout.countZ)
        // Triangular distribution about the axis: the sum of two uniforms.
        var x = Int((rng.next(below: nx) + rng.next(below: nx)) / 2)
        var y = Int((rng.next(below: ny) + rng.next(below: ny)) / 2)
        var z = Int(rng.next(below: nz))
        let steps = 1 + Int(rng.next(below: 8))
        var voxels: [Int] = [], energies: [UInt64] = []
        for _ in 0..<steps {
            let voxel = x + Int(nx) * (y + Int(ny) * z)
            var quanta = rng.next() >> 38  // below 2²⁶ quanta = 4 MeV
            if let weights { quanta *= 1 + UInt64(weights[voxel]) }
            if let seen = voxels.firstIndex(of: voxel) {
                energies[seen] += quanta
            } else {
                voxels.append(voxel)
                energies.append(quanta)
            }
            switch rng.next(below: 6) {
            case 0: x = min(x + 1, Int(nx) - 1)
            case 1: x = max(x - 1, 0)
            case 2: y = min(y + 1, Int(ny) - 1)
            case 3: y = max(y - 1, 0)
            case 4: z = min(z + 1, Int(nz) - 1)
            default: z = max(z - 1, 0)
            }
        }
        for (voxel, energy) in zip(voxels, energies) { tally.deposit(energy, squared: UInt128(energy) * UInt128(energy), at: voxel) }
    }
}

/// Σ and Σ² for every voxel of a grid, as one thread of one unit accumulates them.
struct DenseTally: Sendable {
    var sum: [UInt64]
    var squares: [UInt128]

    init(voxelCount: Int) {
        sum = Array(repeating: 0, count: voxelCount)
        squares = Array(repeating: 0, count: voxelCount)
    }

    mutating func deposit(_ quanta: UInt64, squared: UInt128, at voxel: Int) {
        sum[voxel] += quanta
        squares[voxel] += squared
    }

    mutating func add(_ other: DenseTally) {
        for n in sum.indices where other.sum[n] != 0 {
            sum[n] += other.sum[n]
            squares[n] += other.squares[n]
        }
    }
}

/// One slot per thread of a `concurrentPerform`: thread `n` writes only slot `n`, and the slots are
/// read only after `concurrentPerform` returns, so no two threads ever touch the same memory.
final class PerThread<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    subscript(n: Int) -> Value? {
        get { slots[n] }
        set { slots[n] = newValue }
    }
}
