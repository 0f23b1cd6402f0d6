import Geometry

// MARK: - Trilinear interpolation

extension DoseGrid {
    /// The dose at a point, in Gy, interpolated trilinearly between voxel centres.
    ///
    /// Between the outermost voxel centres and the grid faces (half a voxel) the dose is held at the
    /// outermost centres' values, so every point of a voxel gets a dose; points outside the grid get nil.
    /// A linear dose field is reproduced exactly inside the hull of the voxel centres.
    /// - Parameter pointCM: the point, in cm.
    @inlinable
    public func interpolatedDoseGy(at pointCM: Vec3) -> Double? {
        doseGy.withUnsafeBufferPointer { grid.interpolate($0, at: pointCM) }
    }
}

// MARK: - Dose and its gradient

extension DoseGrid {
    /// The trilinearly interpolated dose at a point, in Gy, and the gradient of the interpolant there,
    /// in Gy/cm (zero along an axis where the dose is held constant beyond the outermost centres).
    /// Nil outside the grid.
    @inlinable
    public func interpolatedDoseAndGradient(at pointCM: Vec3) -> (doseGy: Double, gradientGyPerCM: Vec3)? {
        guard let x = VoxelGrid.axisWeights(pointCM.x, grid.originCM.x, grid.spacingCM.x, grid.counts.x),
            let y = VoxelGrid.axisWeights(pointCM.y, grid.originCM.y, grid.spacingCM.y, grid.counts.y),
            let z = VoxelGrid.axisWeights(pointCM.z, grid.originCM.z, grid.spacingCM.z, grid.counts.z)
        else { return nil }
        let nx = grid.counts.x
        let plane = grid.planeVoxelCount
        return doseGy.withUnsafeBufferPointer { d in
            func at(_ i: Int, _ j: Int, _ k: Int) -> Double { d[i + nx * j + plane * k] }
            let c000 = at(x.lo, y.lo, z.lo), c100 = at(x.hi, y.lo, z.lo)
            let c010 = at(x.lo, y.hi, z.lo), c110 = at(x.hi, y.hi, z.lo)
            let c001 = at(x.lo, y.lo, z.hi), c101 = at(x.hi, y.lo, z.hi)
            let c011 = at(x.lo, y.hi, z.hi), c111 = at(x.hi, y.hi, z.hi)
            let c00 = c000 + (c100 - c000) * x.t, c10 = c010 + (c110 - c010) * x.t
            let c01 = c001 + (c101 - c001) * x.t, c11 = c011 + (c111 - c011) * x.t
            let c0 = c00 + (c10 - c00) * y.t, c1 = c01 + (c11 - c01) * y.t
            let dose = c0 + (c1 - c0) * z.t
            // Each partial derivative is zero where that axis is clamped (slope 0).
            let dx0 = (c100 - c000) + ((c110 - c010) - (c100 - c000)) * y.t
            let dx1 = (c101 - c001) + ((c111 - c011) - (c101 - c001)) * y.t
            let gx = (dx0 + (dx1 - dx0) * z.t) * x.slope
            let gy = ((c10 - c00) + ((c11 - c01) - (c10 - c00)) * z.t) * y.slope
            let gz = (c1 - c0) * z.slope
            return (dose, Vec3(gx, gy, gz))
        }
    }
}
