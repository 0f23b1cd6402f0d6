import Foundation
import Geometry
import Testing

@testable import Phantom

@Suite("Structure rasterisation: supersampled fractional occupancy")
struct StructureRasterizerTests {
    static func circle(_ r: Double, cx: Double = 0, cy: Double = 0, points: Int = 360) -> [SIMD2<Double>] {
        (0..<points).map {
            SIMD2(
                cx + r * cos(2 * .pi * Double($0) / Double(points)), cy + r * sin(2 * .pi * Double($0) / Double(points))
            )
        }
    }

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [SIMD2<Double>] {
        [SIMD2(x0, y0), SIMD2(x1, y0), SIMD2(x1, y1), SIMD2(x0, y1)]
    }

    static func volume(_ occupancy: [Float], _ grid: VoxelGrid) -> Double {
        occupancy.reduce(0.0) { $0 + Double($1) } * grid.voxelVolumeCM3
    }

    let grid = VoxelGrid(counts: (40, 40, 20), originCM: Vec3(-5, -5, -2.5), spacingCM: Vec3(0.25, 0.25, 0.25))

    @Test("a voxel-aligned box is exact: 1 inside, 0 outside, caps of half the plane spacing")
    func box() {
        // Planes at z = -1.0 … 1.0 every 0.5 cm: with caps of 0.25 cm the box spans z −1.25 … 1.25.
        let planes = stride(from: -1.0, through: 1.0, by: 0.5).map {
            PlanarStructure.Plane(zCM: $0, polygons: [Self.square(-1, -1, 1, 1)])
        }
        let occ = StructureRasterizer.occupancy(of: PlanarStructure(name: "box", planes: planes), on: grid)
        #expect(Set(occ) == [0, 1])
        #expect(abs(Self.volume(occ, grid) - 2 * 2 * 2.5) < 1e-9)
    }

    @Test("a half-voxel shift gives occupancy 1/2 on the edge voxels")
    func partial() {
        let planes = [PlanarStructure.Plane(zCM: 0.125, polygons: [Self.square(-1.125, -1, 1, 1)])]
        let occ = StructureRasterizer.occupancy(
            of: PlanarStructure(name: "edge", planes: planes), on: grid, supersampling: 4, endCapCM: 0.125)
        let k = 10, j = 20
        #expect(occ[grid.index(15, j, k)] == 0.5)  // the voxel from −1.25 to −1.0 is half covered
        #expect(occ[grid.index(16, j, k)] == 1)
    }

    @Test("cylinder and annulus volumes match πR²h within the sampling error", arguments: [2, 4, 8])
    func cylinder(supersampling: Int) {
        // Planes every 0.5 cm with 0.25 cm caps end on voxel boundaries, so only the in-plane sampling errs.
        let planes = stride(from: -1.5, through: 1.5, by: 0.5).map {
            PlanarStructure.Plane(zCM: $0, polygons: [Self.circle(3), Self.circle(1.5)])  // even–odd: a hole
        }
        let occ = StructureRasterizer.occupancy(
            of: PlanarStructure(name: "ring", planes: planes), on: grid, supersampling: supersampling)
        let height = 3.0 + 0.5  // first to last plane plus two half-spacing caps
        let exact = Double.pi * (9 - 2.25) * height
        // Area sampling error: boundary samples (about 2π(R+r)/h_s of them) each err by ≤ one sample area;
        // random signs leave well under 1 % at n = 2 and less beyond.
        let tolerance = supersampling == 2 ? 0.01 : 0.005
        #expect(abs(Self.volume(occ, grid) - exact) / exact < tolerance)
        #expect(occ.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(occ[grid.index(20, 20, 10)] == 0)  // the hole's centre
    }

    @Test("two disjoint contours on a plane are two parts; an empty structure is all zeros")
    func partsAndEmpty() {
        let two = [PlanarStructure.Plane(zCM: 0.125, polygons: [Self.square(-3, -1, -2, 1), Self.square(2, -1, 3, 1)])]
        let occ = StructureRasterizer.occupancy(
            of: PlanarStructure(name: "two", planes: two), on: grid, endCapCM: 0.125)
        #expect(abs(Self.volume(occ, grid) - 2 * 2 * 0.25) < 1e-9)
        let empty = PlanarStructure(
            name: "empty", planes: [PlanarStructure.Plane(zCM: 0, polygons: [[SIMD2(0, 0), SIMD2(1, 1)]])])
        #expect(empty.isEmpty)
        #expect(StructureRasterizer.occupancy(of: empty, on: grid).allSatisfy { $0 == 0 })
    }

    @Test("a structure beyond the grid contributes nothing and huge coordinates do not trap")
    func outside() {
        let far = [
            PlanarStructure.Plane(zCM: 0, polygons: [Self.square(100, 100, 101, 101)]),
            PlanarStructure.Plane(zCM: 0.5, polygons: [Self.square(-1e300, -1, 1e300, 1)]),
        ]
        let occ = StructureRasterizer.occupancy(of: PlanarStructure(name: "far", planes: far), on: grid)
        #expect(occ.contains { $0 > 0 })  // the infinite band crosses the grid
        #expect(occ.allSatisfy { $0 <= 1 })
    }
}
