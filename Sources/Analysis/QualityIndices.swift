// MARK: - Homogeneity

extension DoseVolumeHistogram {
    /// The homogeneity index of ICRU Report 83 (2010, §3.7.1): `(D2% − D98%) / D50%`; 0 is a perfectly
    /// homogeneous dose. Nil when D50% is 0.
    public var homogeneityIndex: Double? {
        guard let d2 = doseGy(hottestPercent: 2), let d98 = doseGy(hottestPercent: 98),
            let d50 = doseGy(hottestPercent: 50), d50 > 0
        else { return nil }
        return (d2 - d98) / d50
    }
}

// MARK: - Conformity

/// Conformity indices of a target and a prescription isodose.
public struct ConformityIndices: Sendable, Equatable, Codable {
    /// The prescription dose, in Gy.
    public let prescriptionGy: Double
    /// The target volume TV, in cm³.
    public let targetVolumeCM3: Double
    /// The part of the target covered by the prescription isodose, TV_PIV, in cm³.
    public let coveredTargetVolumeCM3: Double
    /// The prescription isodose volume PIV (everywhere in the dose grid at or above the prescription),
    /// in cm³.
    public let prescriptionIsodoseVolumeCM3: Double

    /// Paddick's conformity index, `TV_PIV² / (TV · PIV)` (Paddick, J Neurosurg 93 Suppl 3:219, 2000,
    /// doi 10.3171/jns.2000.93.supplement_3.0219); 1 is a perfect fit, lower values mean under-covered
    /// target or irradiated normal tissue.
    public var paddick: Double? {
        guard targetVolumeCM3 > 0, prescriptionIsodoseVolumeCM3 > 0 else { return nil }
        return coveredTargetVolumeCM3 * coveredTargetVolumeCM3 / (targetVolumeCM3 * prescriptionIsodoseVolumeCM3)
    }

    /// The RTOG conformity index `PIV / TV` (Shaw et al., IJROBP 27:1231, 1993); 1 is ideal, but it
    /// does not see whether the isodose covers the target.
    public var rtog: Double? {
        guard targetVolumeCM3 > 0 else { return nil }
        return prescriptionIsodoseVolumeCM3 / targetVolumeCM3
    }

    /// Computes the volumes behind the indices.
    /// - Parameters:
    ///   - target: the target's DVH (gives TV and TV_PIV).
    ///   - dose: the dose grid (gives PIV, sampling each voxel `subsamples³` times).
    ///   - prescriptionGy: the prescription dose.
    ///   - subsamples: sample points per voxel side for the isodose volume.
    /// - Throws: `AnalysisError.badParameter` for a non-positive prescription.
    public init(target: DoseVolumeHistogram, dose: DoseGrid, prescriptionGy: Double, subsamples: Int = 2) throws {
        guard prescriptionGy > 0, prescriptionGy.isFinite else {
            throw AnalysisError.badParameter(
                name: "prescription dose", value: "\(prescriptionGy) Gy", allowed: "a positive dose")
        }
        self.prescriptionGy = prescriptionGy
        self.targetVolumeCM3 = target.volumeCM3
        self.coveredTargetVolumeCM3 = target.volumeCM3(atOrAbove: prescriptionGy)
        self.prescriptionIsodoseVolumeCM3 = dose.volumeCM3(atOrAbove: prescriptionGy, subsamples: subsamples)
    }
}
