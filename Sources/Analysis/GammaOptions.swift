/// The criteria and search settings of a gamma-index comparison (Low et al., Med Phys 25:656, 1998,
/// doi 10.1118/1.598248), validated once up front.
///
/// Defaults follow AAPM TG-218 (Miften et al., Med Phys 45:e53, 2018, doi 10.1002/mp.12810): 3 % global,
/// 2 mm, 10 % low-dose threshold; the search steps a tenth of the distance criterion (Wendling et al.,
/// Med Phys 34:1647, 2007, doi 10.1118/1.2721657).
public struct GammaOptions: Sendable, Equatable, Codable {
    /// Global (dose differences relative to one normalisation dose) or local (relative to the reference
    /// dose at each point).
    public enum Normalisation: String, Sendable, Codable {
        case global, local
    }

    /// The dose-difference criterion, in percent (3 for 3 %).
    public var doseDifferencePercent: Double
    /// The distance-to-agreement criterion, in cm (0.2 for 2 mm).
    public var distanceToAgreementCM: Double
    /// Global or local dose differences.
    public var normalisation: Normalisation
    /// The global normalisation dose, in Gy; nil takes the reference grid's maximum.
    public var globalNormalisationGy: Double?
    /// Reference points below this percentage of the global normalisation dose are not evaluated.
    public var lowDoseThresholdPercent: Double
    /// The search step is the distance criterion divided by this (10: a 0.2 mm step for 2 mm).
    public var interpolationFraction: Int
    /// How far from each reference point the evaluated dose is searched, in cm; nil takes three times
    /// the distance criterion. Gamma values are capped at `searchRadius / distanceToAgreement`.
    public var searchRadiusCM: Double?

    /// Creates gamma options; `validate()` checks them.
    public init(
        doseDifferencePercent: Double = 3, distanceToAgreementCM: Double = 0.2, normalisation: Normalisation = .global,
        globalNormalisationGy: Double? = nil, lowDoseThresholdPercent: Double = 10, interpolationFraction: Int = 10,
        searchRadiusCM: Double? = nil
    ) {
        self.doseDifferencePercent = doseDifferencePercent
        self.distanceToAgreementCM = distanceToAgreementCM
        self.normalisation = normalisation
        self.globalNormalisationGy = globalNormalisationGy
        self.lowDoseThresholdPercent = lowDoseThresholdPercent
        self.interpolationFraction = interpolationFraction
        self.searchRadiusCM = searchRadiusCM
    }

    /// The search radius in effect, in cm.
    public var effectiveSearchRadiusCM: Double { searchRadiusCM ?? 3 * distanceToAgreementCM }

    /// The criteria as people write them, e.g. `3 %/2 mm global, 10 % threshold`.
    public var summary: String {
        func short(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        return "\(short(doseDifferencePercent)) %/\(short(distanceToAgreementCM * 10)) mm \(normalisation.rawValue), "
            + "\(short(lowDoseThresholdPercent)) % threshold"
    }

    /// Checks every setting.
    /// - Throws: `AnalysisError.badParameter` naming the first bad one.
    public func validate() throws {
        guard doseDifferencePercent > 0, doseDifferencePercent.isFinite else {
            throw AnalysisError.badParameter(
                name: "gamma dose difference", value: "\(doseDifferencePercent) %", allowed: "a positive percentage")
        }
        guard distanceToAgreementCM > 0, distanceToAgreementCM.isFinite else {
            throw AnalysisError.badParameter(
                name: "gamma distance to agreement", value: "\(distanceToAgreementCM) cm", allowed: "a positive length")
        }
        if let globalNormalisationGy, !(globalNormalisationGy > 0 && globalNormalisationGy.isFinite) {
            throw AnalysisError.badParameter(
                name: "gamma normalisation dose", value: "\(globalNormalisationGy) Gy", allowed: "a positive dose")
        }
        guard lowDoseThresholdPercent >= 0, lowDoseThresholdPercent < 100 else {
            throw AnalysisError.badParameter(
                name: "gamma low-dose threshold", value: "\(lowDoseThresholdPercent) %", allowed: "0 to below 100 %")
        }
        guard (1...100).contains(interpolationFraction) else {
            throw AnalysisError.badParameter(
                name: "gamma interpolation fraction", value: "\(interpolationFraction)", allowed: "1 to 100")
        }
        if let searchRadiusCM, !(searchRadiusCM >= distanceToAgreementCM && searchRadiusCM.isFinite) {
            throw AnalysisError.badParameter(
                name: "gamma search radius", value: "\(searchRadiusCM) cm",
                allowed: "at least the distance criterion (\(distanceToAgreementCM) cm)")
        }
    }
}
