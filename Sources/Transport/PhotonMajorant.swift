import Geometry
import Phantom

/// Per-macro-block photon majorants for Woodcock tracking (PHYSICS.md §1.5).
///
/// The grid is cut into blocks of `edge`³ voxels; for each block and medium it stores the largest
/// density of that medium in the block. The block's majorant at energy E is max_m ρ_max(b, m)·μ_m(E):
/// a small dense object then inflates the majorant only in its own blocks, so photons elsewhere see
/// almost no virtual collisions.
struct PhotonMajorant: Sendable {
    /// The blocks of the whole phantom (walked by photons).
    let blocks: VoxelGrid
    let edge: Int
    /// The index in `blocks` of the first block whose data is held (0 unless the phantom is one slab of a
    /// larger grid, `init(slab:of:firstPlane:edge:)`).
    let blockOffset: Int
    let mediaCount: Int
    /// ρ_max per (block, medium), block-major.
    let maxDensity: [Double]
    /// The media present in each block (indices), to skip absent ones.
    let presentMedia: [[Int]]

    init(phantom: VoxelPhantom, edge: Int) {
        self.init(slab: phantom, of: phantom.grid, firstPlane: 0, edge: edge)
    }

    /// The majorants of `slab`, the planes of `grid` from `firstPlane` on; `firstPlane` is a multiple of
    /// `edge`, so the slab's blocks are whole blocks of `grid` (the last may reach past the grid, as ever).
    init(slab phantom: VoxelPhantom, of whole: VoxelGrid, firstPlane: Int, edge: Int) {
        precondition(firstPlane % edge == 0, "a slab starts on a majorant block face")
        let g = phantom.grid
        let nb = ((g.counts.x + edge - 1) / edge, (g.counts.y + edge - 1) / edge, (g.counts.z + edge - 1) / edge)
        let local = VoxelGrid(counts: nb, originCM: g.originCM, spacingCM: g.spacingCM * Double(edge))
        blocks = VoxelGrid(counts: (nb.0, nb.1, (whole.counts.z + edge - 1) / edge), originCM: whole.originCM,
                           spacingCM: whole.spacingCM * Double(edge))
        blockOffset = firstPlane / edge * nb.0 * nb.1
        self.edge = edge
        mediaCount = phantom.media.count
        var rho = [Double](repeating: 0, count: local.voxelCount * mediaCount)
        for k in 0..<g.counts.z {
            for j in 0..<g.counts.y {
                for i in 0..<g.counts.x {
                    let v = g.index(i, j, k)
                    let b = local.index(i / edge, j / edge, k / edge)
                    let slot = b * mediaCount + Int(phantom.mediumIndices[v])
                    rho[slot] = max(rho[slot], Double(phantom.densitiesGPerCM3[v]))
                }
            }
        }
        maxDensity = rho
        presentMedia = (0..<local.voxelCount).map { b in (0..<phantom.media.count).filter { rho[b * phantom.media.count + $0] > 0 } }
    }

    /// The majorant attenuation coefficient (cm⁻¹) of block `b` for photons with μ/ρ per medium `muPerMedium`.
    @inline(__always)
    func mu(block b: Int, muPerMedium: UnsafeBufferPointer<Double>) -> Double {
        var m = 0.0
        for medium in presentMedia[b] { m = max(m, maxDensity[b * mediaCount + medium] * muPerMedium[medium]) }
        return m
    }
}
