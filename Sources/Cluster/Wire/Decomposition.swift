/// How a decomposed job (protocol v3) cuts its phantom and its histories: slabs of whole z planes,
/// each transported by its own units and fed only its own phantom input and the particle banks that
/// cross into it, in rounds; and batches of histories, each run to the end of its rounds, whose
/// spread gives the uncertainty (docs/cluster.md, "Decomposed mode").
///
/// The coordinator knows no physics: it routes opaque bank blobs by slab, adds each unit's energy
/// into its batch, and folds whole batches, in order, into the job's tally as Σ X_b (`energySum`)
/// and Σ X_b² (`energySquaredSum`).
public struct Decomposition: Hashable, Sendable {
    /// The first z plane of every slab, from 0, strictly increasing, below the grid's plane count.
    public var firstPlanes: [UInt32]
    /// Batches of histories (batch b holds histories `[N·b/B, N·(b+1)/B)`).
    public var batches: UInt32
    /// For each slab, the index in `JobSpec.inputs` of its own input (its part of the phantom); the
    /// inputs not named here are common to every unit.
    public var slabInputs: [UInt16]

    /// Creates a plan (check it with `JobSpec.validate()`).
    public init(firstPlanes: [UInt32], batches: UInt32, slabInputs: [UInt16]) {
        self.firstPlanes = firstPlanes
        self.batches = batches
        self.slabInputs = slabInputs
    }

    /// The most batches of one job (the batch uncertainty needs at least 10).
    public static let maximumBatches: UInt32 = 10_000

    /// The number of slabs.
    public var slabCount: Int { firstPlanes.count }

    /// The z planes of slab `slab` in a grid of `planeCount` planes.
    public func planes(ofSlab slab: Int, planeCount: Int) -> Range<Int> {
        Int(firstPlanes[slab])..<(slab + 1 < firstPlanes.count ? Int(firstPlanes[slab + 1]) : planeCount)
    }

    /// The slab holding plane `plane`, or nil outside `0..<planeCount`.
    public func slab(ofPlane plane: Int, planeCount: Int) -> Int? {
        guard plane >= 0, plane < planeCount else { return nil }
        return firstPlanes.lastIndex { Int($0) <= plane }
    }

    /// The histories of batch `batch` of a job of `historyCount` histories.
    public func histories(ofBatch batch: Int, historyCount: UInt64) -> Range<UInt64> {
        func bound(_ b: Int) -> UInt64 { UInt64(UInt128(historyCount) * UInt128(b) / UInt128(batches)) }
        return bound(batch)..<bound(batch + 1)
    }

    /// The inputs every unit of the job needs, whatever its slab.
    public func commonInputs(of spec: JobSpec) -> [ContentDigest] {
        spec.inputs.indices.filter { !slabInputs.contains(UInt16($0)) }.map { spec.inputs[$0] }
    }

    func validate(in spec: JobSpec) throws(ClusterError) {
        guard !firstPlanes.isEmpty, firstPlanes[0] == 0 else {
            throw .invalidJob("a decomposition needs at least one slab, the first starting at plane 0")
        }
        guard zip(firstPlanes, firstPlanes.dropFirst()).allSatisfy({ $0 < $1 }), firstPlanes.last! < spec.layout.countZ
        else {
            throw .invalidJob(
                "slab first planes \(firstPlanes) must increase strictly below the grid's \(spec.layout.countZ) planes")
        }
        guard batches >= 2, batches <= Self.maximumBatches else {
            throw .invalidJob("a decomposed job needs 2…\(Self.maximumBatches) batches, got \(batches)")
        }
        guard spec.historyCount >= UInt64(batches) else {
            throw .invalidJob("\(spec.historyCount) histories cannot fill \(batches) batches")
        }
        guard slabInputs.count == firstPlanes.count, Set(slabInputs).count == slabInputs.count,
            slabInputs.allSatisfy({ Int($0) < spec.inputs.count })
        else {
            throw .invalidJob(
                "a decomposed job names one distinct input per slab (\(firstPlanes.count) slabs, slab inputs \(slabInputs) of \(spec.inputs.count) inputs)"
            )
        }
        guard spec.stop == nil || spec.stop!.weightsInput == nil else {
            throw .invalidJob("the stop rule of a decomposed job takes no weights input (the batch tally is its energy)")
        }
    }
}
