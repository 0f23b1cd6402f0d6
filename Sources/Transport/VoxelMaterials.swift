/// Each voxel's density and medium index side by side, eight bytes per voxel, so that the kernels'
/// per-voxel look-up (density, then medium) costs one cache line instead of two misses into two 8-byte
/// arrays: in profile 3 (docs/performance.md) that load was 44 % of the photon kernel's own time.
struct VoxelMaterial: Sendable {
    /// g/cm³, exactly the phantom's Float.
    let density: Float
    let medium: UInt32
}

/// The voxels' densities as Double (the same values as `Double(phantom.densitiesGPerCM3[v])`).
struct DensityColumn: Sendable {
    let voxels: [VoxelMaterial]

    @inline(__always)
    subscript(_ v: Int) -> Double { Double(voxels[v].density) }
}

/// The voxels' medium indices.
struct MediumColumn: Sendable {
    let voxels: [VoxelMaterial]

    @inline(__always)
    subscript(_ v: Int) -> Int { Int(voxels[v].medium) }
}
