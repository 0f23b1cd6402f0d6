import Geometry

/// Turns planar contours into fractional voxel occupancy with sub-voxel supersampling.
///
/// Rules (docs/structures.md):
/// * **In-plane:** a sample point is inside when a ray from it crosses the plane's polygon edges an odd
///   number of times, counting all polygons of the plane together (even–odd rule): a contour inside
///   another is a hole, disjoint contours are separate parts.
/// * **Between planes:** each sample takes the contours of the nearest contour plane (the slab of a plane
///   reaches halfway to its neighbours).
/// * **End-capping:** beyond the first and last planes the structure extends by `endCapCM`, by default
///   half the median spacing between its planes (half a CT slice, the convention of most planning
///   systems), or half the grid's z spacing for a single-plane structure.
/// * Occupancy is the fraction of the `n × n × n` samples of a voxel (`n = supersampling`, samples at
///   the centres of a regular sub-grid) that are inside. An empty structure has zero occupancy everywhere.
public enum StructureRasterizer {
    /// The fractional occupancy (0…1) of each voxel of `grid` (x fastest).
    /// - Parameters:
    ///   - structure: the contours, cm.
    ///   - grid: the voxel grid, cm.
    ///   - supersampling: samples per voxel edge (1 = voxel centres only); clamped to 1…16.
    ///   - endCapCM: how far the structure extends beyond its first and last contour planes.
    public static func occupancy(
        of structure: PlanarStructure, on grid: VoxelGrid, supersampling: Int = 4, endCapCM: Double? = nil
    ) -> [Float] {
        var result = [Float](repeating: 0, count: grid.voxelCount)
        guard !structure.isEmpty else { return result }
        let n = min(max(supersampling, 1), 16)
        let planes = structure.planes
        let cap: Double
        if let endCapCM {
            cap = max(0, endCapCM)
        } else if planes.count > 1 {
            let gaps = zip(planes.dropFirst(), planes).map { $0.zCM - $1.zCM }.sorted()
            cap = gaps[gaps.count / 2] / 2
        } else {
            cap = grid.spacingCM.z / 2
        }
        let zLow = planes[0].zCM - cap, zHigh = planes[planes.count - 1].zCM + cap
        var cache: [Int: [Float]] = [:]
        let perVoxel = Float(n * n * n)
        for k in 0..<grid.counts.z {
            let z0 = grid.originCM.z + Double(k) * grid.spacingCM.z
            guard z0 + grid.spacingCM.z > zLow, z0 < zHigh else { continue }
            for s in 0..<n {
                let z = z0 + (Double(s) + 0.5) / Double(n) * grid.spacingCM.z
                guard z >= zLow, z < zHigh, let p = nearestPlane(planes, z) else { continue }
                if cache[p] == nil { cache[p] = inPlaneCounts(planes[p].polygons, grid: grid, n: n) }
                let counts = cache[p]!
                let base = k * grid.planeVoxelCount
                for v in 0..<grid.planeVoxelCount where counts[v] > 0 { result[base + v] += counts[v] / perVoxel }
            }
        }
        return result
    }

    /// The index of the plane nearest to z.
    private static func nearestPlane(_ planes: [PlanarStructure.Plane], _ z: Double) -> Int? {
        var lo = 0, hi = planes.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if planes[mid].zCM <= z { lo = mid } else { hi = mid }
        }
        return abs(planes[lo].zCM - z) <= abs(planes[hi].zCM - z) ? lo : hi
    }

    /// Number of the n×n in-plane samples of each voxel inside the polygons (even–odd), by scanlines.
    private static func inPlaneCounts(_ polygons: [[SIMD2<Double>]], grid: VoxelGrid, n: Int) -> [Float] {
        let nx = grid.counts.x, ny = grid.counts.y
        var counts = [Float](repeating: 0, count: nx * ny)
        let dxs = grid.spacingCM.x / Double(n), dys = grid.spacingCM.y / Double(n)
        var edges: [(SIMD2<Double>, SIMD2<Double>)] = []
        for polygon in polygons where polygon.count >= 3 {
            for i in polygon.indices { edges.append((polygon[i], polygon[(i + 1) % polygon.count])) }
        }
        let yMin = edges.map { min($0.0.y, $0.1.y) }.min() ?? 0, yMax = edges.map { max($0.0.y, $0.1.y) }.max() ?? 0
        let firstRow = clamped(((yMin - grid.originCM.y) / dys - 0.5).rounded(.down), 0, ny * n - 1)
        let lastRow = clamped(((yMax - grid.originCM.y) / dys - 0.5).rounded(.up), 0, ny * n - 1)
        guard yMax >= grid.originCM.y, yMin <= grid.originCM.y + Double(ny) * grid.spacingCM.y else { return counts }
        var crossings: [Double] = []
        for row in firstRow...lastRow {
            let y = grid.originCM.y + (Double(row) + 0.5) * dys
            crossings.removeAll(keepingCapacity: true)
            // Half-open rule (a.y ≤ y < b.y) counts a vertex on the scanline once.
            for (a, b) in edges where (a.y <= y && y < b.y) || (b.y <= y && y < a.y) {
                crossings.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y))
            }
            crossings.sort()
            let j = row / n
            var c = 0
            while c + 1 < crossings.count {
                // Samples m at x = origin + (m + 0.5)·dxs with start ≤ x < end.
                let m0 = clamped(((crossings[c] - grid.originCM.x) / dxs - 0.5).rounded(.up), 0, nx * n)
                let m1 = clamped(((crossings[c + 1] - grid.originCM.x) / dxs - 0.5).rounded(.up), 0, nx * n)
                if m0 < m1 { for m in m0..<m1 { counts[j * nx + m / n] += 1 } }
                c += 2
            }
        }
        return counts
    }

    /// A sample index from a real position, clamped to lo…hi before conversion (no trap on huge values).
    private static func clamped(_ v: Double, _ lo: Int, _ hi: Int) -> Int {
        guard v.isFinite else { return v > 0 ? hi : lo }
        return Int(min(max(v, Double(lo)), Double(hi)))
    }
}
