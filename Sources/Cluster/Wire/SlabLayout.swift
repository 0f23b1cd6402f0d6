/// The tally grid's voxel counts and how it is cut into slabs of whole z planes (DESIGN.md
/// "Slab tiles"). Voxels are numbered x fastest, then y, then z, as in `Geometry.VoxelGrid`.
public struct SlabLayout: Hashable, Sendable {
    /// Voxels along x.
    public let countX: UInt32
    /// Voxels along y.
    public let countY: UInt32
    /// Voxels along z (the patient's long axis).
    public let countZ: UInt32
    /// z planes per slab (the last slab may be thinner).
    public let planesPerSlab: UInt32

    /// Creates a layout.
    /// - Throws: `ClusterError.invalidJob` when a count is zero, the grid has more than 2³² − 1 voxels,
    ///   or one slab's tallies could not fit in a frame.
    public init(countX: UInt32, countY: UInt32, countZ: UInt32, planesPerSlab: UInt32) throws(ClusterError) {
        guard countX > 0, countY > 0, countZ > 0 else {
            throw .invalidJob("grid counts must be positive, got \(countX)×\(countY)×\(countZ)")
        }
        guard planesPerSlab > 0, planesPerSlab <= countZ else {
            throw .invalidJob("planes per slab must be within 1…\(countZ), got \(planesPerSlab)")
        }
        // Each count is below 2³², so x·y fits 64 bits; the product with z may not, hence the check.
        let (voxels, overflow) = (UInt64(countX) * UInt64(countY)).multipliedReportingOverflow(by: UInt64(countZ))
        guard !overflow, voxels < UInt64(UInt32.max) else {
            throw .invalidJob("grid of \(countX)×\(countY)×\(countZ) voxels exceeds 2³² − 1; use a coarser grid")
        }
        // A slab's sparse frame with every voxel touched (index UInt32, Σ UInt64 and Σ² UInt128 per voxel,
        // after its slab and count) must fit one frame: results and fetched results travel that way.
        let slabBytes = UInt64(countX) * UInt64(countY) * UInt64(planesPerSlab) * 28 + 64
        guard slabBytes <= UInt64(WireLimits.maximumFrameBytes) else {
            throw .invalidJob("a slab of \(planesPerSlab) planes needs \(slabBytes) bytes per frame; use thinner slabs")
        }
        self.countX = countX
        self.countY = countY
        self.countZ = countZ
        self.planesPerSlab = planesPerSlab
    }

    /// All voxels.
    public var voxelCount: Int { Int(countX) * Int(countY) * Int(countZ) }
    /// Voxels in one z plane.
    public var planeVoxelCount: Int { Int(countX) * Int(countY) }
    /// The number of slabs.
    public var slabCount: Int { (Int(countZ) + Int(planesPerSlab) - 1) / Int(planesPerSlab) }

    /// The z planes of slab `slab`.
    public func planes(ofSlab slab: Int) -> Range<Int> {
        let start = slab * Int(planesPerSlab)
        return start..<min(start + Int(planesPerSlab), Int(countZ))
    }

    /// The global voxel indices of slab `slab` (a contiguous range, since z is slowest).
    public func voxels(ofSlab slab: Int) -> Range<Int> {
        let planes = planes(ofSlab: slab)
        return planes.lowerBound * planeVoxelCount..<planes.upperBound * planeVoxelCount
    }

    /// The slab that holds z plane `plane`.
    public func slab(ofPlane plane: Int) -> Int { plane / Int(planesPerSlab) }
}
