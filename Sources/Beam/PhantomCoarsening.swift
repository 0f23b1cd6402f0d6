import Geometry
import Phantom

/// Coarsens a phantom by whole blocks of voxels: the dose grid of a plan calculation is usually
/// coarser than the CT (2–5 mm), and fewer, larger voxels converge faster.
public enum PhantomCoarsening {
    /// Block sizes per axis so that voxels are about `targetVoxelCM` (never smaller than the input).
    public static func factors(of grid: VoxelGrid, targetVoxelCM: Double) -> (Int, Int, Int) {
        func f(_ s: Double) -> Int { max(1, Int((targetVoxelCM / s).rounded())) }
        return (f(grid.spacingCM.x), f(grid.spacingCM.y), f(grid.spacingCM.z))
    }

    /// The phantom with blocks of `fx × fy × fz` voxels merged: density the block's mean, medium the
    /// block's most massive one. Incomplete blocks at the far edges are dropped.
    public static func coarsened(_ p: VoxelPhantom, factors: (Int, Int, Int)) throws -> VoxelPhantom {
        let (fx, fy, fz) = factors
        if fx == 1 && fy == 1 && fz == 1 { return p }
        let g = p.grid
        let n = (x: g.counts.x / fx, y: g.counts.y / fy, z: g.counts.z / fz)
        guard n.x > 0, n.y > 0, n.z > 0 else { return p }
        let grid = VoxelGrid(counts: n, originCM: g.originCM,
                             spacingCM: Vec3(g.spacingCM.x * Double(fx), g.spacingCM.y * Double(fy), g.spacingCM.z * Double(fz)))
        var media = [UInt8](repeating: 0, count: grid.voxelCount)
        var density = [Float](repeating: 0, count: grid.voxelCount)
        var mass = [Double](repeating: 0, count: p.media.count)
        for k in 0..<n.z {
            for j in 0..<n.y {
                for i in 0..<n.x {
                    for m in mass.indices { mass[m] = 0 }
                    var sum = 0.0
                    for c in 0..<fz {
                        for b in 0..<fy {
                            for a in 0..<fx {
                                let v = g.index(i * fx + a, j * fy + b, k * fz + c)
                                let rho = Double(p.densitiesGPerCM3[v])
                                sum += rho
                                mass[Int(p.mediumIndices[v])] += rho
                            }
                        }
                    }
                    let out = grid.index(i, j, k)
                    density[out] = Float(sum / Double(fx * fy * fz))
                    media[out] = UInt8(mass.indices.max { mass[$0] < mass[$1] } ?? 0)
                }
            }
        }
        return try VoxelPhantom(grid: grid, media: p.media, mediumIndices: media, densitiesGPerCM3: density)
    }
}
