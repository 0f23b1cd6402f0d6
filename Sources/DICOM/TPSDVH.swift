/// A dose–volume histogram stored in an RT Dose by the planning system (PS3.3 C.8.8.4, RT DVH module),
/// kept as written so that Penumbra's own DVHs can be compared with the TPS's.
public struct TPSDVH: Sendable {
    /// The ROI it belongs to (Referenced ROI Number in the DVH Referenced ROI Sequence).
    public let roiNumber: Int
    /// DVH Type (3004,0001): CUMULATIVE, DIFFERENTIAL or NATURAL.
    public let type: String
    /// Dose Units (3004,0002): GY or RELATIVE.
    public let doseUnits: String
    /// DVH Volume Units (3004,0054): CM3, PERCENT or PER_U.
    public let volumeUnits: String
    /// Bin widths, in `doseUnits` after DVH Dose Scaling (3004,0052).
    public let binWidths: [Double]
    /// The volume of each bin (cumulative: volume receiving at least the bin's lower dose), in `volumeUnits`.
    public let volumes: [Double]
    /// DVH Minimum, Maximum and Mean Dose (3004,0070/0072/0074), when given, in `doseUnits`.
    public let minimum: Double?, maximum: Double?, mean: Double?

    /// The dose at the lower edge of each bin (0 for the first).
    public var binLowerDoses: [Double] {
        var lower: [Double] = []
        var dose = 0.0
        for width in binWidths {
            lower.append(dose)
            dose += width
        }
        return lower
    }

    /// Reads the DVH Sequence (3004,0050) of an RT Dose data set; empty when it has none.
    /// - Throws: `DICOMError` for an item whose DVH Data is not (width, volume) pairs or disagrees with
    ///   DVH Number of Bins.
    public static func read(from d: DataSet) throws -> [TPSDVH] {
        try (d.sequence("DVHSequence") ?? []).enumerated().map { n, item in
            let context = "DVHSequence item \(n)"
            guard let roi = try item.sequence("DVHReferencedROISequence")?.first?.int("ReferencedROINumber") else {
                throw DICOMError(.missingAttribute, "\(context) names no ROI (DVH Referenced ROI Sequence)")
            }
            let data = try item.doubles("DVHData") ?? []
            guard data.count % 2 == 0 else {
                throw DICOMError(
                    .invalidValue, "\(context): DVH Data holds \(data.count) numbers, not (width, volume) pairs")
            }
            if let bins = try item.int("DVHNumberOfBins"), bins != data.count / 2 {
                throw DICOMError(
                    .invalidValue, "\(context): DVH Number of Bins says \(bins) but DVH Data holds \(data.count / 2)")
            }
            let scaling = try item.double("DVHDoseScaling") ?? 1
            return TPSDVH(
                roiNumber: roi, type: item.string("DVHType") ?? "CUMULATIVE",
                doseUnits: item.string("DoseUnits") ?? "GY",
                volumeUnits: item.string("DVHVolumeUnits") ?? "CM3",
                binWidths: stride(from: 0, to: data.count, by: 2).map { data[$0] * scaling },
                volumes: stride(from: 1, to: data.count, by: 2).map { data[$0] },
                minimum: try item.double("DVHMinimumDose"), maximum: try item.double("DVHMaximumDose"),
                mean: try item.double("DVHMeanDose"))
        }
    }
}
