/// The boli a beam's dose goes through (RT Plan: Number of Boli 300A,00ED; Referenced Bolus Sequence
/// 300C,00B0, whose items name the bolus by its ROI in the structure set, PS3.3 C.8.8.14).
///
/// A bolus is material on the patient's skin. The planning system computes it as its ROI (RT ROI Interpreted
/// Type BOLUS) with the density assigned to it; Penumbra does the same when that ROI is in the phantom, and
/// cannot otherwise.
public struct BeamBoli: Sendable, Equatable {
    /// The beam, as messages name it ("beam 2 'RAO'").
    public let beam: String
    /// How many boli the beam has (the larger of Number of Boli and the referenced ROIs).
    public let count: Int
    /// The ROI Numbers of the referenced boli.
    public let roiNumbers: [Int]
}

extension Plan {
    /// `unsupportedFeatures` and the boli whose ROI is not among `bolusROIsInPhantom` (a bolus the plan does
    /// not reference by ROI, or one whose ROI the phantom lacks), one line each; empty when everything the
    /// plan's dose depends on is modelled.
    public func unmodelledFeatures(bolusROIsInPhantom: Set<Int>) -> [String] {
        unsupportedFeatures + boli.compactMap { b in
            let missing = b.roiNumbers.filter { !bolusROIsInPhantom.contains($0) }
            let unreferenced = b.count - b.roiNumbers.count
            guard unreferenced > 0 || !missing.isEmpty else { return nil }
            var why: [String] = []
            if unreferenced > 0 { why.append("\(unreferenced) not referenced by an ROI") }
            if !missing.isEmpty {
                why.append("ROI \(missing.map(String.init).joined(separator: ", ")) not in the phantom")
            }
            return "\(b.beam): \(b.count) bolus (\(why.joined(separator: "; ")); a bolus is computed when its BOLUS "
                + "ROI is in the structure set and density overrides are applied)"
        }
    }
}
