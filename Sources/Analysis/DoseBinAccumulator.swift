/// Accumulates volume into fine dose bins, each contribution spread evenly over a dose interval.
///
/// A dose sample stands for a small sub-voxel across which the dose varies; putting all its volume at
/// the centre dose would turn a smooth DVH into a staircase with one step per sample plane. Spreading
/// it over the interval the sub-voxel spans removes that artefact exactly for a dose gradient along a
/// grid axis. Intervals are added in O(1) through the second difference of the volume-below function,
/// and turned into bin volumes by one prefix sum at the end.
struct DoseBinAccumulator {
    /// The bin width, in Gy; bin n spans `[n·w, (n+1)·w)`.
    let binWidthGy: Double
    /// The running sum of this gives the bin volumes (cm³ per bin).
    private var binVolumeChanges: [Double]

    init(binWidthGy: Double, expectedMaximumGy: Double) {
        self.binWidthGy = binWidthGy
        self.binVolumeChanges = [Double](repeating: 0, count: Int(expectedMaximumGy / binWidthGy) + 3)
    }

    /// Adds `volumeCM3` spread evenly over `[lowGy, highGy]` (a point when they are equal).
    mutating func add(volumeCM3 v: Double, lowGy: Double, highGy: Double) {
        let a = max(0, lowGy) / binWidthGy
        let b = max(0, highGy) / binWidthGy
        let needed = Int(b) + 3
        if needed > binVolumeChanges.count {
            binVolumeChanges.append(contentsOf: repeatElement(0, count: needed - binVolumeChanges.count))
        }
        let ma = Int(a)
        guard b - a > 1e-12 else {
            // All in one bin: it adds v to that bin and nothing after.
            binVolumeChanges[ma] += v
            binVolumeChanges[ma + 1] -= v
            return
        }
        // Volume below the dose x (in bins) is v·(ramp(x − a) − ramp(x − b))/(b − a); a ramp starting
        // at m + f has second differences (1 − f) at bin m and f at bin m + 1.
        let c = v / (b - a)
        let fa = a - Double(ma)
        let mb = Int(b)
        let fb = b - Double(mb)
        binVolumeChanges[ma] += c * (1 - fa)
        binVolumeChanges[ma + 1] += c * fa
        binVolumeChanges[mb] -= c * (1 - fb)
        binVolumeChanges[mb + 1] -= c * fb
    }

    /// The volume in each bin, in cm³, up to the last bin holding volume.
    func binVolumesCM3() -> [Double] {
        var bins = [Double](repeating: 0, count: binVolumeChanges.count)
        var running = 0.0
        for n in bins.indices {
            running += binVolumeChanges[n]
            bins[n] = max(0, running)
        }
        while bins.count > 1, bins[bins.count - 1] == 0 { bins.removeLast() }
        return bins
    }
}
