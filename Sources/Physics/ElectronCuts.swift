/// Electron or positron: the two differ in hard collisions (Møller vs Bhabha) and stopping power.
public enum Lepton: String, Sendable, Hashable, CaseIterable {
    case electron, positron
}

/// The class II thresholds of a run (PHYSICS.md §2.3): losses below them are continuous, above them
/// discrete events.
///
/// EGSnrc's AE = 0.521 MeV (total) is `collisionCutMeV = 0.010`; AE = 0.700 MeV is 0.189; AP = 0.010 MeV
/// is `radiativeCutMeV = 0.010`.
public struct ElectronCuts: Sendable, Hashable, Codable {
    /// Δ: delta rays with kinetic energy above this are produced explicitly (MeV).
    public var collisionCutMeV: Double
    /// k_c: bremsstrahlung photons above this energy are produced explicitly (MeV).
    public var radiativeCutMeV: Double

    /// Creates cuts from kinetic-energy thresholds in MeV.
    public init(collisionCutMeV: Double, radiativeCutMeV: Double) {
        self.collisionCutMeV = collisionCutMeV
        self.radiativeCutMeV = radiativeCutMeV
    }

    /// EGSnrc's AE = 0.521 MeV, AP = 0.010 MeV (Δ = 10 keV, k_c = 10 keV).
    public static let egsnrc521 = ElectronCuts(
        collisionCutMeV: 0.521 - CollisionStoppingPower.electronMassMeV, radiativeCutMeV: 0.010)
    /// EGSnrc's AE = 0.700 MeV, AP = 0.010 MeV (Δ = 189 keV, k_c = 10 keV).
    public static let egsnrc700 = ElectronCuts(
        collisionCutMeV: 0.700 - CollisionStoppingPower.electronMassMeV, radiativeCutMeV: 0.010)

    /// Checks the cuts against the table range.
    /// - Throws: `PhysicsDataError.badCut` naming the cut and the allowed range.
    public func validate(tableRangeMeV range: ClosedRange<Double>) throws {
        for (name, value) in [("collision cut Δ", collisionCutMeV), ("radiative cut k_c", radiativeCutMeV)] {
            guard value.isFinite, value >= range.lowerBound, value < range.upperBound / 2 else {
                throw PhysicsDataError.badCut(
                    "\(name) = \(value) MeV; it must lie between \(range.lowerBound) and \(range.upperBound / 2) MeV")
            }
        }
    }
}
