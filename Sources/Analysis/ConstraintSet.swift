import Foundation

/// A named set of dose–volume constraints, read from and written to JSON.
public struct ConstraintSet: Sendable, Equatable, Codable {
    /// The set's name (e.g. "Thorax, conventional fractionation").
    public var name: String
    /// What the set is for and when it applies.
    public var description: String
    /// The constraints.
    public var constraints: [DoseConstraint]

    /// Creates a constraint set.
    public init(name: String, description: String, constraints: [DoseConstraint]) {
        self.name = name
        self.description = description
        self.constraints = constraints
    }

    /// Reads and validates a constraint set from a JSON file.
    /// - Throws: `AnalysisError.badFile` saying what in the file is wrong.
    public init(contentsOf url: URL) throws {
        let data = try AnalysisError.contents(of: url)
        do {
            self = try JSONDecoder().decode(ConstraintSet.self, from: data)
        } catch let error as DecodingError {
            throw AnalysisError.badFile(path: url.path, reason: "is not a constraint set: \(Self.explain(error))")
        }
        do {
            try validate()
        } catch {
            throw AnalysisError.badFile(path: url.path, reason: "\(error)")
        }
    }

    /// Checks every constraint.
    /// - Throws: the first constraint's `AnalysisError`.
    public func validate() throws {
        for constraint in constraints { try constraint.validate() }
    }

    /// The set as pretty-printed JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}

// MARK: - Evaluation

/// The outcome of one constraint on one plan.
public struct ConstraintResult: Sendable, Equatable, Codable {
    /// Pass, fail, or not evaluated (missing structure, unknown prescription, undefined metric).
    public enum Status: String, Sendable, Codable {
        case pass, fail
        case notEvaluated = "not evaluated"
    }

    /// The constraint.
    public let constraint: DoseConstraint
    /// The structure it was evaluated on (e.g. `Lungs-GTV`), or nil when none matched.
    public let structureName: String?
    /// The metric's value in its unit (`DoseMetric.unit`), or nil when not evaluated.
    public let value: Double?
    /// The limit in the metric's unit, or nil when unknown.
    public let limit: Double?
    /// The outcome.
    public let status: Status
    /// Why the constraint was not evaluated, or a remark on how (e.g. no GTV to subtract).
    public let note: String?
}

extension ConstraintSet {
    /// Evaluates every constraint on a dose distribution and a structure set.
    /// - Parameters:
    ///   - dose: the dose grid.
    ///   - structures: the structure masks.
    ///   - prescriptionGy: the prescription dose, for limits in `%Rx`.
    ///   - options: how DVHs are computed.
    /// - Returns: one result per constraint, in order; a constraint whose structure is missing is
    ///   reported `notEvaluated`, never silently passed.
    /// - Throws: `AnalysisError` when a DVH cannot be computed (e.g. masks on different grids).
    public func evaluate(
        dose: DoseGrid, structures: [StructureMask], prescriptionGy: Double?, options: DVHOptions = DVHOptions()
    ) throws -> [ConstraintResult] {
        var byKey: [String: StructureMask] = [:]
        for mask in structures where byKey[StructureSelector.key(mask.name)] == nil {
            byKey[StructureSelector.key(mask.name)] = mask
        }
        // Names the structure set's character set could not decode hold U+FFFD, which no constraint's name
        // matches: a missing structure's note says so instead of leaving the physicist to guess.
        let undecodable = structures.map(\.name).filter { $0.unicodeScalars.contains("\u{FFFD}") }
        let undecodableNote = undecodable.isEmpty ? "" :
            "; the structure set's names \(undecodable.map { "'\($0)'" }.joined(separator: ", ")) hold bytes its Specific "
            + "Character Set (0008,0005) does not decode (U+FFFD), which no name matches: correct the file's character set"
        var dvhs: [String: DoseVolumeHistogram] = [:]
        var results: [ConstraintResult] = []
        for constraint in constraints {
            guard let (mask, selectionNote) = try constraint.structure.select(from: byKey) else {
                results.append(
                    ConstraintResult(
                        constraint: constraint, structureName: nil, value: nil, limit: nil, status: .notEvaluated,
                        note: "no structure named "
                            + constraint.structure.allNames.joined(separator: ", ") + undecodableNote))
                continue
            }
            let limit = constraint.limitInMetricUnit(prescriptionGy: prescriptionGy)
            let dvh: DoseVolumeHistogram
            if let known = dvhs[mask.name] {
                dvh = known
            } else {
                dvh = try DoseVolumeHistogram(dose: dose, structure: mask, options: options)
                dvhs[mask.name] = dvh
            }
            let value = dvh.value(of: constraint.metric)
            let status: ConstraintResult.Status
            var note = selectionNote
            if let value, let limit {
                status = constraint.comparison.holds(value, limit) ? .pass : .fail
            } else {
                status = .notEvaluated
                note = [
                    note,
                    limit == nil
                    ? "the limit is relative to the prescription, which was not given"
                    : "\(constraint.metric) is undefined: '\(mask.name)' holds only \(dvh.volumeCM3) cc",
                ].compactMap { $0 }.joined(separator: "; ")
            }
            if dvh.volumeOutsideDoseGridCM3 > 0 {
                note = [note, String(format: "%.2f cc of the structure lies outside the dose grid (counted at 0 Gy)",
                    dvh.volumeOutsideDoseGridCM3)].compactMap { $0 }.joined(separator: "; ")
            }
            results.append(
                ConstraintResult(
                    constraint: constraint, structureName: mask.name, value: value, limit: limit, status: status,
                    note: note))
        }
        return results
    }
}
