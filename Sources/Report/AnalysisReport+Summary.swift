import Analysis

extension AnalysisReport {
    /// What an overnight pipeline reads: every table of the report as numbers, as JSON (`--summary`).
    public struct Summary: Encodable {
        /// An input file and its SHA-256.
        public struct InputRecord: Encodable {
            public let role: String, fileName: String, sha256: String
        }
        /// One gamma result.
        public struct GammaRecord: Encodable {
            public let criteria: String, passRatePercent: Double?, points: Int, meanGamma: Double?
        }
        /// One CPT 77295 element and whether the report holds it.
        public struct CPTElement: Encodable {
            public let element: String, present: Bool, location: String
        }
        /// One reviewer line of the professional component (nil name or date: left blank to sign).
        public struct ReviewerRecord: Encodable {
            public let role: String, name: String?, date: String?
        }
        /// Heading, software and version, generation time (ISO 8601).
        public let title: String, software: String, generated: String
        /// Patient identifiers by label (nil unless asked for).
        public let patient: [String: String]?
        /// The input files.
        public let inputs: [InputRecord]
        /// Dose facts by label.
        public let dose: [String: String]
        /// The Monte Carlo calculation's settings by label (empty when not from a Penumbra run).
        public let computation: [String: String]
        /// The run's density overrides and the devices its phantom held (nil when not recorded, as in the report).
        public let densityOverrides: [DensityOverride]?, devices: [Device]?
        /// DVH metrics per structure.
        public let structures: [DVHSummary]
        /// Conformity of the targets to the prescription isodose.
        public let conformity: [Conformity]
        /// Constraint results, when a set was checked.
        public let constraints: [ConstraintResult]?
        /// Whether every evaluated constraint passed; nil without constraints or when none was evaluated.
        public let allConstraintsPass: Bool?
        /// What the gamma results compare against, and the results.
        public let gammaReference: String?
        /// The gamma results.
        public let gamma: [GammaRecord]?
        /// DVH metrics under this dose and the reference dose.
        public let dvhDifferences: [MetricDifference]
        /// The plan's beams (empty without a plan).
        public let beams: [Beam]
        /// The CPT 77295 documentation elements.
        public let cpt77295: [CPTElement]
        /// The professional component's reviewers.
        public let reviewers: [ReviewerRecord]
    }

    /// The report's numbers for machines.
    public var summary: Summary {
        let evaluated = constraints?.filter { $0.status != .notEvaluated } ?? []
        return Summary(
            title: title, software: software, generated: generated,
            patient: patient.isEmpty ? nil : Dictionary(patient, uniquingKeysWith: { first, _ in first }),
            inputs: inputs.map { .init(role: $0.role, fileName: $0.fileName, sha256: $0.sha256) },
            dose: Dictionary(doseFacts, uniquingKeysWith: { first, _ in first }),
            computation: Dictionary(computation, uniquingKeysWith: { first, _ in first }),
            densityOverrides: densityOverrides, devices: devices, structures: dvh,
            conformity: conformity, constraints: constraints,
            allConstraintsPass: evaluated.isEmpty ? nil : evaluated.allSatisfy { $0.status == .pass },
            gammaReference: gamma?.reference,
            gamma: gamma?.results.map {
                .init(criteria: $0.criteria, passRatePercent: $0.passRatePercent, points: $0.points, meanGamma: $0.meanGamma)
            }, dvhDifferences: metricDifferences, beams: beams,
            cpt77295: cptElements.map { .init(element: $0.element, present: $0.present, location: $0.where) },
            reviewers: reviewers.map { .init(role: $0.role, name: $0.name, date: $0.date) })
    }
}

extension AnalysisReport.Conformity: Encodable {
    private enum CodingKeys: String, CodingKey {
        case structure, prescriptionGy, targetVolumeCM3, coveredTargetVolumeCM3, prescriptionIsodoseVolumeCM3, paddick, rtog
        case homogeneityIndex
    }

    /// The volumes and both indices (computed ones included), flat.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(structure, forKey: .structure)
        try c.encode(indices.prescriptionGy, forKey: .prescriptionGy)
        try c.encode(indices.targetVolumeCM3, forKey: .targetVolumeCM3)
        try c.encode(indices.coveredTargetVolumeCM3, forKey: .coveredTargetVolumeCM3)
        try c.encode(indices.prescriptionIsodoseVolumeCM3, forKey: .prescriptionIsodoseVolumeCM3)
        try c.encodeIfPresent(indices.paddick, forKey: .paddick)
        try c.encodeIfPresent(indices.rtog, forKey: .rtog)
        try c.encodeIfPresent(homogeneityIndex, forKey: .homogeneityIndex)
    }
}
