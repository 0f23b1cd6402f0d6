/// Walks the voxels a straight ray crosses, one boundary at a time (Amanatides & Woo 1987,
/// "A fast voxel traversal algorithm for ray tracing", Eurographics '87, pp. 3–10).
///
/// The walk starts in a known voxel (the caller tracks which voxel a particle is in, so a position that
/// rounding puts a hair outside its voxel never changes the answer) and advances across one face at a
/// time. Distances are in cm along the (unit) direction from the start point.
public struct VoxelWalk: Sendable {
    /// The current voxel.
    @inlinable public var i: Int { vi }
    @inlinable public var j: Int { vj }
    @inlinable public var k: Int { vk }
    /// Distance from the start to where the current voxel is left.
    @inlinable public var exitDistance: Double { exit }
    @usableFromInline var vi: Int, vj: Int, vk: Int
    @usableFromInline var exit: Double
    @usableFromInline var tMax: (x: Double, y: Double, z: Double)
    @usableFromInline let tDelta: (x: Double, y: Double, z: Double)
    @usableFromInline let step: (x: Int, y: Int, z: Int)
    @usableFromInline let counts: (x: Int, y: Int, z: Int)

    /// Starts a walk at `pointCM`, which lies in (or on the surface of) voxel `(i, j, k)` of `grid`,
    /// along the unit vector `direction`.
    @inlinable
    public init(grid: VoxelGrid, voxel: (i: Int, j: Int, k: Int), pointCM: Vec3, direction: Vec3) {
        vi = voxel.i
        vj = voxel.j
        vk = voxel.k
        counts = grid.counts
        func axis(_ p: Double, _ u: Double, _ lo: Double, _ h: Double, _ n: Int) -> (Double, Double, Int) {
            if u > 0 {
                return (max(0, (lo + Double(n + 1) * h - p) / u), h / u, 1)
            } else if u < 0 {
                return (max(0, (lo + Double(n) * h - p) / u), -h / u, -1)
            }
            return (.infinity, .infinity, 0)
        }
        let ax = axis(pointCM.x, direction.x, grid.originCM.x, grid.spacingCM.x, voxel.i)
        let ay = axis(pointCM.y, direction.y, grid.originCM.y, grid.spacingCM.y, voxel.j)
        let az = axis(pointCM.z, direction.z, grid.originCM.z, grid.spacingCM.z, voxel.k)
        tMax = (ax.0, ay.0, az.0)
        tDelta = (ax.1, ay.1, az.1)
        step = (ax.2, ay.2, az.2)
        exit = min(ax.0, min(ay.0, az.0))
    }

    /// Moves into the next voxel along the ray. Returns false (and stays put) when the ray leaves the grid.
    @inlinable
    public mutating func advance() -> Bool {
        if tMax.x <= tMax.y && tMax.x <= tMax.z {
            let n = vi + step.x
            guard n >= 0 && n < counts.x else { return false }
            vi = n
            tMax.x += tDelta.x
        } else if tMax.y <= tMax.z {
            let n = vj + step.y
            guard n >= 0 && n < counts.y else { return false }
            vj = n
            tMax.y += tDelta.y
        } else {
            let n = vk + step.z
            guard n >= 0 && n < counts.z else { return false }
            vk = n
            tMax.z += tDelta.z
        }
        exit = min(tMax.x, min(tMax.y, tMax.z))
        return true
    }
}

extension VoxelGrid {
    /// Where a ray from `pointCM` along unit `direction` first meets the grid: the distance (0 when the
    /// point is inside) and the voxel entered, or nil when the ray misses (Kay–Kajiya slab method).
    public func entry(from pointCM: Vec3, direction: Vec3) -> (distanceCM: Double, voxel: (i: Int, j: Int, k: Int))? {
        let lo = originCM, hi = endCM
        var tNear = 0.0, tFar = Double.infinity
        for (p, u, a, b) in [(pointCM.x, direction.x, lo.x, hi.x), (pointCM.y, direction.y, lo.y, hi.y),
                             (pointCM.z, direction.z, lo.z, hi.z)] {
            if u == 0 {
                if p < a || p >= b { return nil }
            } else {
                var t1 = (a - p) / u, t2 = (b - p) / u
                if t1 > t2 { swap(&t1, &t2) }
                tNear = max(tNear, t1)
                tFar = min(tFar, t2)
            }
        }
        guard tNear < tFar else { return nil }
        let q = pointCM + direction * tNear
        func clampIndex(_ x: Double, _ o: Double, _ h: Double, _ n: Int) -> Int {
            min(max(Int(((x - o) / h).rounded(.down)), 0), n - 1)
        }
        return (tNear, (clampIndex(q.x, lo.x, spacingCM.x, counts.x), clampIndex(q.y, lo.y, spacingCM.y, counts.y),
                        clampIndex(q.z, lo.z, spacingCM.z, counts.z)))
    }
}
