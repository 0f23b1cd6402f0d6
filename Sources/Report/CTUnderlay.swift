import Geometry

/// A CT volume drawn in grey under a dose figure: CT numbers (HU) on their own voxel grid, shown through
/// a window (`windowHU`: black at its lower end, white at its upper end).
public struct CTUnderlay: Sendable {
    /// The CT's voxel grid, in cm (the same patient coordinates as the dose grid).
    public let grid: VoxelGrid
    /// CT numbers in HU, x fastest.
    public let hu: [Float]
    /// The display window: −1000 to +400 HU by default (centre −300, width 1400), which shows air
    /// black, lung dark grey, soft tissue light grey and bone white — between the usual lung (−600/1500)
    /// and mediastinum (40/400) windows, for one image that shows both.
    public var windowHU: ClosedRange<Double> = -1000...400
    /// The largest number of image pixels along either side of a figure; finer CTs are sampled coarser.
    public var maximumPixels = 480

    /// Creates an underlay.
    /// - Throws: `ReportError.badPlot` when `hu` does not fill the grid.
    public init(grid: VoxelGrid, hu: [Float]) throws {
        guard hu.count == grid.voxelCount else {
            throw ReportError.badPlot("the CT has \(hu.count) values for a grid of \(grid.voxelCount) voxels")
        }
        self.grid = grid
        self.hu = hu
    }

    /// The CT number of the voxel containing `p`, or nil outside the CT.
    public func hu(at p: Vec3) -> Float? {
        let f = (p - grid.originCM)
        let i = Int((f.x / grid.spacingCM.x).rounded(.down)), j = Int((f.y / grid.spacingCM.y).rounded(.down))
        let k = Int((f.z / grid.spacingCM.z).rounded(.down))
        guard (0..<grid.counts.x).contains(i), (0..<grid.counts.y).contains(j), (0..<grid.counts.z).contains(k) else {
            return nil
        }
        return hu[grid.index(i, j, k)]
    }

    /// The grey level of a CT number through the window; air outside the CT is black.
    func grey(_ value: Float?) -> UInt8 {
        guard let value else { return 0 }
        let t = (Double(value) - windowHU.lowerBound) / (windowHU.upperBound - windowHU.lowerBound)
        return UInt8((255 * min(1, max(0, t))).rounded())
    }

    /// The CT in a sampled plane's extent, sampled at the CT's in-plane spacing (at most
    /// `maximumPixels` a side), nearest voxel; grey through the window.
    func image(_ s: DoseSliceFigure.Samples, _ frame: PlaneLayout) -> (width: Int, height: Int, grey: [UInt8]) {
        let (spanAcross, spanDown) = (frame.spanAcross, frame.spanDown)
        let spacing = [grid.spacingCM.x, grid.spacingCM.y, grid.spacingCM.z]
        let pixelCM = max(min(spacing[s.acrossAxis], spacing[s.downAxis]), max(spanAcross, spanDown) / Double(maximumPixels))
        let width = max(1, Int((spanAcross / pixelCM).rounded(.up))), height = max(1, Int((spanDown / pixelCM).rounded(.up)))
        let stepAcross = spanAcross / Double(width), stepDown = spanDown / Double(height) * frame.downSign
        let (acrossStart, downStart) = (frame.acrossStart, frame.downStart)
        var grey = [UInt8]()
        grey.reserveCapacity(width * height)
        for row in 0..<height {
            let d = downStart + (Double(row) + 0.5) * stepDown
            for column in 0..<width {
                let a = acrossStart + (Double(column) + 0.5) * stepAcross
                grey.append(self.grey(hu(at: s.point(across: a, down: d))))
            }
        }
        return (width, height, grey)
    }
}
