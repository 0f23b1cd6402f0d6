/// The numbers people read off a structure's DVH, as one table row.
public struct DVHSummary: Sendable, Equatable, Codable {
    /// The structure's name.
    public let structure: String
    /// Its volume, in cm³.
    public let volumeCM3: Double
    /// The part outside the dose grid (counted at 0 Gy), in cm³.
    public let volumeOutsideDoseGridCM3: Double
    /// Minimum, mean and maximum dose, in Gy.
    public let minGy: Double, meanGy: Double, maxGy: Double
    /// D98%, D95%, D50% and D2%, in Gy.
    public let d98Gy: Double, d95Gy: Double, d50Gy: Double, d2Gy: Double
    /// D0.03cc (the clinical maximum), in Gy; nil for a structure smaller than 0.03 cm³.
    public let d0_03ccGy: Double?
    /// The ICRU 83 homogeneity index (D2 − D98)/D50, nil when D50 is 0.
    public let homogeneityIndex: Double?

    /// Summarises a DVH.
    public init(_ dvh: DoseVolumeHistogram) {
        structure = dvh.structureName
        volumeCM3 = dvh.volumeCM3
        volumeOutsideDoseGridCM3 = dvh.volumeOutsideDoseGridCM3
        minGy = dvh.minDoseGy
        meanGy = dvh.meanDoseGy
        maxGy = dvh.maxDoseGy
        // Percentages in 0…100 are always defined on a non-empty DVH.
        d98Gy = dvh.doseGy(hottestPercent: 98) ?? dvh.minDoseGy
        d95Gy = dvh.doseGy(hottestPercent: 95) ?? dvh.minDoseGy
        d50Gy = dvh.doseGy(hottestPercent: 50) ?? dvh.minDoseGy
        d2Gy = dvh.doseGy(hottestPercent: 2) ?? dvh.maxDoseGy
        d0_03ccGy = dvh.doseGy(hottestVolumeCM3: 0.03)
        homogeneityIndex = dvh.homogeneityIndex
    }
}
