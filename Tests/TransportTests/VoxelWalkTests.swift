import Geometry
import Testing
import Transport

@Suite struct VoxelWalkTests {
    let grid = VoxelGrid(counts: (5, 4, 3), originCM: Vec3(-1, -2, 0), spacingCM: Vec3(0.5, 1, 2))

    /// The DDA must visit the same voxels, with the same exit distances, as dense point sampling.
    @Test(arguments: [Vec3(0.3, 0.2, 0.93), Vec3(-0.7, 0.1, 0.2), Vec3(0, 0, 1), Vec3(1, -1, -0.3)])
    func agreesWithPointSampling(direction: Vec3) throws {
        let u = direction.normalized
        let start = Vec3(0.1, -0.3, 2.7)
        let v0 = try #require(grid.voxel(containing: start))
        var walk = VoxelWalk(grid: grid, voxel: v0, pointCM: start, direction: u)
        var visited = [(walk.i, walk.j, walk.k, walk.exitDistance)]
        while walk.advance() { visited.append((walk.i, walk.j, walk.k, walk.exitDistance)) }
        var previous = 0.0
        for (i, j, k, exit) in visited {
            // A point just inside each segment must be in the voxel the walk reports.
            let mid = start + u * (0.5 * (previous + exit))
            let v = try #require(grid.voxel(containing: mid))
            #expect(v.i == i && v.j == j && v.k == k)
            previous = exit
        }
        #expect(grid.voxel(containing: start + u * (previous + 1e-9)) == nil)
    }

    @Test func entryFindsFrontFace() throws {
        let e = try #require(grid.entry(from: Vec3(0.1, 0.1, -10), direction: Vec3(0, 0, 1)))
        #expect(abs(e.distanceCM - 10) < 1e-12)
        #expect(e.voxel == (2, 2, 0))
        #expect(grid.entry(from: Vec3(5, 5, -10), direction: Vec3(0, 0, 1)) == nil)
    }
}
