import Analysis
import Geometry

/// The 1D gamma pass rate of an evaluated curve against a reference one on the same evenly spaced positions (Analysis'
/// `GammaIndex` on a one-row grid; Low et al., Med. Phys. 25, 656 (1998)), both in % of the same normalisation: 2 %/2 mm
/// global, 10 % threshold, as the depth doses and profiles of `penumbra commission --measured` are compared.
enum LineGamma {
    /// Percent of the reference points above the threshold that pass.
    /// - Throws: what `DoseGrid` or `GammaIndex` throws for unusable curves.
    static func passPercent(positionsCM: [Double], reference: [Double], evaluated: [Double]) throws -> Double {
        func grid(_ values: [Double]) throws -> DoseGrid {
            let step = positionsCM.count > 1 ? positionsCM[1] - positionsCM[0] : 1
            let g = VoxelGrid(counts: (x: 1, y: positionsCM.count, z: 1), originCM: Vec3(-0.5, positionsCM[0] - step / 2, -0.5),
                              spacingCM: Vec3(1, step, 1))
            return try DoseGrid(grid: g, doseGy: values)
        }
        let gamma = try GammaIndex(reference: try grid(reference), evaluated: try grid(evaluated),
                                   options: GammaOptions(doseDifferencePercent: 2, distanceToAgreementCM: 0.2))
        return 100 * Double(gamma.passedCount) / Double(max(gamma.evaluatedCount, 1))
    }
}
