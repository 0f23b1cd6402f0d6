import Geometry
import Phantom
import Testing

@Suite struct VoxelPhantomTests {
    let grid = VoxelGrid(counts: (2, 2, 1), originCM: .zero, spacingCM: Vec3(1, 1, 1))

    @Test func acceptsConsistentArrays() throws {
        let p = try VoxelPhantom(grid: grid, media: ["WATER", "LUNG"], mediumIndices: [0, 1, 1, 0],
                                 densitiesGPerCM3: [1, 0.26, 0.26, 1])
        #expect(p.media[Int(p.mediumIndices[1])] == "LUNG")
    }

    @Test func rejectsInconsistentArrays() {
        #expect(throws: VoxelPhantomError.arrayLength(name: "densities", found: 3, expected: 4)) {
            try VoxelPhantom(grid: grid, media: ["WATER"], mediumIndices: [0, 0, 0, 0], densitiesGPerCM3: [1, 1, 1])
        }
        #expect(throws: VoxelPhantomError.mediumIndexOutOfRange(voxel: 2, index: 1, mediaCount: 1)) {
            try VoxelPhantom(grid: grid, media: ["WATER"], mediumIndices: [0, 0, 1, 0], densitiesGPerCM3: [1, 1, 1, 1])
        }
        #expect(throws: VoxelPhantomError.badDensity(voxel: 0, value: -1)) {
            try VoxelPhantom(grid: grid, media: ["WATER"], mediumIndices: [0, 0, 0, 0], densitiesGPerCM3: [-1, 1, 1, 1])
        }
    }
}
