import Geometry

// Public memberwise initialisers, so that plans can be built in code (examples, log-based plans)
// and written with `PlanWriter`.

extension Plan {
    /// Creates a plan.
    public init(
        sopInstanceUID: String, label: String, studyInstanceUID: String, frameOfReferenceUID: String?,
        referencedStructureSetUID: String?, patient: PatientIdentity, fractionGroups: [FractionGroup], beams: [Beam]
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.label = label
        self.studyInstanceUID = studyInstanceUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.referencedStructureSetUID = referencedStructureSetUID
        self.patient = patient
        self.fractionGroups = fractionGroups
        self.beams = beams
        self.unsupportedFeatures = []
        self.boli = []
        self.notes = []
    }
}
