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

    /// This structure less another (e.g. total lung minus GTV), voxel by voxel: `max(0, a − b)`, which is
    /// exact when the second structure lies inside the first. The result lies on this structure's grid.
    /// - Parameter name: the new structure's name; by default `A-B`.
    /// - Throws: `AnalysisError.gridMismatch` when the grids are not aligned (`embedded(in:)`).
    public func subtracting(_ other: StructureMask, name: String? = nil) throws -> StructureMask {
        let b = try other.embedded(in: grid, otherName: self.name)
        let difference = zip(fractions, b.fractions).map { max(0, $0 - $1) }
        return try StructureMask(name: name ?? "\(self.name)-\(other.name)", grid: grid, fractions: difference)
    }

    /// The union of this structure and another (e.g. left and right lung), voxel by voxel:
    /// `min(1, a + b)`, exact for structures that do not overlap. The result lies on the smallest grid
    /// holding both.
    /// - Throws: `AnalysisError.gridMismatch` when the grids are not aligned (`embedded(in:)`).
    public func union(_ other: StructureMask, name: String? = nil) throws -> StructureMask {
        let both = try grid.aligned(enclosing: other.grid, names: (self.name, other.name))
        let a = try embedded(in: both, otherName: other.name), b = try other.embedded(in: both, otherName: self.name)
        let sum = zip(a.fractions, b.fractions).map { min(1, $0 + $1) }
        return try StructureMask(name: name ?? "\(self.name)+\(other.name)", grid: both, fractions: sum)
    }

    /// The same structure on another grid with the same spacing whose voxels line up with this one's
    /// (a crop or an extension by whole voxels); voxels outside this mask's grid are empty, and the part
    /// of the structure outside the new grid is dropped.
    /// - Throws: `AnalysisError.gridMismatch` when the grids differ in spacing or are offset by a
    ///   fraction of a voxel.
    public func embedded(in target: VoxelGrid, otherName: String? = nil) throws -> StructureMask {
        if target == grid { return self }
        guard let shift = grid.wholeVoxelShift(to: target) else {
            throw AnalysisError.gridMismatch(first: name, second: otherName ?? "a grid not aligned with it")
        }
        var result = [Float](repeating: 0, count: target.voxelCount)
        for k in 0..<target.counts.z {
            let sk = k + shift.z
            guard sk >= 0, sk < grid.counts.z else { continue }
            for j in 0..<target.counts.y {
                let sj = j + shift.y
                guard sj >= 0, sj < grid.counts.y else { continue }
                for i in 0..<target.counts.x {
                    let si = i + shift.x
                    guard si >= 0, si < grid.counts.x else { continue }
                    result[target.index(i, j, k)] = fractions[grid.index(si, sj, sk)]
                }
            }
        }
        return try StructureMask(name: name, grid: target, fractions: result)
    }
}
