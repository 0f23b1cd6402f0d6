/// One dose–volume constraint of a plan: a metric on a structure compared with a limit, with its source.
///
/// In JSON: `{"structure": {"names": ["SpinalCord", "Cord"]}, "metric": "D0.03cc", "comparison": "<=",
/// "limit": 50, "unit": "Gy", "source": "QUANTEC ..."}`. Dose limits are in `Gy` or `%Rx` (percent of
/// the prescription); volume limits in the metric's unit (`%` for `V20Gy`, `cc` for `V20Gy[cc]`).
public struct DoseConstraint: Sendable, Equatable, Codable {
    /// How a metric value compares with its limit.
    public enum Comparison: String, Sendable, Codable {
        case atMost = "<="
        case lessThan = "<"
        case atLeast = ">="
        case greaterThan = ">"

        /// Whether `value` satisfies the comparison with `limit`.
        public func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .atMost: value <= limit
            case .lessThan: value < limit
            case .atLeast: value >= limit
            case .greaterThan: value > limit
            }
        }
    }

    /// The unit a limit is written in.
    public enum LimitUnit: String, Sendable, Codable {
        /// Gy (dose metrics).
        case gray = "Gy"
        /// Percent of the prescription dose (dose metrics).
        case percentOfPrescription = "%Rx"
        /// Percent of the structure's volume (`V…Gy` metrics).
        case percent = "%"
        /// cm³ (`V…Gy[cc]` metrics).
        case cubicCentimetres = "cc"
    }

    /// The structure the constraint applies to.
    public var structure: StructureSelector
    /// The metric.
    public var metric: DoseMetric
    /// How the metric compares with the limit.
    public var comparison: Comparison
    /// The limit, in `unit`.
    public var limit: Double
    /// The limit's unit.
    public var unit: LimitUnit
    /// Where the constraint comes from (protocol or paper).
    public var source: String

    /// Creates a constraint; `validate()` checks it.
    public init(
        structure: StructureSelector, metric: DoseMetric, comparison: Comparison, limit: Double, unit: LimitUnit,
        source: String
    ) {
        self.structure = structure
        self.metric = metric
        self.comparison = comparison
        self.limit = limit
        self.unit = unit
        self.source = source
    }

    /// The constraint as people write it, e.g. `Lungs-GTV V20Gy <= 37 %`.
    public var summary: String {
        "\(structure.names.first ?? structure.allNames.first ?? "?") \(metric) \(comparison.rawValue) \(limit) \(unit.rawValue)"
    }

    /// Checks that the unit fits the metric and the limit is a finite non-negative number.
    /// - Throws: `AnalysisError.badParameter` naming the constraint.
    public func validate() throws {
        guard limit.isFinite, limit >= 0 else {
            throw AnalysisError.badParameter(name: "limit of \(summary)", value: "\(limit)", allowed: "a number ≥ 0")
        }
        guard !structure.allNames.isEmpty else {
            throw AnalysisError.badParameter(
                name: "structure of \(summary)", value: "none", allowed: "at least one structure name")
        }
        let allowed: [LimitUnit] =
            switch metric {
            case .volumePercentAtDose: [.percent]
            case .volumeCM3AtDose: [.cubicCentimetres]
            default: [.gray, .percentOfPrescription]
            }
        guard allowed.contains(unit) else {
            throw AnalysisError.badParameter(
                name: "unit of \(summary)", value: unit.rawValue,
                allowed: allowed.map(\.rawValue).joined(separator: " or ") + " for \(metric)")
        }
    }

    /// The limit in the metric's unit, or nil when it is relative to a prescription that is not known.
    public func limitInMetricUnit(prescriptionGy: Double?) -> Double? {
        guard unit == .percentOfPrescription else { return limit }
        return prescriptionGy.map { limit / 100 * $0 }
    }
}
