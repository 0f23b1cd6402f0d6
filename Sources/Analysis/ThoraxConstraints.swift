extension ConstraintSet {
    /// The thorax constraint set shipped with Penumbra, for conventionally fractionated (1.8–2 Gy per
    /// fraction) lung radiotherapy. `penumbra constraints thorax` prints it as JSON to copy and
    /// adapt; a centre's own protocol overrides it.
    public static let thoraxConventional = ConstraintSet(
        name: "Thorax, conventional fractionation",
        description: "Lung, heart, spinal cord, oesophagus and PTV coverage for 1.8–2 Gy fractions "
            + "(RTOG 0617 protocol limits and the QUANTEC reviews). Not for SBRT.",
        constraints: [
            DoseConstraint(
                structure: totalLungMinusGTV, metric: .volumePercentAtDose(20), comparison: .atMost, limit: 37,
                unit: .percent,
                source: "RTOG 0617 protocol, total lung minus GTV V20 <= 37 % (Bradley et al., Lancet Oncol "
                    + "16:187, 2015, doi 10.1016/S1470-2045(14)71207-0)"),
            DoseConstraint(
                structure: totalLungMinusGTV, metric: .meanDose, comparison: .atMost, limit: 20, unit: .gray,
                source: "QUANTEC lung: mean lung dose <= 20 Gy for <= 20 % symptomatic pneumonitis (Marks et al., "
                    + "IJROBP 76:S70, 2010, doi 10.1016/j.ijrobp.2009.06.091); RTOG 0617"),
            DoseConstraint(
                structure: StructureSelector(names: ["Heart", "Cor"]), metric: .meanDose,
                comparison: .atMost, limit: 26, unit: .gray,
                source: "QUANTEC heart: mean (pericardial) dose < 26 Gy for pericarditis (Gagliardi et al., "
                    + "IJROBP 76:S77, 2010, doi 10.1016/j.ijrobp.2009.04.093)"),
            DoseConstraint(
                structure: StructureSelector(names: ["SpinalCord", "Spinal_Cord", "Cord", "Myelon", "SpinalCanal"]),
                metric: .doseAtVolumeCM3(0.03), comparison: .atMost, limit: 50, unit: .gray,
                source: "QUANTEC spinal cord: maximum 50 Gy for 0.2 % myelopathy (Kirkpatrick et al., IJROBP "
                    + "76:S42, 2010, doi 10.1016/j.ijrobp.2009.04.095); maximum read as D0.03cc"),
            DoseConstraint(
                structure: StructureSelector(names: ["Esophagus", "Oesophagus", "Esoph"]), metric: .meanDose,
                comparison: .atMost, limit: 34, unit: .gray,
                source: "QUANTEC oesophagus: mean dose < 34 Gy for grade >= 3 acute esophagitis (Werner-Wasik "
                    + "et al., IJROBP 76:S86, 2010, doi 10.1016/j.ijrobp.2009.05.070)"),
            DoseConstraint(
                structure: StructureSelector(names: ["PTV", "PTV_High", "PTV1", "PTV_60", "PTVp"]),
                metric: .doseAtVolumePercent(95), comparison: .atLeast, limit: 95, unit: .percentOfPrescription,
                source: "ICRU Reports 50 (1993) and 62 (1999): PTV dose within -5 %/+7 % of the prescription"),
        ])

    /// Total lung (both lungs) minus the GTV, under the names centres use (TG-263 style first).
    static let totalLungMinusGTV = StructureSelector(
        names: ["Lungs-GTV", "Lung_Total-GTV", "Lungs-ITV", "Lung_Total-ITV", "Lungs-IGTV"],
        base: ["Lungs", "Lung_Total", "Total_Lung", "Lungs_Total", "Lung_Both", "Lung"],
        unionOf: [["Lung_L", "Lung_Left", "L_Lung", "LLung", "Lung_Lt"], ["Lung_R", "Lung_Right", "R_Lung", "RLung", "Lung_Rt"]],
        minus: ["GTV", "ITV", "IGTV", "GTV_Primary", "GTVp"])
}
