import Foundation
import Geometry
import Testing

@Suite struct VoxelGridTests {
    // The reference phantoms' grid (../shared/reference/README.md): 61 × 61 × 60 voxels of 0.5 cm,
    // x and y from −15.25 cm, z from 0.
    let grid = VoxelGrid(counts: (61, 61, 60), originCM: Vec3(-15.25, -15.25, 0), spacingCM: Vec3(0.5, 0.5, 0.5))

    @Test func centralAxisRunsThroughVoxel30() throws {
        let v = try #require(grid.voxel(containing: Vec3(0, 0, 10.1)))
        #expect(v.i == 30 && v.j == 30 && v.k == 20)
        #expect(grid.centerCM(30, 30, 20) == Vec3(0, 0, 10.25))
    }

    @Test func indexRoundTripsXFastest() {
        #expect(grid.index(1, 0, 0) == 1)
        #expect(grid.index(0, 1, 0) == 61)
        #expect(grid.index(0, 0, 1) == 61 * 61)
        for index in [0, 1, 60, 61, 3721, 12345, grid.voxelCount - 1] {
            let (i, j, k) = grid.ijk(ofIndex: index)
            #expect(grid.index(i, j, k) == index)
        }
    }

    @Test func pointsOutsideHaveNoVoxel() {
        #expect(grid.voxel(containing: Vec3(0, 0, -0.001)) == nil)
        #expect(grid.voxel(containing: Vec3(15.25, 0, 1)) == nil)
        #expect(grid.voxel(containing: Vec3(0, 0, 30)) == nil)
    }

    @Test func boundariesSpanTheGrid() {
        #expect(grid.xBoundariesCM.count == 62)
        #expect(abs(grid.xBoundariesCM.last! - 15.25) < 1e-12)
        #expect(grid.endCM.z == 30)
    }

    @Test func codableRoundTripAndRejectsZeroSpacing() throws {
        let data = try JSONEncoder().encode(grid)
        #expect(try JSONDecoder().decode(VoxelGrid.self, from: data) == grid)
        let bad = Data(#"{"countX":1,"countY":1,"countZ":1,"originCM":{"x":0,"y":0,"z":0},"spacingCM":{"x":0,"y":1,"z":1}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(VoxelGrid.self, from: bad) }
    }
}
