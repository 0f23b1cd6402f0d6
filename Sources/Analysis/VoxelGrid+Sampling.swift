import Geometry

extension VoxelGrid {
    /// Calls `body` with the centres of the `perAxis³` equal sub-voxels of voxel `(i, j, k)`, in cm.
    ///
    /// Sub-voxel centres sample a voxel's volume evenly (the midpoint rule), which is how DVHs and
    /// isodose volumes resolve dose variation inside voxels coarser than the structure.
    @inlinable
    func forEachSubsample(_ i: Int, _ j: Int, _ k: Int, perAxis n: Int, _ body: (Vec3) -> Void) {
        forEachSubsample(i, j, k, perAxis: (n, n, n), body)
    }

    /// Calls `body` with the centres of the `nx × ny × nz` equal sub-voxels of voxel `(i, j, k)`, in cm.
    @inlinable
    func forEachSubsample(
        _ i: Int, _ j: Int, _ k: Int, perAxis n: (x: Int, y: Int, z: Int), _ body: (Vec3) -> Void
    ) {
        let step = Vec3(spacingCM.x / Double(n.x), spacingCM.y / Double(n.y), spacingCM.z / Double(n.z))
        let corner = Vec3(
            originCM.x + Double(i) * spacingCM.x, originCM.y + Double(j) * spacingCM.y,
            originCM.z + Double(k) * spacingCM.z)
        for c in 0..<n.z {
            let z = corner.z + (Double(c) + 0.5) * step.z
            for b in 0..<n.y {
                let y = corner.y + (Double(b) + 0.5) * step.y
                for a in 0..<n.x {
                    body(Vec3(corner.x + (Double(a) + 0.5) * step.x, y, z))
                }
            }
        }
    }

    /// The two neighbouring voxel-centre indices along one axis, the weight of the upper one, and the
    /// derivative of that weight along the axis (1/spacing, or 0 where values are held constant between
    /// the outermost centre and the grid face), or nil when the coordinate is outside the grid.
    @inlinable
    static func axisWeights(_ coordinate: Double, _ origin: Double, _ spacing: Double, _ count: Int)
        -> (lo: Int, hi: Int, t: Double, slope: Double)?
    {
        let u = (coordinate - origin) / spacing
        guard u >= 0, u <= Double(count) else { return nil }
        // Position in units of voxels measured from the centre of voxel 0, held inside the centres' hull.
        let free = u - 0.5
        let c = min(max(free, 0), Double(count - 1))
        let lo = min(Int(c), max(0, count - 2))
        let hi = min(lo + 1, count - 1)
        let slope = free == c && count > 1 ? 1 / spacing : 0
        return (lo, hi, c - Double(lo), slope)
    }

    /// Trilinear interpolation between voxel centres of per-voxel values (x fastest), held constant
    /// beyond the outermost centres; nil outside the grid.
    @inlinable
    func interpolate(_ values: UnsafeBufferPointer<Double>, at p: Vec3) -> Double? {
        guard let x = Self.axisWeights(p.x, originCM.x, spacingCM.x, counts.x),
            let y = Self.axisWeights(p.y, originCM.y, spacingCM.y, counts.y),
            let z = Self.axisWeights(p.z, originCM.z, spacingCM.z, counts.z)
        else { return nil }
        let nx = counts.x, plane = counts.x * counts.y
        let r00 = nx * y.lo + plane * z.lo, r10 = nx * y.hi + plane * z.lo
        let r01 = nx * y.lo + plane * z.hi, r11 = nx * y.hi + plane * z.hi
        let c00 = values[r00 + x.lo] * (1 - x.t) + values[r00 + x.hi] * x.t
        let c10 = values[r10 + x.lo] * (1 - x.t) + values[r10 + x.hi] * x.t
        let c01 = values[r01 + x.lo] * (1 - x.t) + values[r01 + x.hi] * x.t
        let c11 = values[r11 + x.lo] * (1 - x.t) + values[r11 + x.hi] * x.t
        let c0 = c00 * (1 - y.t) + c10 * y.t
        let c1 = c01 * (1 - y.t) + c11 * y.t
        return c0 * (1 - z.t) + c1 * z.t
    }
}

// MARK: - Aligned grids

extension VoxelGrid {
    /// The whole-voxel offset (i, j, k) such that voxel (i', j', k') of `target` is voxel
    /// (i' + i, j' + j, k' + k) of this grid, or nil when the spacings differ or the origins are not a
    /// whole number of voxels apart (to 10⁻⁴ of a voxel).
    func wholeVoxelShift(to target: VoxelGrid) -> (x: Int, y: Int, z: Int)? {
        func axis(_ a: Double, _ b: Double, _ s: Double, _ t: Double) -> Int? {
            guard abs(s - t) <= 1e-9 * max(s, t) else { return nil }
            let shift = (b - a) / s
            let rounded = shift.rounded()
            return abs(shift - rounded) <= 1e-4 ? Int(rounded) : nil
        }
        guard let x = axis(originCM.x, target.originCM.x, spacingCM.x, target.spacingCM.x),
            let y = axis(originCM.y, target.originCM.y, spacingCM.y, target.spacingCM.y),
            let z = axis(originCM.z, target.originCM.z, spacingCM.z, target.spacingCM.z)
        else { return nil }
        return (x, y, z)
    }

    /// The smallest grid aligned with this one that holds both this grid and `other`.
    /// - Throws: `AnalysisError.gridMismatch` when `other` is not aligned with this grid.
    func aligned(enclosing other: VoxelGrid, names: (String, String)) throws -> VoxelGrid {
        guard let shift = wholeVoxelShift(to: other) else {
            throw AnalysisError.gridMismatch(first: names.0, second: names.1)
        }
        let low = (x: min(0, shift.x), y: min(0, shift.y), z: min(0, shift.z))
        let high = (
            x: max(counts.x, shift.x + other.counts.x), y: max(counts.y, shift.y + other.counts.y),
            z: max(counts.z, shift.z + other.counts.z)
        )
        return VoxelGrid(
            counts: (high.x - low.x, high.y - low.y, high.z - low.z),
            originCM: Vec3(
                originCM.x + Double(low.x) * spacingCM.x, originCM.y + Double(low.y) * spacingCM.y,
                originCM.z + Double(low.z) * spacingCM.z),
            spacingCM: spacingCM)
    }
}

extension VoxelGrid {
    /// The grid with this grid's spacing and voxel boundaries that covers the box from `lowCM` to
    /// `highCM` plus `marginVoxels` voxels on every side: where a structure is rasterised so that it
    /// combines with the dose grid voxel for voxel, even where it reaches beyond the dose grid.
    public func alignedGrid(coveringFrom lowCM: Vec3, to highCM: Vec3, marginVoxels: Int = 1) -> VoxelGrid {
        func axis(_ lo: Double, _ hi: Double, _ origin: Double, _ s: Double) -> (first: Int, count: Int) {
            let first = Int(((lo - origin) / s).rounded(.down)) - marginVoxels
            let last = Int(((hi - origin) / s).rounded(.up)) + marginVoxels
            return (first, max(1, last - first))
        }
        let x = axis(lowCM.x, highCM.x, originCM.x, spacingCM.x)
        let y = axis(lowCM.y, highCM.y, originCM.y, spacingCM.y)
        let z = axis(lowCM.z, highCM.z, originCM.z, spacingCM.z)
        return VoxelGrid(
            counts: (x.count, y.count, z.count),
            originCM: Vec3(
                originCM.x + Double(x.first) * spacingCM.x, originCM.y + Double(y.first) * spacingCM.y,
                originCM.z + Double(z.first) * spacingCM.z),
            spacingCM: spacingCM)
    }
}
