/// A DVH sampled for plotting or export: volumes against dose.
public struct DVHCurve: Sendable, Equatable, Codable {
    /// Whether the volumes are cumulative (at or above each dose) or differential (per dose bin).
    public enum Kind: String, Sendable, Codable {
        /// `volumesCM3[n]` is the volume receiving at least `dosesGy[n]`.
        case cumulative
        /// `volumesCM3[n]` is the volume receiving a dose in `[dosesGy[n], dosesGy[n] + binWidthGy)`.
        case differential
    }

    /// The kind of curve.
    public let kind: Kind
    /// The structure's name.
    public let structureName: String
    /// The structure's volume, in cm³, to turn volumes into percentages.
    public let structureVolumeCM3: Double
    /// The dose bin width, in Gy.
    public let binWidthGy: Double
    /// Doses, in Gy: `0, w, 2w, …`.
    public let dosesGy: [Double]
    /// Volumes, in cm³, one per dose.
    public let volumesCM3: [Double]

    /// The volumes as percentages of the structure's volume.
    public var volumesPercent: [Double] { volumesCM3.map { 100 * $0 / structureVolumeCM3 } }
}

extension DoseVolumeHistogram {
    /// The cumulative DVH at doses `0, w, 2w, …` up to the first dose above the maximum (where it is 0).
    /// - Throws: `AnalysisError.badParameter` for a non-positive bin width.
    public func cumulativeCurve(binWidthGy w: Double = 0.1) throws -> DVHCurve {
        try Self.checkCurveBin(w)
        let count = Int(maxDoseGy / w) + 2
        let doses = (0..<count).map { Double($0) * w }
        return DVHCurve(
            kind: .cumulative, structureName: structureName, structureVolumeCM3: volumeCM3, binWidthGy: w,
            dosesGy: doses, volumesCM3: doses.map { volumeCM3(atOrAbove: $0) })
    }

    /// The differential DVH in bins of width `w`: the volume receiving a dose in each bin.
    /// - Throws: `AnalysisError.badParameter` for a non-positive bin width.
    public func differentialCurve(binWidthGy w: Double = 0.1) throws -> DVHCurve {
        try Self.checkCurveBin(w)
        let count = Int(maxDoseGy / w) + 1
        let doses = (0..<count).map { Double($0) * w }
        let volumes = doses.map { volumeCM3(atOrAbove: $0) - volumeCM3(atOrAbove: $0 + w) }
        return DVHCurve(
            kind: .differential, structureName: structureName, structureVolumeCM3: volumeCM3, binWidthGy: w,
            dosesGy: doses, volumesCM3: volumes)
    }

    private static func checkCurveBin(_ w: Double) throws {
        guard w > 0, w.isFinite else {
            throw AnalysisError.badParameter(name: "DVH curve bin width", value: "\(w) Gy", allowed: "a positive dose")
        }
    }
}
