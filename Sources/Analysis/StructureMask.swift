import Geometry

/// A structure (a region of interest) as the fraction of each voxel of a grid that lies inside it.
///
/// Fractions make partial boundary voxels count by what they hold, which is what keeps small-structure
/// DVHs right (FIELD.md §3.4: dicompyler-core's whole-voxel volumes drift for small structures). The grid
/// may be finer than the dose grid (a supersampled rasterisation); the DVH then interpolates the dose.
public struct StructureMask: Sendable, Equatable {
    /// The structure's name (e.g. `PTV`, `Lung_L`).
    public let name: String
    /// The grid the fractions are given on, in cm.
    public let grid: VoxelGrid
    /// The fraction of each voxel inside the structure, in [0, 1] (x fastest).
    public let fractions: [Float]

    /// Creates a mask after checking the fractions against the grid.
    /// - Throws: `AnalysisError` when the array does not fit the grid or a fraction is outside [0, 1].
    public init(name: String, grid: VoxelGrid, fractions: [Float]) throws {
        guard fractions.count == grid.voxelCount else {
            throw AnalysisError.arrayLength(
                name: "structure '\(name)' fractions", found: fractions.count, expected: grid.voxelCount)
        }
        if let bad = fractions.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw AnalysisError.badVoxelValue(
                name: "structure '\(name)' fractions", voxel: bad, value: Double(fractions[bad]), allowed: "in [0, 1]")
        }
        self.name = name
        self.grid = grid
        self.fractions = fractions
    }

    /// The structure's volume, in cm³.
    public var volumeCM3: Double {
        fractions.reduce(0.0) { $0 + Double($1) } * grid.voxelVolumeCM3
    }

    /// This structure less another on the same grid (e.g. total lung minus GTV), voxel by voxel:
    /// `max(0, a − b)`, which is exact when the second structure lies inside the first.
    /// - Parameter name: the new structure's name; by default `A-B`.
    /// - Throws: `AnalysisError.gridMismatch` when the masks lie on different grids.
    public func subtracting(_ other: StructureMask, name: String? = nil) throws -> StructureMask {
        guard grid == other.grid else { throw AnalysisError.gridMismatch(first: self.name, second: other.name) }
        let difference = zip(fractions, other.fractions).map { max(0, $0 - $1) }
        return try StructureMask(name: name ?? "\(self.name)-\(other.name)", grid: grid, fractions: difference)
    }

    /// The union of this structure and another on the same grid (e.g. left and right lung), voxel by
    /// voxel: `min(1, a + b)`, exact for structures that do not overlap.
    /// - Throws: `AnalysisError.gridMismatch` when the masks lie on different grids.
    public func union(_ other: StructureMask, name: String? = nil) throws -> StructureMask {
        guard grid == other.grid else { throw AnalysisError.gridMismatch(first: self.name, second: other.name) }
        let sum = zip(fractions, other.fractions).map { min(1, $0 + $1) }
        return try StructureMask(name: name ?? "\(self.name)+\(other.name)", grid: grid, fractions: sum)
    }
}
